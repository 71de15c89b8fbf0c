"""Crisis resources in Spanish: 988 with "oprima 2", Crisis Text Line's Spanish keyword, 911."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.i18n.conftest import read_page, walk_answers
from tests.intake.wizard_driver import location, section_formdata, start


def reach_phq9(app: Flask, client: FlaskClient) -> str:
    """Answer the steps before the PHQ-9; return its address."""
    path = start(client)
    answers = walk_answers()
    while not path.endswith("/phq9"):
        path = location(
            client.post(path, data=section_formdata(app, path.rsplit("/")[-1], answers))
        )
    return path


def assert_spanish_crisis_resources(text: str) -> None:
    """Everything a person in crisis needs, said the way it works in Spanish."""
    assert "Nadie revisa este formulario en tiempo real." in text
    assert "Llame o envíe un mensaje de texto al 988" in text
    assert "oprima 2 para español" in text.lower()
    assert "Envíe la palabra AYUDA por mensaje de texto al 741741" in text
    assert "Crisis Text Line, para recibir apoyo en español" in text
    assert "llame al 911 o vaya a la sala de emergencias más cercana" in text
    assert "HOME" not in text and "Press 2" not in text


def test_crisis_page_in_spanish(app: Flask, spanish_client: FlaskClient) -> None:
    path = reach_phq9(app, spanish_client)
    risky = section_formdata(app, "phq9", walk_answers())
    following = location(spanish_client.post(path, data=risky))
    page = read_page(spanish_client.get(following).data)
    assert page.html_lang == "es"
    assert "Hay apoyo disponible ahora" in page.text
    assert_spanish_crisis_resources(page.text)
    assert "Seguir con el cuestionario" in page.text


def test_inline_crisis_panel_in_spanish(app: Flask, spanish_client: FlaskClient) -> None:
    html = spanish_client.get(reach_phq9(app, spanish_client)).data.decode()
    panel = html[
        html.index('id="crisis-phq9-9"') : html.index("</div>", html.index('id="crisis-phq9-9"'))
    ]
    assert_spanish_crisis_resources(read_page(panel).text)
    assert 'href="sms:741741"' in panel and 'href="tel:988"' in panel


def test_safety_step_and_footer_in_spanish(app: Flask, spanish_client: FlaskClient) -> None:
    path = reach_phq9(app, spanish_client)
    spanish_client.post(path, data=section_formdata(app, "phq9", walk_answers()))
    spanish_client.post("/screening/step/gad7/continue")
    gad7 = section_formdata(app, "gad7", walk_answers())
    assert location(spanish_client.post("/screening/step/gad7", data=gad7)).endswith("/safety")
    safety = read_page(spanish_client.get("/screening/step/safety").data).text
    # Calls press 2; texts in Spanish start with AYUDA (the 988 Lifeline's own keyword).
    assert "llame ahora al 988 (oprima 2 para español)" in safety
    assert "envíe la palabra AYUDA por mensaje de texto al 988" in safety
    assert "mensaje de texto al 988 (oprima" not in safety  # "press 2" is never for texts


def test_english_crisis_panel_is_unchanged(app: Flask, client: FlaskClient) -> None:
    html = client.get(reach_phq9(app, client)).data.decode()
    text = read_page(html).text
    assert "Text HOME to 741741 – Crisis Text Line." in text
    assert "Press 2 for Spanish, 1 for veterans." in text
    assert '<strong>HOME</strong> to <a href="sms:741741"><strong>741741</strong></a>' in html
