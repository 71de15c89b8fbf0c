"""Staff notifications: a bare "a screening needs review" email, never details about the person."""

from __future__ import annotations

import email
import socket
import time
from email.message import Message
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from screening.database import new_session
from screening.models import Submission, SubmissionState
from screening.notify import notify_new_submission
from tests.factories import URGENT, load_submission, make_submission
from tests.intake.wizard_driver import complete_screening
from tests.questionnaire.factories import clean_answers


def outbox(app: Flask) -> list[Path]:
    """Return the .eml files written in development mode, oldest first."""
    folder = Path(app.instance_path) / "outbox"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def read_message(path: Path) -> Message:
    """Parse an .eml file."""
    return email.message_from_bytes(path.read_bytes())


def body_of(message: Message) -> str:
    """Return the plain-text body."""
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def test_submitting_writes_a_bare_notification_to_the_outbox(app: Flask) -> None:
    answers = clean_answers()
    complete_screening(app, app.test_client(), answers)
    files = outbox(app)
    assert len(files) == 1
    message = read_message(files[0])
    assert message["To"] == app.config["CLINIC_INTAKE_EMAIL"]
    assert message["Subject"] == "New screening to review"
    body = body_of(message)
    assert "needs review" in body
    assert app.config["PUBLIC_BASE_URL"] + "/portal/" in body
    with app.app_context():
        db = new_session()
        submission = db.scalars(select(Submission)).one()
        public_id = submission.public_id
        db.close()
    # Nothing about the person: no name, contact, answer, score, flag or id.
    for secret in (
        "Alex",
        "Rivera",
        "alex.rivera@example.com",
        "0142",
        "Sertraline",
        "depression",
        "phq9",
        "PHQ",
        "eligible",
        public_id,
    ):
        assert secret.lower() not in readable_text(message).lower(), secret


def readable_text(message: Message) -> str:
    """Every header and the body, less the random Message-ID and the Date.

    Those two are machine-made digits, so a check for a phone fragment could
    match them by chance.
    """
    headers = [
        f"{name}: {value}"
        for name, value in message.items()
        if name.lower() not in {"message-id", "date"}
    ]
    return "\n".join(headers) + "\n" + body_of(message)


def test_urgent_screenings_say_urgent_in_the_subject_only(app: Flask) -> None:
    public_id = make_submission(app, **URGENT)
    with app.app_context():
        assert notify_new_submission(load_submission(app, public_id)) is True
    message = read_message(outbox(app)[0])
    assert message["Subject"] == "URGENT: New screening to review"
    raw = outbox(app)[0].read_text(encoding="utf-8")
    for secret in ("safety", "suicid", "self-harm", "phq9-item9", public_id, "Alex"):
        assert secret.lower() not in raw.lower(), secret


def closed_port() -> int:
    """Return a local port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_mail_server_that_is_down_never_breaks_or_holds_up_a_submission(
    app: Flask, caplog
) -> None:  # type: ignore[no-untyped-def]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_USE_TLS=False)
    done = complete_screening(app, app.test_client(), clean_answers())
    assert done.status_code == 200
    with app.app_context():
        db = new_session()
        submitted = db.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.state == SubmissionState.SUBMITTED)
        )
        db.close()
    assert submitted == 1
    assert outbox(app) == []
    failures = [r for r in caplog.records if "notification not sent" in r.getMessage()]
    assert len(failures) == 1
    assert app.config["CLINIC_INTAKE_EMAIL"] not in failures[0].getMessage()


@pytest.mark.scale  # a wall-clock budget: make test-postgres runs it
def test_a_failed_send_returns_quickly(app: Flask) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False)
    public_id = make_submission(app)
    with app.app_context():
        started = time.perf_counter()
        assert notify_new_submission(load_submission(app, public_id)) is False
        assert time.perf_counter() - started <= 5


def test_a_working_smtp_server_receives_the_message(app: Flask, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sent: list[tuple[str, int, float]] = []
    messages: list[Message] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            sent.append((host, port, timeout))

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def starttls(self, context: object) -> None:
            sent.append(("starttls", 0, 0))

        def login(self, user: str, password: str) -> None:
            sent.append(("login", 0, 0))

        def send_message(self, message: Message) -> None:
            messages.append(message)

    monkeypatch.setattr("screening.notify.smtplib.SMTP", FakeSMTP)
    app.config.update(
        MAIL_SERVER="smtp.example.org", MAIL_PORT=587, MAIL_USE_TLS=True, MAIL_USERNAME="u"
    )
    public_id = make_submission(app)
    with app.app_context():
        assert notify_new_submission(load_submission(app, public_id)) is True
    assert sent[0] == ("smtp.example.org", 587, 5.0)
    assert ("starttls", 0, 0) in sent and ("login", 0, 0) in sent
    assert messages[0]["Subject"] == "New screening to review"
    assert outbox(app) == []
