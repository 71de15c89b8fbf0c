"""Every page a client can reach renders in Spanish, with no English interface text left."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.public.content import PAGES
from screening.questionnaire_registry import registry
from tests.i18n.conftest import (
    PageReader,
    answer_remaining_steps,
    read_page,
    squash,
    walk_answers,
)
from tests.i18n.test_definition import OFFICIAL_WORDING_PENDING
from tests.intake.wizard_driver import consent_formdata, location, section_formdata

# Interface phrases that must never reach a Spanish page (matched as whole words).
KNOWN_ENGLISH_UI = (
    "Next",
    "Back",
    "Save and finish later",
    "Save and return to review",
    "Step",
    "Start the screening",
    "I understand",
    "Continue where you left off",
    "Skip to main content",
    "Privacy notice",
    "In crisis?",
    "optional",
    "Anything else?",
    "Send my screening",
    "Check your answers",
    "Continue with the screening",
    "Change",
    "Progress",
    "Language",
    "Main",
    "Yes",
    "Not answered",
    "Return to the home page",
    "What happens next",
    "Your answers are saved",
    "problem to fix",
    "problems to fix",
    "Thank you",
    "Please",
    "not monitored in real time",
    "Press 2 for Spanish",
    "HOME",
    "Enter a",
    "Choose",
    "We could not find that page",
)
PATTERNS = [
    (phrase, re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")) for phrase in KNOWN_ENGLISH_UI
]


def pending_english(app: Flask) -> list[tuple[str, list[str]]]:
    """For each validated text still shown in English: its question, and all its English words."""
    with app.app_context():
        q = registry().current
    shown = []
    for link_id in OFFICIAL_WORDING_PENDING:
        if q.has_item(link_id):
            item = q.item(link_id)
            texts = [item.text.get("en"), *(o.display.get("en") for o in item.options)]
            if item.help is not None and not item.help.has("es"):
                texts.append(item.help.get("en"))
        else:
            section = q.section(link_id)
            texts = [t.get("en") for t in (section.intro, section.notice) if t is not None]
            texts = [t for t in texts if t]
        shown.append((squash(texts[0]), [squash(t) for t in texts]))
    return shown


def english_left(app: Flask, page: PageReader) -> list[str]:
    """The known English interface phrases on a Spanish page (pending instrument text aside)."""
    text = page.text
    for question, texts in pending_english(app):
        if question in text:
            for english in sorted(texts, key=len, reverse=True):
                text = text.replace(english, " ")
    return [phrase for phrase, pattern in PATTERNS if pattern.search(text)]


def assert_spanish(app: Flask, html: bytes, where: str) -> PageReader:
    """The page declares Spanish and shows none of the known English interface phrases."""
    page = read_page(html)
    assert page.html_lang == "es", where
    assert english_left(app, page) == [], where
    return page


@pytest.mark.parametrize("slug", PAGES)
def test_public_page_renders_in_spanish(app: Flask, spanish_client: FlaskClient, slug: str) -> None:
    response = spanish_client.get("/" if slug == "home" else f"/{slug}")
    assert response.status_code == 200
    assert_spanish(app, response.data, slug)


def test_error_page_renders_in_spanish(app: Flask, spanish_client: FlaskClient) -> None:
    response = spanish_client.get("/no-such-page")
    assert response.status_code == 404
    page = assert_spanish(app, response.data, "404")
    assert "No encontramos esa página" in page.text


def walk_in_spanish(app: Flask, client: FlaskClient, answers: dict[str, Any]) -> dict[str, bytes]:
    """Go through the whole screening in Spanish; return every page seen, by name."""
    intro = client.get("/screening/").data
    path, seen = answer_remaining_steps(
        app, client, answers, location(client.post("/screening/start"))
    )
    assert path == "/screening/review", path
    seen["intro"] = intro
    seen["review"] = client.get(path).data
    done = client.post(path, data=consent_formdata(app, "Ana López"))
    assert location(done) == "/screening/done"
    seen["done"] = client.get("/screening/done").data
    return seen


def test_every_wizard_page_renders_in_spanish(app: Flask, spanish_client: FlaskClient) -> None:
    seen = walk_in_spanish(app, spanish_client, walk_answers())
    with app.app_context():
        steps = {s.link_id for s in registry().current.sections if s.link_id != "consent"}
    assert steps <= set(seen), steps - set(seen)
    assert {"intro", "crisis", "review", "done"} <= set(seen)
    for name, html in seen.items():
        assert_spanish(app, html, name)


def test_step_with_errors_renders_in_spanish(app: Flask, spanish_client: FlaskClient) -> None:
    path = location(spanish_client.post("/screening/start"))
    data = section_formdata(app, "about-you", walk_answers(email="no-es-correo", phone="12"))
    page = assert_spanish(app, spanish_client.post(path, data=data).data, "errors")
    assert "Hay 2 problemas que corregir" in page.text
    assert "Escriba un correo electrónico como nombre@ejemplo.com." in page.text
    empty = assert_spanish(app, spanish_client.post(path, data={"action": "next"}).data, "empty")
    assert "Escriba una respuesta." in empty.text and "Elija una respuesta." in empty.text


def test_save_for_later_page_renders_in_spanish(app: Flask, spanish_client: FlaskClient) -> None:
    path = location(spanish_client.post("/screening/start"))
    saved = spanish_client.post(path, data={"action": "save", "full-name": "Ana"})
    assert location(saved) == "/screening/saved"
    page = assert_spanish(app, spanish_client.get("/screening/saved").data, "saved")
    assert "Su enlace para continuar" in page.text


def test_review_shows_dates_the_spanish_way(app: Flask, spanish_client: FlaskClient) -> None:
    seen = walk_in_spanish(app, spanish_client, walk_answers())
    assert "12 de abril de 1988" in read_page(seen["review"]).text


def test_english_only_instrument_texts_are_marked_lang_en_on_spanish_pages(app):
    """Screen readers pronounce the not-yet-translated instrument texts as English."""
    from tests.intake.wizard_driver import section_formdata, start
    from tests.questionnaire.factories import clean_answers

    client = app.test_client()
    client.get("/?lang=es")
    start(client)
    answers = clean_answers()
    for section in ("about-you", "concerns", "treatment-history", "phq9", "gad7", "medical"):
        client.post(f"/screening/step/{section}", data=section_formdata(app, section, answers))
    html = client.get("/screening/step/substance-use").data.decode()
    assert '<span lang="en">' in html
    assert '<label for="auditc-1-1" lang="en">' in html
