"""A burst of sign-ins at production argon2 settings does not hold up a screening being saved.

Measured, not inferred: the hash time on this machine, then a screening write started while
several sign-ins are hashing. Before the hash moved out of the write transaction, on SQLite
the write waited for every sign-in ahead of it (3.4–9.0 s with 6 sign-ins of 1.2 s each on
a loaded 2-core machine); now it waits for none (0.5–0.8 s). Takes a few seconds: scale.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from argon2 import DEFAULT_MEMORY_COST, DEFAULT_PARALLELISM, DEFAULT_TIME_COST

from screening.auth import passwords
from tests.auth.support import LOGIN
from tests.conftest import make_app
from tests.portal_helpers import create_clinician

pytestmark = pytest.mark.scale

SIGN_INS = 6


def test_a_screening_save_does_not_wait_for_a_burst_of_sign_ins(
    tmp_path: Path, database_url: str
) -> None:
    app = make_app(
        tmp_path,
        database_url,
        ARGON2_TIME_COST=DEFAULT_TIME_COST,
        ARGON2_MEMORY_COST=DEFAULT_MEMORY_COST,
        ARGON2_PARALLELISM=DEFAULT_PARALLELISM,
    )
    create_clinician(app)
    with app.app_context():
        stored = passwords.hash_password("a long enough password")
        started = time.perf_counter()
        passwords.verify_password(stored, "another long password")
        hash_seconds = time.perf_counter() - started
    go = threading.Barrier(SIGN_INS + 1)

    def sign_in(number: int) -> None:
        client = app.test_client()
        go.wait()
        client.post(LOGIN, data={"email": "clinician@example.org", "password": f"wrong {number}"})

    burst = [threading.Thread(target=sign_in, args=(n,)) for n in range(SIGN_INS)]
    for thread in burst:
        thread.start()
    go.wait()
    time.sleep(min(hash_seconds / 2, 1.0))  # the sign-ins are hashing now
    started = time.perf_counter()
    response = app.test_client().post("/screening/start")
    save_seconds = time.perf_counter() - started
    for thread in burst:
        thread.join()

    assert response.status_code == 302
    # Waiting behind the sign-ins would take about hash_seconds × SIGN_INS.
    assert save_seconds < hash_seconds * SIGN_INS / 3, (save_seconds, hash_seconds)
