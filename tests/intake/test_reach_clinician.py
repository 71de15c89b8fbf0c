"""A person at risk reaches a clinician today: by asking (EN, ES), or by leaving a risk draft idle.

The idle clock is the `now` passed to `surface_idle_risk_drafts`; no test sleeps.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from screening.clock import as_utc
from screening.database import new_session
from screening.intake.reach import surface_idle_risk_drafts
from screening.models import Submission
from screening.questionnaire_registry import registry
from tests.conftest import csrf_token_from, make_app
from tests.factories import load_submission, resume_token_at
from tests.i18n.conftest import read_page
from tests.intake.test_safety_pathway import (
    RISK,
    SAFE_NOW,
    assert_full_crisis_panel,
    draft_public_id,
    post_phq9,
    reach,
)
from tests.intake.wizard_driver import (
    STEP_PREFIX,
    answer_steps,
    consent_formdata,
    location,
    section_formdata,
)
from tests.portal.test_counts import assert_ledger_matches
from tests.portal.test_notify import body_of, outbox, read_message
from tests.portal_helpers import clinician_client
from tests.questionnaire.factories import clean_answers, contact_first_definition

ASKED = "/screening/contact-today"


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Flask:
    """An app whose definition asks for contact details first, as a clinic may order it: the
    clinic can then be asked to call without a form (the shipped order is tested below)."""
    folder = tmp_path / "definition"
    folder.mkdir()
    definition = contact_first_definition(folder)
    return make_app(tmp_path, database_url, QUESTIONNAIRE_PATH=str(definition))


CONFIRMATION = {
    "en": "We have asked the clinic to contact you today",
    "es": "Le hemos pedido a la clínica que se comunique con usted hoy",
}
BUTTON = {
    "en": "Ask the clinic to contact me today",
    "es": "Pedir a la clínica que me contacte hoy",
}


def one_screening(app: Flask) -> Submission:
    """The only screening in the database, draft or not."""
    return load_submission(app, draft_public_id(app))


def surface_idle(app: Flask, now) -> int:  # type: ignore[no-untyped-def]
    """Run the idle-risk pass as `flask notify escalate` does, at `now`."""
    with app.app_context():
        db = new_session(write=True)
        try:
            blind_index = app.extensions["blind_index"]
            return surface_idle_risk_drafts(db, registry(), app.config, blind_index, now)
        finally:
            db.close()


def test_the_crisis_page_asks_the_clinic_to_call_and_queues_the_screening(app, person):
    client, lang = person
    reach(app, client, "phq9", clean_answers())
    crisis = client.get(location(post_phq9(app, client, "next", **RISK))).data.decode()
    assert f'action="{ASKED}"' in crisis and BUTTON[lang] in crisis
    asked = client.post(ASKED)
    assert location(asked) == ASKED
    page = client.get(ASKED).data.decode()
    assert CONFIRMATION[lang] in read_page(page).text
    assert_full_crisis_panel(page, lang)
    assert f'class="button" href="{STEP_PREFIX}gad7"' in page  # the choice to go on
    screening = one_screening(app)
    assert (screening.state, screening.unfinished) == ("submitted", True)
    assert screening.triage_category == "urgent-safety"
    assert screening.contact and screening.contact["email"]
    [message] = [read_message(path) for path in outbox(app)]
    assert message["Subject"].startswith("URGENT")
    assert screening.contact["name"] not in body_of(message)
    assert_ledger_matches(app)


def test_the_inline_button_sends_the_step_with_its_risk_answer(app, person):
    client, lang = person
    reach(app, client, "phq9", clean_answers())
    shown = client.get(f"{STEP_PREFIX}phq9").data.decode()
    assert 'name="action" value="reach"' in shown and BUTTON[lang] in shown
    asked = post_phq9(app, client, "reach", **RISK, **{"phq9-1": None})  # errors or not
    assert location(asked) == ASKED
    [event] = load_submission(app, draft_public_id(app)).disclosures
    assert event.answers == RISK
    assert one_screening(app).unfinished


def test_the_queue_and_the_record_say_unfinished(app, client):
    reach(app, client, "phq9", clean_answers())
    post_phq9(app, client, "reach", **RISK)
    public_id = draft_public_id(app)
    staff = clinician_client(app)
    queue = read_page(staff.get("/portal/").data).text
    assert "Unfinished" in queue
    record = read_page(staff.get(f"/portal/s/{public_id}").data).text
    assert "Unfinished" in record


def test_finishing_after_asking_completes_the_same_record(app, person):
    client, lang = person
    reach(app, client, "phq9", clean_answers())
    post_phq9(app, client, "reach", **RISK)
    sent_at = one_screening(app).submitted_at
    answers = clean_answers(**RISK, **SAFE_NOW)
    assert answer_steps(app, client, answers, f"{STEP_PREFIX}phq9") == "/screening/review"
    client.get("/screening/review")
    sent = client.post("/screening/review", data=consent_formdata(app))
    assert location(sent) == "/screening/done"
    assert_full_crisis_panel(client.get("/screening/done").data.decode(), lang)
    with app.app_context():
        db = new_session()
        try:
            assert db.scalar(select(func.count()).select_from(Submission)) == 1
        finally:
            db.close()
    screening = one_screening(app)
    assert (screening.state, screening.unfinished) == ("submitted", False)
    assert screening.triage_category == "urgent-safety"
    assert screening.submitted_at == sent_at  # its place in the queue stays
    assert screening.answers["safety-plan"] is False
    assert_ledger_matches(app)


def test_without_a_risk_answer_the_draft_is_not_queued(app, client):
    path = reach(app, client, "phq9", clean_answers())
    assert location(client.post(ASKED)) == path
    assert one_screening(app).state == "draft"
    assert location(client.get(ASKED)) == "/screening/"


@pytest.mark.parametrize("minutes", [60, 0])
def test_an_idle_risk_draft_reaches_the_queue_unless_turned_off(app, client, minutes):
    app.config["RISK_DRAFT_SURFACE_MINUTES"] = minutes
    reach(app, client, "phq9", clean_answers())
    post_phq9(app, client, "save", **RISK)
    idle_since = as_utc(one_screening(app).updated_at)
    assert surface_idle(app, idle_since + timedelta(minutes=59)) == 0
    assert surface_idle(app, idle_since + timedelta(minutes=61)) == (1 if minutes else 0)
    assert surface_idle(app, idle_since + timedelta(minutes=62)) == 0
    screening = one_screening(app)
    if minutes:
        assert (screening.state, screening.unfinished) == ("submitted", True)
        assert screening.triage_category == "urgent-safety"
        assert len(outbox(app)) == 1
        assert_ledger_matches(app)
    else:
        assert screening.state == "draft"


def test_an_idle_draft_without_risk_stays_a_draft(app, client):
    reach(app, client, "phq9", clean_answers())
    post_phq9(app, client, "save")
    idle_since = as_utc(one_screening(app).updated_at)
    assert surface_idle(app, idle_since + timedelta(days=1)) == 0


NOTICE = {
    ("en", 60): "the clinic sees your answers so far after 60 minutes without activity",
    ("es", 60): "la clínica ve sus respuestas hasta ese momento después de 60 minutos",
    ("en", 0): "The clinic does not see an unfinished screening",
    ("es", 0): "La clínica no ve un cuestionario sin terminar",
}


@pytest.mark.parametrize("minutes", [60, 0])
def test_the_intro_and_privacy_notice_say_what_happens_to_an_idle_risk_draft(app, person, minutes):
    client, lang = person
    app.config["RISK_DRAFT_SURFACE_MINUTES"] = minutes
    for path in ("/screening/", "/privacy"):
        text = read_page(client.get(path).data).text
        assert NOTICE[(lang, minutes)] in text, path
        assert NOTICE[(lang, 60 - minutes)] not in text, path


def asking_contact_last(tmp_path: Path, database_url: str, **settings: object) -> Flask:
    """An app on the shipped definition, which asks for name, email and phone last."""
    return make_app(tmp_path, database_url, **settings)


@pytest.fixture
def contact_last_app(tmp_path: Path, database_url: str) -> Flask:
    """An app whose definition asks for name, email and phone last (the shipped one)."""
    return asking_contact_last(tmp_path, database_url)


MISSING_CONTACT = {
    "en": ("Enter an answer.", "Enter a phone number or an email address"),
    "es": ("Escriba una respuesta.", "Escriba un número de teléfono o un correo electrónico"),
}
BAD_PHONE = {"en": "Enter a phone number like", "es": "Escriba un número de teléfono como"}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_without_a_phone_or_email_the_page_asks_for_one_before_queueing(contact_last_app, lang):
    app = contact_last_app
    client = app.test_client()
    client.get(f"/?lang={lang}")
    reach(app, client, "phq9", clean_answers())
    # The inline button and the crisis page's button both lead to the form first.
    assert location(post_phq9(app, client, "reach", **RISK)) == ASKED
    assert location(client.post(ASKED)) == ASKED
    form = client.get(ASKED).data.decode()
    assert_full_crisis_panel(form, lang)
    assert {"full-name", "phone", "email", "details"} <= {
        i.get("name") for i in read_page(form).inputs
    }
    assert one_screening(app).state == "draft"

    empty = client.post(ASKED, data={"details": "1", "full-name": "", "phone": "", "email": ""})
    assert empty.status_code == 200
    html = empty.data.decode()
    name_message, reach_message = MISSING_CONTACT[lang]
    assert name_message in html.split('id="full-name-error"', 1)[1].split("</p>", 1)[0]
    for field in ("phone", "email"):
        assert reach_message in html.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    typed = {"details": "1", "full-name": "Sam Late-Contact", "phone": "555 12", "email": ""}
    wrong = read_page(client.post(ASKED, data=typed).data)
    assert BAD_PHONE[lang] in wrong.text
    assert (wrong.value("full-name"), wrong.value("phone")) == ("Sam Late-Contact", "555 12")
    assert one_screening(app).state == "draft"

    sent = client.post(ASKED, data={**typed, "phone": "(408) 555-0123"})
    assert location(sent) == ASKED
    assert CONFIRMATION[lang] in read_page(client.get(ASKED).data).text
    screening = one_screening(app)
    assert (screening.state, screening.unfinished) == ("submitted", True)
    assert screening.triage_category == "urgent-safety"
    assert screening.contact == {
        "name": "Sam Late-Contact",
        "email": None,
        "phone": "(408) 555-0123",
    }
    # Saved as answers: the wizard's own contact step shows them already filled in.
    assert screening.answers["phone"] == "(408) 555-0123"
    assert len(outbox(app)) == 1


def test_an_expired_form_token_keeps_the_contact_details_typed(tmp_path, database_url):
    app = asking_contact_last(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.get(f"/screening/resume/{resume_token_at(app, 'phq9', clean_answers())}")
    csrf = csrf_token_from(client.get("/screening/resume").data.decode())
    assert location(client.post("/screening/resume", data={"csrf_token": csrf})).endswith("/phq9")
    data = section_formdata(app, "phq9", clean_answers(**RISK))
    data["action"], data["csrf_token"] = "reach", csrf
    assert location(client.post(f"{STEP_PREFIX}phq9", data=data)) == ASKED
    typed = {"details": "1", "full-name": "Sam Expired", "phone": "(408) 555-0199"}
    page = client.post(ASKED, data={**typed, "csrf_token": "expired"})
    assert page.status_code == 200
    shown = read_page(page.data)
    assert (shown.value("full-name"), shown.value("phone")) == ("Sam Expired", "(408) 555-0199")
    assert "press the button again" in shown.text
    assert one_screening(app).state == "draft"
    again = client.post(ASKED, data={**typed, "csrf_token": csrf_token_from(page.data.decode())})
    assert location(again) == ASKED
    assert one_screening(app).unfinished
