"""A screening answered in Spanish reaches the clinician in English, saying which language."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext
from sqlalchemy import select

from screening import i18n
from screening.database import new_session
from screening.models import Submission
from tests.i18n.conftest import answer_remaining_steps, read_page, walk_answers
from tests.intake.wizard_driver import consent_formdata, location, start
from tests.portal_helpers import clinician_client


def submit_in_spanish(app: Flask, client: FlaskClient) -> str:
    """Answer the whole screening in Spanish; return the submission's public id."""
    client.get("/screening/?lang=es")
    path, _seen = answer_remaining_steps(app, client, walk_answers(), start(client))
    assert location(client.post(path, data=consent_formdata(app, "Ana López"))).endswith("/done")
    with app.app_context():
        db = new_session()
        try:
            submission = db.scalars(select(Submission)).one()
            assert submission.language == "es"
            return submission.public_id
        finally:
            db.close()


def test_clinician_reads_english_questions_and_the_language_used(
    app: Flask, client: FlaskClient
) -> None:
    public_id = submit_in_spanish(app, client)
    clinician = clinician_client(app)
    page = read_page(clinician.get(f"/portal/s/{public_id}").data)
    assert page.html_lang == "en"
    assert "Answered in Spanish (español)." in page.text
    assert "Questions and choices are shown in English" in page.text
    assert "How would you like us to contact you?" in page.text
    assert "Feeling nervous, anxious or on edge" in page.text
    assert "Se ha sentido nervioso(a)" not in page.text
    assert "¿Cómo prefiere que nos comuniquemos con usted?" not in page.text
    # A clinician who prefers a Spanish portal still reads the answers in English.
    spanish_chrome = read_page(clinician.get(f"/portal/s/{public_id}?lang=es").data)
    assert spanish_chrome.html_lang == "es"
    assert "Volver a la lista" in spanish_chrome.text
    assert "How would you like us to contact you?" in spanish_chrome.text
    assert "Little interest or pleasure in doing things" in spanish_chrome.text


def test_messages_outside_a_request_use_the_default_language(app: Flask) -> None:
    # CLI commands and background work have no visitor: English, and no request needed.
    with app.app_context():
        assert i18n.select_locale() == "en"
        assert gettext("Next") == "Next"
