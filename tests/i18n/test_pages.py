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
from tests.intake.wizard_driver import consent_formdata, location, section_formdata, start_at

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
    "Something else? Tell us here",
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
    path = start_at(app, spanish_client, walk_answers())  # contact details come last
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


def test_instruments_are_in_spanish_and_fallbacks_are_marked_lang_en(app):
    """AUDIT-C and PC-PTSD-5 show Spanish; a text without Spanish is still marked as English."""
    from dataclasses import replace

    from werkzeug.datastructures import MultiDict

    from screening.intake.forms import build_section_form
    from screening.presenters import question_views
    from screening.questionnaire.model import LocalizedText
    from tests.intake.test_forms import DAY
    from tests.intake.test_question_macro import macro_html, views_for

    with app.test_request_context("/?lang=es"):
        for section_id, spanish in (
            ("substance-use", "¿Con qué frecuencia consume alguna bebida alcohólica?"),
            ("pcptsd5", "¿Alguna vez ha vivido este tipo de evento?"),
        ):
            html = macro_html(views_for(section_id, "es", MultiDict()))
            assert spanish in html and 'lang="en"' not in html, section_id
        # A clinic's own definition may still have an English-only question.
        section = registry().current.section("concerns")
        english_only = replace(section.items[0], text=LocalizedText.of("Only in English"))
        section = replace(section, items=(english_only, *section.items[1:]))
        form = build_section_form(section, list(section.items), "es", DAY, MultiDict())
        views = question_views(section, form, list(section.items), {}, "es", registry().current)
        assert '<span lang="en">Only in English</span>' in macro_html(views)
