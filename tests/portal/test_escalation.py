"""Escalation: an urgent screening no clinician opened in time reaches the on-call address once.

The clock is the `now` passed to `escalate_unopened`; the webhook is a real HTTP server on
loopback, started by the test.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from flask import Flask

from screening import create_app
from screening.config import ConfigError, escalation_problems
from screening.database import new_session
from screening.escalation import escalate_unopened
from screening.portal.views import portal_duration
from tests.app.test_app import _production_env
from tests.factories import (
    NEEDS_REVIEW,
    URGENT,
    at,
    audit_events,
    load_submission,
    make_submission,
)
from tests.portal.test_notify import body_of, outbox, read_message
from tests.portal_helpers import clinician_client

ON_CALL = "on-call@example.org"
SENT = at(20, 9)


@pytest.fixture
def on_call_app(app: Flask) -> Flask:
    """The app with an on-call address and the default 30 minutes."""
    app.config["URGENT_ESCALATION_EMAIL"] = ON_CALL
    return app


def escalate(app: Flask, now: datetime) -> int:
    """Run one escalation pass as the command does, at `now`."""
    with app.app_context():
        db = new_session(write=True)
        try:
            return escalate_unopened(db, app.config, now)
        finally:
            db.close()


def escalation_emails(app: Flask) -> list[Any]:
    """The emails written to the outbox for the on-call address."""
    return [m for m in map(read_message, outbox(app)) if m["To"] == ON_CALL]


class Webhook(BaseHTTPRequestHandler):
    """Collects the JSON bodies posted to it; answers 200, or 500 when told to fail."""

    received: list[dict[str, Any]]
    fail = False

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(
            {"type": self.headers["Content-Type"], "body": json.loads(self.rfile.read(length))}
        )
        self.send_response(500 if self.fail else 200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def webhook() -> Iterator[tuple[str, type[Webhook]]]:
    """A real incoming-webhook server on loopback; yields its URL and the handler class."""
    handler = type("Handler", (Webhook,), {"received": [], "fail": False})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_an_unopened_urgent_screening_is_escalated_once_after_the_wait(on_call_app):
    public_id = make_submission(on_call_app, submitted_at=SENT, **URGENT)
    make_submission(on_call_app, submitted_at=SENT, **NEEDS_REVIEW)
    assert escalate(on_call_app, SENT + timedelta(minutes=29)) == 0
    assert escalation_emails(on_call_app) == []
    now = SENT + timedelta(minutes=30)
    assert escalate(on_call_app, now) == 1
    [message] = escalation_emails(on_call_app)
    assert message["Subject"] == "URGENT: a screening is waiting for a clinician"
    body = body_of(message)
    assert "30 minutes" in body
    assert "http://localhost/portal/?category=urgent-safety&status=open" in body
    for secret in (public_id, "Alex", "Rivera", "alex@example.org", "PHQ"):
        assert secret not in body
    assert load_submission(on_call_app, public_id).escalated_at is not None
    [event] = audit_events(on_call_app, "submission.escalated")
    assert event.detail == {"after": 30}
    # Once: later runs leave it alone.
    assert escalate(on_call_app, now + timedelta(minutes=5)) == 0
    assert len(escalation_emails(on_call_app)) == 1


def test_a_screening_a_clinician_opened_is_not_escalated(on_call_app):
    public_id = make_submission(on_call_app, submitted_at=SENT, **URGENT)
    client = clinician_client(on_call_app)
    assert client.get(f"/portal/s/{public_id}").status_code == 200
    opened = load_submission(on_call_app, public_id)
    assert opened.first_opened_at is not None and opened.first_opened_by_id is not None
    assert escalate(on_call_app, datetime.now(opened.first_opened_at.tzinfo) + timedelta(1)) == 0
    assert escalation_emails(on_call_app) == []


def test_the_webhook_gets_a_link_and_nothing_about_the_person(on_call_app, webhook):
    url, handler = webhook
    on_call_app.config["URGENT_WEBHOOK_URL"] = url
    first = make_submission(on_call_app, submitted_at=SENT, **URGENT)
    second = make_submission(on_call_app, submitted_at=SENT + timedelta(minutes=1), **URGENT)
    assert escalate(on_call_app, SENT + timedelta(minutes=45)) == 2
    [posted] = handler.received
    assert posted["type"] == "application/json"
    assert set(posted["body"]) == {"text"}
    text = posted["body"]["text"]
    assert text.startswith("2 urgent screenings have not been opened")
    assert "http://localhost/portal/?category=urgent-safety&status=open" in text
    for secret in (first, second, "Alex", "Rivera"):
        assert secret not in text
    assert len(escalation_emails(on_call_app)) == 1


def test_nothing_delivered_means_the_next_run_tries_again(app, webhook):
    url, handler = webhook
    handler.fail = True
    app.config["URGENT_WEBHOOK_URL"] = url  # and no on-call email
    public_id = make_submission(app, submitted_at=SENT, **URGENT)
    now = SENT + timedelta(minutes=31)
    assert escalate(app, now) == 0
    assert load_submission(app, public_id).escalated_at is None
    handler.fail = False
    assert escalate(app, now + timedelta(minutes=1)) == 1
    assert len(handler.received) == 2
    assert load_submission(app, public_id).escalated_at is not None


def test_the_escalation_wait_is_a_setting(on_call_app):
    on_call_app.config["URGENT_ESCALATION_MINUTES"] = 5
    make_submission(on_call_app, submitted_at=SENT, **URGENT)
    assert escalate(on_call_app, SENT + timedelta(minutes=5)) == 1
    assert "5 minutes" in body_of(escalation_emails(on_call_app)[0])


def test_the_command_escalates_what_waited_too_long(on_call_app):
    make_submission(on_call_app, submitted_at=SENT, **URGENT)
    result = on_call_app.test_cli_runner().invoke(args=["notify", "escalate"])
    assert result.exit_code == 0, result.output
    assert "Escalated 1 urgent screening(s)." in result.output
    again = on_call_app.test_cli_runner().invoke(args=["notify", "escalate"])
    assert again.exit_code == 0 and again.output == ""


def test_production_needs_an_on_call_address_and_an_https_webhook():
    assert escalation_problems({"URGENT_ESCALATION_EMAIL": ON_CALL}) == []
    [missing] = escalation_problems({})
    assert "URGENT_ESCALATION_EMAIL" in missing
    [plain] = escalation_problems(
        {"URGENT_ESCALATION_EMAIL": ON_CALL, "URGENT_WEBHOOK_URL": "http://hooks.example.org"}
    )
    assert "https://" in plain


def test_production_refuses_to_start_without_an_on_call_address(monkeypatch, tmp_path):
    _production_env(monkeypatch, tmp_path)
    monkeypatch.delenv("URGENT_ESCALATION_EMAIL")
    with pytest.raises(ConfigError, match="URGENT_ESCALATION_EMAIL"):
        create_app()


def test_the_queue_shows_how_long_urgent_screenings_waited_and_who_opened_them(on_call_app):
    make_submission(on_call_app, submitted_at=SENT, **URGENT)
    opened = make_submission(on_call_app, submitted_at=SENT, **URGENT)
    make_submission(on_call_app, submitted_at=SENT, **NEEDS_REVIEW)
    client = clinician_client(on_call_app)
    client.get(f"/portal/s/{opened}")
    page = client.get("/portal/").get_data(as_text=True)
    # SENT is days ago on the real clock: waits are said in days and hours.
    assert len(re.findall(r"Not opened yet: waiting \d+ d \d+ h", page)) == 1
    assert re.search(r"Opened by Casey Clinician \d+ after \d+ d \d+ h", page)
    assert page.count('class="waited"') == 2  # urgent rows only
    submission_page = client.get(f"/portal/s/{opened}").get_data(as_text=True)
    assert re.search(
        r"First opened by Casey Clinician \d+, <time datetime=\"20\d\d-", submission_page
    )


def test_durations_read_to_the_minute(app):
    with app.test_request_context():
        assert portal_duration(timedelta(minutes=42, seconds=59)) == "42 min"
        assert portal_duration(timedelta(hours=2, minutes=5)) == "2 h 5 min"
        assert portal_duration(timedelta(days=3, hours=4, minutes=59)) == "3 d 4 h"
