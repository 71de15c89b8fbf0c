"""No health information in logs, emails or URLs, with logging turned up to DEBUG."""

from __future__ import annotations

import logging
from pathlib import Path

from screening.logging_setup import RedactTokens
from tests.intake.wizard_driver import (
    answer_steps,
    consent_formdata,
    location,
    resume_from,
    resume_link_in,
    start,
)
from tests.portal_helpers import admin_client
from tests.questionnaire.factories import clean_answers

SECRETS = {
    "name": "Quentin Marigold-Sayre",
    "email": "quentin.marigold@example.net",
    "phone": "(408) 555-0177",
    "goals": "Hoping to stop the night terrors about the flood",
    "medications": "Sertraline 150 mg and clonazepam",
}


def leaks(text: str) -> list[str]:
    """Return which secrets appear in a piece of text."""
    return [label for label, value in SECRETS.items() if value.lower() in text.lower()]


def test_full_journey_leaves_no_health_information_in_logs_or_outbox(app, caplog):
    caplog.set_level(logging.DEBUG)
    answers = clean_answers(
        full_name=SECRETS["name"],
        email=SECRETS["email"],
        phone=SECRETS["phone"],
        goals=SECRETS["goals"],
        current_medications=SECRETS["medications"],
        **{
            "phq9-9": "LA6569-3",
            "safety-thoughts-now": False,
            "safety-plan": False,
            "safety-safe-now": True,
        },
    )
    person = app.test_client()
    first = start(person)
    data_save = {"action": "save"}
    person.post(first, data=data_save)
    resume_page = person.get("/screening/saved").data.decode()
    resume_link = resume_link_in(resume_page)
    resume_token = resume_link.rsplit("/", 1)[-1].split("?")[0]
    assert location(resume_from(person, resume_link)).startswith("/screening/step/")
    path = answer_steps(app, person, answers, first)
    assert location(person.post(path, data=consent_formdata(app, SECRETS["name"]))) == (
        "/screening/done"
    )

    staff = admin_client(app)
    queue = staff.get("/portal/").data.decode()
    public_id = queue.split('href="/portal/s/')[1].split('"')[0]
    staff.get(f"/portal/s/{public_id}")
    staff.post(f"/portal/s/{public_id}/notes", data={"body": "Called; " + SECRETS["goals"]})
    staff.post(f"/portal/s/{public_id}/status", data={"status": "in-review"})
    staff.get(f"/portal/s/{public_id}/fhir").get_data()
    staff.get("/portal/export.csv").get_data()

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "nothing was logged at all"
    assert leaks(logged) == []
    assert resume_token not in logged
    outbox = Path(app.instance_path) / "outbox"
    mails = [p.read_text(encoding="utf-8", errors="replace") for p in outbox.glob("*")]
    assert mails, "no staff notification was written"
    for mail in mails:
        assert leaks(mail) == []
        assert public_id not in mail


def test_access_log_lines_lose_resume_tokens():
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '127.0.0.1 - - "GET /screening/resume/%s HTTP/1.1" 302 -',
        ("abcDEF123_-token",),
        None,
    )
    RedactTokens().filter(record)
    assert "abcDEF123_-token" not in record.getMessage()
    assert "/resume/[redacted]" in record.getMessage()
