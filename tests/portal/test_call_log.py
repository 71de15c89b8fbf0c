"""Logging calls: the form, the timeline, the audit trail, the queue's line and the suggestion
to withdraw after unanswered attempts."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import event, text

from screening import clock
from screening.database import new_session
from screening.portal import service
from tests.factories import audit_events, load_submission, make_submission
from tests.portal_helpers import clinician_client

NNBSP = "\u202f"


def shown(client, path: str) -> str:  # type: ignore[no-untyped-def]
    """Fetch a page as text, tags removed and entities unescaped."""
    return html_lib.unescape(re.sub(r"<[^>]+>", "", client.get(path).get_data(as_text=True)))


def log_call(client, public_id: str, outcome: str, note: str = "", follow_up: str = ""):  # type: ignore[no-untyped-def]
    """Post the "Log a call" form."""
    return client.post(
        f"/portal/s/{public_id}/calls",
        data={"call-outcome": outcome, "call-note": note, "call-next_follow_up_on": follow_up},
    )


def test_a_call_is_in_the_timeline_and_audit_trail_and_its_note_is_encrypted(app: Flask) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    page = client.get(f"/portal/s/{public_id}").get_data(as_text=True)
    assert 'action="/portal/s/' + public_id + '/calls"' in page
    assert '<option value="left-voicemail">Left voicemail</option>' in page
    note = "Rang at 5; they asked for a call after work"
    response = log_call(client, public_id, "no-answer", note, "2026-12-02")
    assert response.headers["Location"].endswith(f"/portal/s/{public_id}#notes")
    assert load_submission(app, public_id).follow_up_on == date(2026, 12, 2)
    for path in (f"/portal/s/{public_id}", f"/portal/s/{public_id}/print"):
        text_shown = shown(client, path)
        assert "Call: No answer" in text_shown and note in text_shown
        assert "Next follow-up: 2026-12-02" in text_shown
    [logged] = audit_events(app, "submission.call-logged")
    assert logged.detail["outcome"] == "no-answer" and set(logged.detail) == {"attempt", "outcome"}
    assert [e.detail for e in audit_events(app, "submission.follow-up-set")] == [
        {"from": None, "to": "2026-12-02"}
    ]
    with app.app_context():
        db = new_session()
        stored = db.execute(text("SELECT note FROM call_attempts")).scalars().all()
        details = db.execute(text("SELECT detail FROM audit_events")).scalars().all()
        db.close()
    assert stored[0].startswith("gAAAA") and "work" not in stored[0]
    assert all("work" not in str(detail) for detail in details)


def test_a_call_without_an_outcome_is_refused_next_to_the_field_keeping_the_note(
    app: Flask,
) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    for outcome, message in (("", "Choose how the call went."), ("hung-up", "Not a valid choice.")):
        response = log_call(client, public_id, outcome, "Tried the mobile")
        assert response.status_code == 400
        page = html_lib.unescape(response.get_data(as_text=True))
        assert 'aria-describedby="call-outcome-error"' in page and message in page
        assert "Tried the mobile</textarea>" in page
    assert audit_events(app, "submission.call-logged") == []


def test_the_queue_says_how_many_attempts_and_the_last_in_one_query(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    called = make_submission(app)
    make_submission(app)  # nobody called this one
    client = clinician_client(app)
    # Two calls, the last at 4:10 PM (PDT) on 31 October; now is 1 November 4:30 PM (PST).
    for moment, outcome in (
        (datetime(2026, 10, 30, 18, 0, tzinfo=UTC), "left-voicemail"),
        (datetime(2026, 10, 31, 23, 10, tzinfo=UTC), "no-answer"),
    ):
        monkeypatch.setattr(service, "utcnow", lambda moment=moment: moment)
        log_call(client, called, outcome)
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 11, 2, 0, 30, tzinfo=UTC))
    statements: list[str] = []
    engine = app.extensions["db_engine"]
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        queue = shown(client, "/portal/")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert f"2 attempts, last: no answer, yesterday 4:10{NNBSP}PM" in queue
    assert queue.count("attempt") == 1  # the screening nobody called says nothing
    # The rows' attempts in one read (the urgent "no call logged" check only asks whether one
    # exists, in the query of its own rows).
    assert len([sql for sql in statements if sql.startswith("SELECT call_attempts.")]) == 1
    spanish = shown(client, "/portal/?lang=es")
    assert "2 intentos, último: sin respuesta, ayer 16:10" in spanish


def test_after_three_unanswered_attempts_the_page_suggests_withdrawn(app: Flask) -> None:
    public_id = make_submission(app)
    client = clinician_client(app)
    suggestion = 'Consider closing this screening as "Withdrawn – could not reach".'
    for outcome in ("no-answer", "left-voicemail"):
        log_call(client, public_id, outcome)
    assert suggestion not in shown(client, f"/portal/s/{public_id}")
    log_call(client, public_id, "text-sent")
    page = shown(client, f"/portal/s/{public_id}")
    assert "3 attempts in a row have not reached them." in page and suggestion in page
    # Reaching them starts the count again.
    log_call(client, public_id, "reached")
    assert suggestion not in shown(client, f"/portal/s/{public_id}")
    for _ in range(3):
        log_call(client, public_id, "wrong-number")
    assert suggestion in shown(client, f"/portal/s/{public_id}")
    client.post(f"/portal/s/{public_id}/status", data={"status-status": "withdrawn"})
    assert load_submission(app, public_id).status == "withdrawn"
    assert suggestion not in shown(client, f"/portal/s/{public_id}")
    assert [e.detail["outcome"] for e in audit_events(app, "submission.call-logged")] == [
        "no-answer",
        "left-voicemail",
        "text-sent",
        "reached",
        *["wrong-number"] * 3,
    ]
