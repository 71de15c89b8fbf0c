"""PostgreSQL stops in the middle of someone's screening (PostgreSQL suite only).

The person posting a step must get a 503 page in the site's layout that shows a reference id
and everything they just typed; /healthz must say 503; once the server is back the same
draft continues with nothing saved earlier lost. PostgreSQL is restarted in a `finally`, so a
failing test never leaves the machine without its database. (The SQLite outage is covered by
tests/intake/test_outage.py.)
"""

from __future__ import annotations

import shutil
import subprocess

import httpx
import pytest
from sqlalchemy import select

from screening.database import new_session
from screening.models import Submission, SubmissionState
from tests.intake.wizard_driver import section_formdata
from tests.questionnaire.factories import clean_answers
from tests.scale.conftest import on_postgres
from tests.scale.live import HttpPerson, path_of, pg_ctlcluster, require_service, wait_for

pytestmark = [pytest.mark.scale, pytest.mark.postgres]

GOALS = "Sleep through the night & feel <safe> again"


def postgres_ready() -> bool:
    """Whether the server accepts connections again."""
    result = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"], check=False, timeout=10
    )
    return result.returncode == 0


def test_postgres_down_mid_screening_shows_503_with_answers_then_the_draft_continues(
    live_app, start_servers, database_url
):
    if not on_postgres(database_url):
        pytest.skip("stops the PostgreSQL server: runs in make test-postgres")
    require_service(bool(shutil.which("pg_ctlcluster")), "pg_ctlcluster (Debian PostgreSQL)")
    (server,) = start_servers(1, settings={"RATELIMIT_ENABLED": False}, MIN_FILL_SECONDS="0")
    answers = clean_answers(full_name="Dana Outage", goals=GOALS)
    person = HttpPerson(live_app, server.url)
    try:
        # The draft exists before the outage (the first step is what brings them here).
        assert person.start() == "/screening/step/concerns"
        assert person.get("/screening/step/concerns").status_code == 200
        concerns = section_formdata(live_app, "concerns", answers)

        pg_ctlcluster("stop", "-m", "fast")
        try:
            page = person.post("/screening/step/concerns", concerns)
            health = httpx.get(server.url + "/healthz", timeout=10)
        finally:
            pg_ctlcluster("start")
            wait_for(postgres_ready, 60, "PostgreSQL to accept connections")

        assert page.status_code == 503
        html = page.text
        assert "Sleep through the night &amp; feel &lt;safe&gt; again" in html  # typed, shown back
        assert "Reference:" in html and "press Next again" in html
        assert "In crisis? Call or text 988" in html  # the site layout, not a bare error
        assert health.status_code == 503 and health.json()["database"] == "unreachable"

        wait_for(
            lambda: httpx.get(server.url + "/healthz", timeout=10).status_code == 200,
            30,
            "/healthz to recover",
        )
        # The same draft: the step posted during the outage is simply posted again.
        assert path_of(person.post("/screening/step/concerns", concerns)) == (
            "/screening/step/treatment-history"
        )
        shown_again = person.get("/screening/step/concerns").text
        assert "Sleep through the night &amp; feel &lt;safe&gt; again" in shown_again
        path = person.answer_steps(answers, "/screening/step/treatment-history")
        assert path == "/screening/review"
        assert path_of(person.submit("Dana Outage")) == "/screening/done"
    finally:
        person.close()

    with live_app.app_context():
        db = new_session()
        try:
            rows = db.scalars(select(Submission)).all()
            assert [row.state for row in rows] == [SubmissionState.SUBMITTED]
            assert rows[0].answers["full-name"] == "Dana Outage"
            assert rows[0].answers["goals"] == GOALS
        finally:
            db.close()
    assert "unhandled error" not in server.log_text()
