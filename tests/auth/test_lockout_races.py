"""Wrong passwords sent at the same moment: every one is counted and the account locks.

Each attempt is a real sign-in request on its own thread, with its own session and database
connection, started together at a barrier (SQLite or PostgreSQL, as the run is configured).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from screening.auth.service import LOCKOUT_THRESHOLD
from screening.clock import as_utc
from tests.auth.support import LOGIN, audit_events, get_clinician
from tests.conftest import make_app
from tests.portal_helpers import create_clinician

EMAIL = "clinician@example.org"
ATTEMPTS = 20


def parallel_wrong_passwords(app: Flask, attempts: int) -> list[int]:
    """Send `attempts` wrong passwords at once, one thread and client each; return statuses."""
    barrier = threading.Barrier(attempts)

    def attempt(number: int) -> int:
        client = app.test_client()
        barrier.wait()
        response = client.post(LOGIN, data={"email": EMAIL, "password": f"wrong guess {number}"})
        return response.status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return list(pool.map(attempt, range(attempts)))


def test_parallel_wrong_passwords_are_all_counted_and_lock_the_account(
    tmp_path: Path, database_url: str
) -> None:
    # A connection for every attempt, so none waits for another to finish.
    app = make_app(tmp_path, database_url, DATABASE_POOL_SIZE=ATTEMPTS, DATABASE_MAX_OVERFLOW=0)
    clinician_id, _ = create_clinician(app)

    statuses = parallel_wrong_passwords(app, ATTEMPTS)

    assert statuses == [200] * ATTEMPTS
    stored = get_clinician(app, clinician_id)
    assert stored.failed_logins == ATTEMPTS
    locked_until = as_utc(stored.locked_until)
    assert locked_until is not None and locked_until > datetime.now(UTC)
    failures = [e for e in audit_events(app, "auth.login") if e.outcome == "failure"]
    assert len(failures) == ATTEMPTS
    assert len(audit_events(app, "auth.lockout")) == ATTEMPTS // LOCKOUT_THRESHOLD
