"""The safety pathway in the wizard: disclosures are kept, and every exit shows help (EN, ES)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.database import new_session
from screening.models import Submission
from tests.factories import load_submission
from tests.i18n.conftest import read_page
from tests.intake.wizard_driver import (
    STEP_PREFIX,
    answer_steps,
    complete_screening,
    consent_formdata,
    location,
    open_resume_link,
    resume_from,
    resume_link_in,
    section_formdata,
    start,
)
from tests.questionnaire.factories import clean_answers

RISK = {"phq9-9": "LA6569-3"}
# The safety step's answers, none of them a risk answer (the step follows a PHQ-9 item 9 > 0).
SAFE_NOW = {
    "safety-thoughts-now": False,
    "safety-plan": False,
    "safety-attempt": "never",
    "safety-safe-now": True,
}
# What the crisis panel says in each language, beside its tappable links.
PANEL_TEXT = {
    "en": ("This form is not monitored in real time.", "HOME"),
    "es": ("Nadie revisa este formulario en tiempo real.", "AYUDA"),
}
LINKS = ('href="tel:988"', 'href="sms:741741"', 'href="tel:911"')


def assert_full_crisis_panel(html: str, lang: str) -> None:
    """Every crisis resource, as links a phone can tap, in the page's language."""
    page = read_page(html)
    assert page.html_lang == lang
    for link in LINKS:
        assert link in html, link
    for words in PANEL_TEXT[lang]:
        assert words in page.text, words


def reach(app: Flask, client: FlaskClient, section_id: str, answers: dict[str, Any]) -> str:
    """Answer every step before `section_id`; return its address."""
    path = start(client)
    while not path.endswith(f"/{section_id}"):
        step = path.removeprefix(STEP_PREFIX)
        path = location(client.post(path, data=section_formdata(app, step, answers)))
    return path


def post_phq9(app: Flask, client: FlaskClient, action: str, **answers: Any) -> Any:
    """Send the PHQ-9 page with these answers and button."""
    data = section_formdata(app, "phq9", clean_answers(**answers))
    data["action"] = action
    return client.post(f"{STEP_PREFIX}phq9", data=data)


def draft_public_id(app: Flask) -> str:
    """The public id of the only screening in the database."""
    with app.app_context():
        db = new_session()
        try:
            return db.scalars(select(Submission.public_id)).one()
        finally:
            db.close()


def test_back_after_a_risk_answer_passes_through_the_crisis_resources(app, person):
    client, lang = person
    reach(app, client, "phq9", clean_answers())
    back = post_phq9(app, client, "back", **RISK)
    assert location(back) == f"{STEP_PREFIX}treatment-history"
    page = client.get(location(back)).data.decode()
    assert_full_crisis_panel(page, lang)
    assert "/screening/step/treatment-history/continue" in page
    assert location(client.post(f"{STEP_PREFIX}treatment-history/continue")).endswith(
        "/treatment-history"
    )


def test_save_for_later_after_a_risk_answer_shows_the_crisis_resources(app, person):
    client, lang = person
    reach(app, client, "phq9", clean_answers())
    saved = post_phq9(app, client, "save", **RISK)
    assert location(saved) == "/screening/saved"
    page = client.get("/screening/saved").data.decode()
    assert_full_crisis_panel(page, lang)
    assert resume_link_in(page)


def test_save_for_later_with_errors_still_shows_help_and_records_the_disclosure(app, person):
    client, lang = person
    reach(app, client, "phq9", clean_answers())
    saved = post_phq9(app, client, "save", **RISK, **{"phq9-1": None})
    assert location(saved) == "/screening/saved"
    assert_full_crisis_panel(client.get("/screening/saved").data.decode(), lang)
    [event] = load_submission(app, draft_public_id(app)).disclosures
    assert (event.section, event.answers) == ("phq9", RISK)


def test_save_for_later_without_risk_shows_no_crisis_panel(app, client):
    reach(app, client, "phq9", clean_answers())
    post_phq9(app, client, "save")
    page = client.get("/screening/saved").data.decode()
    assert 'href="sms:741741"' not in page


def test_the_resume_page_shows_help_and_a_resumed_disclosure_shows_it_again(app, person):
    client, lang = person
    reach(app, client, "phq9", clean_answers())
    post_phq9(app, client, "save", **RISK)
    link = resume_link_in(client.get("/screening/saved").data.decode())
    other = client.application.test_client()
    other.get(f"/?lang={lang}")
    assert_full_crisis_panel(open_resume_link(other, link).data.decode(), lang)
    continued = resume_from(other, link)
    first = other.get(location(continued)).data.decode()
    assert_full_crisis_panel(first, lang)
    assert "/continue" in first  # the crisis page, before any question


def test_a_page_shown_again_with_errors_shows_the_panel_without_javascript(app, person):
    client, lang = person
    reach(app, client, "phq9", clean_answers())
    page = post_phq9(app, client, "next", **RISK, **{"phq9-1": None})
    assert page.status_code == 200
    html = page.data.decode()
    panel_tag = html[html.index('id="crisis-phq9-9"') :].split(">", 1)[0]
    assert "hidden" not in panel_tag
    assert_full_crisis_panel(html, lang)
    [event] = load_submission(app, draft_public_id(app)).disclosures
    assert event.answers == RISK


def test_a_disclosure_survives_a_changed_answer_and_flags_the_screening(app, client):
    reach(app, client, "phq9", clean_answers())
    assert location(post_phq9(app, client, "next", **RISK)).endswith("/gad7")
    client.post(f"{STEP_PREFIX}gad7/continue")
    # Back to the PHQ-9, and the risk answer taken back before sending.
    assert location(post_phq9(app, client, "next")).endswith("/gad7")
    done = answer_steps(app, client, clean_answers(), f"{STEP_PREFIX}gad7")
    assert done == "/screening/review"
    assert location(client.post(done, data=consent_formdata(app))) == "/screening/done"
    public_id = draft_public_id(app)
    [event] = load_submission(app, public_id).disclosures
    assert (event.section, event.answers) == ("phq9", RISK)
    submission = load_submission(app, public_id)
    assert submission.answers["phq9-9"] == "LA6568-5"
    assert submission.triage_category == "urgent-safety"
    flag = next(f for f in submission.flags if f["id"] == "risk-answer-changed")
    assert flag["evidence"] == [{"linkId": "phq9-9", "answer": "LA6569-3"}]
    # Having disclosed, the person is not promised days: help comes first.
    assert "What happens today" in client.get("/screening/done").data.decode()


def test_a_second_risk_answer_is_a_second_event_and_a_repeat_is_not(app, client):
    reach(app, client, "phq9", clean_answers())
    post_phq9(app, client, "back", **RISK)
    client.post(f"{STEP_PREFIX}treatment-history/continue")
    post_phq9(app, client, "save", **RISK)
    client.post(f"{STEP_PREFIX}phq9/continue")
    post_phq9(app, client, "save", **{"phq9-9": "LA6571-9"})
    events = load_submission(app, draft_public_id(app)).disclosures
    assert [event.answers for event in events] == [RISK, {"phq9-9": "LA6571-9"}]
    assert events[0].disclosed_at <= events[1].disclosed_at


def test_the_done_page_after_a_disclosure_says_what_happens_today(app, person):
    client, lang = person
    done = complete_screening(app, client, clean_answers(**RISK, **SAFE_NOW)).data.decode()
    assert_full_crisis_panel(done, lang)
    text = read_page(done).text
    if lang == "en":
        assert "What happens today" in text
        assert "usually within" not in text
    else:
        assert "Qué pasa hoy" in text
        assert "normalmente en" not in text


def test_the_done_page_without_risk_keeps_the_usual_promise(app, person):
    client, lang = person
    done = read_page(complete_screening(app, client, clean_answers()).data).text
    assert ("usually within 3 business days" if lang == "en" else "3 días hábiles") in done


def test_a_risk_answer_changed_from_review_shows_help_before_review(app, client):
    answers = clean_answers(**RISK, **SAFE_NOW)
    assert answer_steps(app, client, answers, start(client)) == "/screening/review"
    data = section_formdata(app, "safety", {**answers, "safety-plan": True})
    changed = client.post(f"{STEP_PREFIX}safety?return=review", data=data)
    assert location(changed) == "/screening/review"
    review = client.get("/screening/review").data.decode()
    assert "/screening/review/continue" in review
    assert_full_crisis_panel(review, "en")
    assert location(client.post("/screening/review/continue")) == "/screening/review"
    assert b'id="review-form"' in client.get("/screening/review").data
