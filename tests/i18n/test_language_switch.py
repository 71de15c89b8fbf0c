"""Switching language: from any page to the same page, and mid-screening without losing input."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from screening.database import new_session
from screening.models import Submission, SubmissionState
from tests.conftest import make_app
from tests.i18n.conftest import answer_remaining_steps, csrf_token, read_page, walk_answers
from tests.intake.wizard_driver import consent_formdata, location, section_formdata, start


def submissions(app: Flask) -> list[Submission]:
    """Every stored screening."""
    with app.app_context():
        db = new_session()
        try:
            return list(db.scalars(select(Submission)))
        finally:
            db.close()


def switch(client: FlaskClient, path: str, lang: str, data: MultiDict) -> str:
    """Press the language button of a step: it submits the step's form to the switch."""
    form = MultiDict(data)
    form.setlist("action", [])
    form["lang"] = lang
    response = client.post(f"{path}/language", data=form)
    assert response.status_code == 302, response.data[:2000]
    return location(response)


def test_switching_mid_screening_keeps_every_answer(app: Flask, client: FlaskClient) -> None:
    answers = walk_answers()
    # The first step answered in English.
    path = start(client)
    assert read_page(client.get(path).data).html_lang == "en"
    path = location(client.post(path, data=section_formdata(app, "concerns", answers)))
    assert path == "/screening/step/treatment-history"
    # Half of the second step typed, then "Español": nothing typed is lost.
    typed = section_formdata(app, "treatment-history", answers)
    for name in ("other-treatments", "prior-ketamine", "hospitalized"):
        typed.setlist(name, [])
    typed["antidepressant-trials"] = "2"
    assert switch(client, path, "es", typed) == path
    page = read_page(client.get(path).data)
    assert page.html_lang == "es"
    assert "¿Ha usado ketamina antes?" in page.text
    assert page.checked("antidepressant-trials") == ["2"]
    assert page.checked("suicidal-behavior") == ["never"]
    assert page.checked("prior-ketamine") == []
    # The step answered in English shows the same answers, now in Spanish.
    concerns = read_page(client.get("/screening/step/concerns").data)
    assert "¿Con qué le gustaría recibir ayuda?" in concerns.text
    assert concerns.checked("reasons") == ["depression", "anxiety", "ptsd-trauma"]
    assert "To feel like myself again" in (concerns.value("goals") or "")
    # Finish in Spanish.
    answers["antidepressant-trials"] = "2"
    answers["other-treatments"] = ["none"]  # asked after two antidepressant trials
    assert answer_remaining_steps(app, client, answers, path)[0] == "/screening/review"
    review = read_page(client.get("/screening/review").data)
    assert review.html_lang == "es" and "Revise sus respuestas y envíe" in review.text
    done = client.post("/screening/review", data=consent_formdata(app, "Alex Rivera"))
    assert location(done) == "/screening/done"
    assert (
        "Gracias – su cuestionario fue enviado" in read_page(client.get(location(done)).data).text
    )
    [submission] = submissions(app)
    assert submission.state == SubmissionState.SUBMITTED
    assert submission.language == "es"
    stored = submission.answers or {}
    for link_id in ("full-name", "date-of-birth", "contact-method", "reasons", "goals"):
        assert stored[link_id] == answers[link_id], link_id
    assert stored["antidepressant-trials"] == "2"


def test_enter_in_a_field_still_means_next(client: FlaskClient) -> None:
    # The header's switch button comes first in the page; a hidden copy of Next before it is
    # the button Enter presses (the form's default button is its first in document order).
    html = client.get(start(client)).data.decode()
    page = read_page(html)
    owned = [b for b in page.buttons if b.get("form") == "step-form"]
    assert owned[0].get("name") == "action" and owned[0].get("value") == "next"
    assert "hidden" in owned[0]
    switch_button = next(b for b in owned if b.get("name") == "lang")
    assert switch_button.get("value") == "es"
    assert switch_button.get("formaction") == "/screening/step/concerns/language"
    assert html.index('form="step-form"') < html.index('id="step-form"')


def test_switch_from_review_keeps_the_consent_typed_there(app: Flask, client: FlaskClient) -> None:
    assert (
        answer_remaining_steps(app, client, walk_answers(), start(client))[0] == "/screening/review"
    )
    consent = consent_formdata(app, "Alex Rivera")
    consent["lang"] = "es"
    response = client.post("/screening/review/language", data=consent)
    assert location(response) == "/screening/review"
    page = read_page(client.get("/screening/review").data)
    assert page.html_lang == "es"
    assert page.value("signature") == "Alex Rivera"
    assert page.checked("consent-accuracy") == ["yes"]
    assert page.checked("consent-privacy") == ["yes"]


def test_return_to_review_survives_a_switch(app: Flask, client: FlaskClient) -> None:
    answer_remaining_steps(app, client, walk_answers(), start(client))
    path = "/screening/step/concerns"
    data = section_formdata(app, "concerns", walk_answers())
    data["lang"] = "es"
    response = client.post(f"{path}/language?return=review", data=data)
    assert location(response) == path and response.headers["Location"].endswith("?return=review")
    page = read_page(client.get(f"{path}?return=review").data)
    assert "Guardar y volver a la revisión" in page.text
    assert any(b.get("formaction") == f"{path}/language?return=review" for b in page.buttons), (
        page.buttons
    )


def test_start_link_with_lang_parameter_opens_the_screening_in_spanish(
    client: FlaskClient,
) -> None:
    intro = read_page(client.get("/screening/?lang=es").data)
    assert intro.html_lang == "es"
    assert "Entiendo – comenzar el cuestionario" in intro.text
    step = read_page(client.get(start(client)).data)
    assert step.html_lang == "es" and "Paso 1 de" in step.text and "Siguiente" in step.text


def test_links_switch_to_the_same_page(client: FlaskClient) -> None:
    html = client.get("/faq?utm=1").data.decode()
    assert 'href="/faq?utm=1&amp;lang=es"' in html
    spanish = client.get("/faq?utm=1&lang=es").data.decode()
    assert 'href="/faq?utm=1&amp;lang=en"' in spanish
    assert read_page(client.get("/what-is-kap").data).html_lang == "es"  # remembered
    # A page shown after a failed POST links to the same page fetched again.
    failed = client.post("/portal/auth/login", data={"email": "x@example.org", "password": "x"})
    assert 'href="/portal/auth/login?lang=en"' in failed.data.decode()


def test_switch_works_with_csrf_protection_on(tmp_path: Path, database_url: str) -> None:
    app = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    intro = client.get("/screening/")
    path = location(client.post("/screening/start", data={"csrf_token": csrf_token(intro.data)}))
    token = csrf_token(client.get(path).data)
    typed = MultiDict({"csrf_token": token, "concern-duration": "1-2-years", "lang": "es"})
    assert location(client.post(f"{path}/language", data=typed)) == path
    page = read_page(client.get(path).data)
    assert page.html_lang == "es" and page.checked("concern-duration") == ["1-2-years"]
    # Without a valid token nothing is saved, but what was typed is shown again.
    stale = client.post(f"{path}/language", data={"concern-duration": "2-5-years", "lang": "en"})
    assert stale.status_code == 200
    assert read_page(stale.data).checked("concern-duration") == ["2-5-years"]
    assert read_page(client.get(path).data).checked("concern-duration") == ["1-2-years"]


def test_browser_language_is_used_until_a_choice_is_made(client: FlaskClient) -> None:
    # Phones in Gilroy often ask for US or Mexican Spanish.
    for header in ("es-US,es;q=0.9,en;q=0.8", "es-MX"):
        page = read_page(client.get("/screening/", headers={"Accept-Language": header}).data)
        assert page.html_lang == "es", header
    client.get("/?lang=en")
    page = read_page(client.get("/screening/", headers={"Accept-Language": "es-US"}).data)
    assert page.html_lang == "en"
    assert read_page(client.get("/?lang=fr").data).html_lang == "en"


def test_resume_link_reopens_in_the_language_the_screening_started_in(app):
    from tests.intake.wizard_driver import resume_from, resume_link_in, section_formdata, start_at
    from tests.questionnaire.factories import clean_answers

    person = app.test_client()
    person.get("/?lang=es")
    start_at(app, person, clean_answers())
    data = section_formdata(app, "about-you", clean_answers())
    data["action"] = "save"
    person.post("/screening/step/about-you", data=data)
    link = resume_link_in(person.get("/screening/saved").data.decode())
    other_device = app.test_client()
    resume_from(other_device, link)  # "Continue here": the first device was just used
    assert '<html lang="es">' in other_device.get("/screening/step/concerns").data.decode()
