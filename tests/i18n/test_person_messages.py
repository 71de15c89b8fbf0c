"""Every message a person may meet on the way (a dead link, a screening already sent, a page
continued elsewhere, an outage, a rate limit) is in their language, even on a device whose
browser asks for English."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import one_connection_app
from tests.factories import expire_resume_link
from tests.intake.test_draft_holder import last_activity_minutes_ago, save_for_later
from tests.intake.wizard_driver import (
    answer_steps,
    consent_formdata,
    resume_from,
    section_formdata,
    start,
)
from tests.questionnaire.factories import clean_answers


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    """Return a page's visible text on one line (no tags, scripts or repeated spaces)."""
    html = re.sub(r"<script.*?</script>", " ", response.data.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def english_browser(app: Flask) -> FlaskClient:
    """A new device whose browser asks for English."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    return client


def spanish_person(app: Flask) -> FlaskClient:
    """A person who chose Spanish, with a screening saved for later."""
    person = app.test_client()
    person.get("/screening/?lang=es")
    start(person)
    return person


def test_dead_links_and_a_sent_screening_speak_spanish_on_an_english_browser(app):
    person = spanish_person(app)
    link = save_for_later(app, person, "concerns", clean_answers())
    expire_resume_link(app)
    expired = english_browser(app).get(link, follow_redirects=True)
    assert "Ese enlace para continuar ya venció o ya se usó" in text_of(expired)
    assert "That resume link has expired" not in text_of(expired)

    fresh = save_for_later(app, person, "concerns", clean_answers())
    laptop = english_browser(app)
    resume_from(laptop, fresh)
    used = english_browser(app).get(fresh, follow_redirects=True)
    assert "ya venció o ya se usó" in text_of(used)

    # The phone that lost its draft to the laptop is told in Spanish, its input kept.
    typed = section_formdata(app, "concerns", clean_answers(goals="Escrito-en-el-telefono"))
    closed = person.post("/screening/step/concerns", data=typed)
    assert closed.status_code == 409
    assert "Este cuestionario se continuó en otro dispositivo" in text_of(closed)
    assert "Enviar esta página otra vez" in text_of(closed)
    assert "Escrito-en-el-telefono" in closed.data.decode()

    # Sent from the laptop (in Spanish: the screening's language), then sent again.
    path = answer_steps(app, laptop, clean_answers(), "/screening/step/concerns")
    laptop.post(path, data=consent_formdata(app))
    again = laptop.post(path, data=consent_formdata(app), follow_redirects=True)
    assert "Gracias – su cuestionario fue enviado" in text_of(again)
    after = english_browser(app).get(fresh, follow_redirects=True)
    assert "ya venció o ya se usó" in text_of(after)


def test_a_screening_closed_for_privacy_says_so_in_spanish(app):
    person = spanish_person(app)
    save_for_later(app, person, "concerns", clean_answers())
    last_activity_minutes_ago(app, 61)
    typed = section_formdata(app, "concerns", clean_answers(goals="Meta-tras-la-pausa"))
    page = person.post("/screening/step/concerns", data=typed)
    assert "Para proteger su privacidad, cerramos este cuestionario" in text_of(page)
    assert "Meta-tras-la-pausa" in page.data.decode()


def test_outage_and_rate_limit_pages_are_in_spanish(tmp_path, database_url):
    app = one_connection_app(
        tmp_path,
        database_url,
        RATELIMIT_ENABLED=True,
        RATELIMIT_RESUME="1 per hour",
        RATELIMIT_RESUME_EMAIL="1 per hour",
    )
    person = spanish_person(app)
    link = save_for_later(app, person, "concerns", clean_answers())

    held = app.extensions["db_engine"].connect()  # the pool's only connection, busy elsewhere
    try:
        typed = section_formdata(app, "concerns", clean_answers(goals="Meta-durante-la-caida"))
        down = person.post("/screening/step/concerns", data=typed)
    finally:
        held.close()
    assert down.status_code == 503
    assert "No pudimos guardar esta página en este momento" in text_of(down)
    assert "Meta-durante-la-caida" in down.data.decode()

    person.post("/screening/saved/email", data={"email": "persona@example.net"})
    limited = person.post("/screening/saved/email", data={"email": "persona@example.net"})
    assert limited.status_code == 429
    assert "Demasiados intentos" in text_of(limited)

    browser = english_browser(app)
    browser.get(link)
    too_many = browser.get(link)
    assert too_many.status_code == 429
    assert "Demasiados intentos" in text_of(too_many)
    assert "Too many attempts" not in text_of(too_many)
