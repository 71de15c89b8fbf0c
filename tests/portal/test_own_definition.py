"""A clinic's own definition, with every linkId the app needs renamed, works without code changes.

The app finds contact details, the consent section, the date of birth and sex at birth by their
`role` in the definition, never by linkId; this test renames them all and goes through submit,
the clinician's page and the CSV export.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from flask import Flask

from screening.intake import service as intake_service
from screening.questionnaire import DEFINITION_PATH, RULES_PATH
from screening.questionnaire_registry import registry
from tests.conftest import make_app
from tests.factories import make_submission
from tests.portal_helpers import admin_client, clinician_client
from tests.questionnaire.factories import clean_answers

RENAMED = {
    "full-name": "nombre",
    "preferred-name": "apodo",
    "pronouns": "pronombres",
    "date-of-birth": "nacimiento",
    "email": "correo",
    "phone": "telefono",
    "contact-method": "via-de-contacto",
    "contact-times": "horario",
    "voicemail-ok": "buzon-de-voz",
    "sex-at-birth": "sexo",
    "antidepressant-trials": "ensayos",
    "consent": "acuerdo",
}


def renamed(text: str) -> str:
    """Rename linkIds where they are declared or referred to (never option codes)."""
    for old, new in RENAMED.items():
        text = re.sub(rf"\b(linkId|question): {old}(?=[\s,}}])", rf"\1: {new}", text)
    return text


def own_definition_app(tmp_path: Path, database_url: str) -> Flask:
    data = tmp_path / "definition"
    data.mkdir()
    for source in (DEFINITION_PATH, RULES_PATH):
        (data / source.name).write_text(renamed(source.read_text("utf-8")), "utf-8")
    return make_app(
        tmp_path,
        database_url,
        QUESTIONNAIRE_PATH=str(data / DEFINITION_PATH.name),
        RULES_PATH=str(data / RULES_PATH.name),
    )


def test_renamed_link_ids_still_reach_the_clinician(tmp_path: Path, database_url: str) -> None:
    app = own_definition_app(tmp_path, database_url)
    with app.app_context():
        q = registry().current
        assert not any(q.has_item(old) for old in RENAMED) and q.has_item("correo")
        answers = {RENAMED.get(k, k): v for k, v in clean_answers(voicemail_ok=False).items()}
        steps = [s.link_id for s in intake_service.wizard_steps(q, answers)]
        assert "acuerdo" not in steps
        assert intake_service.consent_section(q).link_id == "acuerdo"
    public_id = make_submission(app, answers=answers)

    shown = html.unescape(clinician_client(app).get(f"/portal/s/{public_id}").get_data(True))
    assert "Likely eligible" in shown
    for text in ("Alex Rivera", "alex.rivera@example.com", "+1 408 555 0142", "they/them"):
        assert text in shown
    assert "Do NOT leave a voicemail." in shown
    assert "They told us a voicemail is not safe for them." in shown
    assert "Age total score" not in shown  # no rule fired on age...
    assert "Antidepressant trials" in shown  # ...but the derived scores are still found

    csv = admin_client(app).get("/portal/export.csv").get_data(as_text=True)
    header, row = csv.splitlines()[:2]
    assert "correo" in header.split(",") and "email" not in header.split(",")
    assert "alex.rivera@example.com" in row
