"""A clinician's follow-ups as an iCalendar feed: a secret address made on their account page
(shown once, kept hashed, replaceable and revocable), read without signing in, carrying only
"Follow-up call", the date and a link; every fetch audited without the token; rate-limited."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import text

from screening import clock
from screening.database import new_session
from screening.security.crypto import token_digest
from tests.conftest import make_app
from tests.factories import URGENT, audit_events, make_submission, update_submission
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, sign_in

# 4:30 PM on Sunday 1 November 2026 in Gilroy; UTC already says 2 November.
NOW = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
FEED_URL = re.compile(r"http://localhost(/portal/calendar/([A-Za-z0-9_-]+)\.ics)")


def clinician(app: Flask, email: str = "casey@example.org") -> tuple[int, FlaskClient]:
    """Create and sign in a clinician; return their id and client."""
    clinician_id, secret = create_clinician(app, email=email, name="Casey Clinician")
    client = app.test_client()
    sign_in(client, email, DEFAULT_PASSWORD, secret)
    return clinician_id, client


def make_feed(client: FlaskClient) -> tuple[str, str]:
    """Press the account page's button; return the feed's path and token shown."""
    page = client.post("/portal/account/calendar").get_data(as_text=True)
    found = FEED_URL.search(page)
    assert found, page
    return found.group(1), found.group(2)


def test_the_address_is_shown_once_and_only_its_hash_is_kept(app: Flask) -> None:
    clinician_id, client = clinician(app)
    assert "Your calendar feed is off." in client.get("/portal/account").get_data(as_text=True)
    _path, token = make_feed(client)
    again = client.get("/portal/account").get_data(as_text=True)
    assert token not in again and "Your calendar feed is on." in again
    with app.app_context():
        db = new_session()
        stored = db.execute(text("SELECT clinician_id, token_hash FROM calendar_feeds")).all()
        db.close()
    assert stored == [(clinician_id, token_digest(token))]
    [created] = audit_events(app, "calendar-feed.created")
    assert created.actor_id == clinician_id and token not in str(created.detail)


def test_the_feed_lists_my_follow_ups_with_nothing_about_anyone(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "utcnow", lambda: NOW)
    me, client = clinician(app)
    other, _ = clinician(app, "other@example.org")
    urgent = make_submission(app, full_name="Jordan Urgent-Example", **URGENT)
    routine = make_submission(app, full_name="Robin Routine-Example")
    finished = make_submission(app)
    theirs = make_submission(app)
    update_submission(app, urgent, assignee_id=me, follow_up_on=date(2026, 11, 1))
    update_submission(app, routine, assignee_id=me, follow_up_on=date(2026, 11, 3))
    update_submission(
        app, finished, assignee_id=me, follow_up_on=date(2026, 11, 2), status="closed"
    )
    update_submission(app, theirs, assignee_id=other, follow_up_on=date(2026, 11, 2))
    path, _token = make_feed(client)

    response = app.test_client().get(path)  # a calendar app: no cookie
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    body = response.get_data(as_text=True)
    events = Calendar.from_ical(body).walk("VEVENT")
    assert [(e.decoded("dtstart"), str(e["url"])) for e in events] == [
        (date(2026, 11, 1), f"http://localhost/portal/s/{urgent}"),
        (date(2026, 11, 3), f"http://localhost/portal/s/{routine}"),
    ]
    assert {str(e["summary"]) for e in events} == {"Follow-up call"}
    # One event per screening whatever its date, named after the public address's host.
    assert [str(e["uid"]) for e in events] == [
        f"follow-up-{urgent}@localhost",
        f"follow-up-{routine}@localhost",
    ]
    assert "X-WR-TIMEZONE:America/Los_Angeles" in body
    # Nothing about the people: no name, email, phone, category, status or score.
    for leak in (
        "Jordan",
        "Urgent",
        "urgent",
        "Robin",
        "@example",
        "555",
        "safety",
        "PHQ",
        "new",
        "review",
    ):
        assert leak not in body, leak


def test_a_new_address_replaces_the_old_and_turning_off_stops_it(app: Flask) -> None:
    _, client = clinician(app)
    first, _ = make_feed(client)
    second, _ = make_feed(client)
    reader = app.test_client()
    assert reader.get(first).status_code == 404
    assert reader.get(second).status_code == 200
    assert len(audit_events(app, "calendar-feed.regenerated")) == 1
    response = client.post("/portal/account/calendar/revoke")
    assert response.headers["Location"].endswith("/portal/account")
    assert reader.get(second).status_code == 404
    assert len(audit_events(app, "calendar-feed.revoked")) == 1


def test_every_fetch_is_audited_and_logged_without_the_token(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    clinician_id, client = clinician(app)
    path, token = make_feed(client)
    reader = app.test_client()
    with caplog.at_level(logging.INFO):
        assert reader.get(path).status_code == 200
        assert reader.get("/portal/calendar/not-a-real-token-at-all.ics").status_code == 404
    fetched = audit_events(app, "calendar-feed.fetched")
    assert [(e.actor_id, e.outcome) for e in fetched] == [
        (clinician_id, "success"),
        (None, "denied"),
    ]
    with app.app_context():
        db = new_session()
        rows = db.execute(text("SELECT * FROM audit_events")).all()
        db.close()
    assert token not in repr(rows) and token_digest(token) not in repr(rows)
    assert token not in caplog.text
    assert "Last read by a calendar" in client.get("/portal/account").get_data(as_text=True)


def test_a_deactivated_clinicians_feed_stops(app: Flask) -> None:
    clinician_id, client = clinician(app)
    path, _ = make_feed(client)
    with app.app_context():
        db = new_session(write=True)
        db.execute(
            text("UPDATE clinicians SET active = false WHERE id = :id"), {"id": clinician_id}
        )
        db.commit()
        db.close()
    assert app.test_client().get(path).status_code == 404


def test_the_feed_is_rate_limited(tmp_path: Path, database_url: str) -> None:
    limited = make_app(
        tmp_path, database_url, RATELIMIT_ENABLED=True, RATELIMIT_CALENDAR_FEED="3 per hour"
    )
    try:
        _, client = clinician(limited)
        path, _ = make_feed(client)
        reader = limited.test_client()
        assert [reader.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
        # Guessing tokens counts against the same limit.
        assert reader.get("/portal/calendar/guess.ics").status_code == 429
    finally:
        limited.extensions["db_engine"].dispose()
