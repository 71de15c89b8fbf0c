"""The disclosure timeline on the submission page and its print view: read, audited, encrypted."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask
from sqlalchemy import select, text

from screening.database import new_session
from screening.intake import service as intake_service
from screening.intake.disclosures import record_disclosure
from screening.models import Disclosure
from screening.questionnaire_registry import registry
from tests.factories import audit_events, make_submission
from tests.i18n.conftest import read_page
from tests.portal_helpers import clinician_client
from tests.questionnaire.factories import TODAY, clean_answers

TITLE = {
    "en": "Risk answers given while answering",
    "es": "Respuestas de riesgo dadas al responder",
}
ITEM9 = "Thoughts that you would be better off dead or of hurting yourself in some way"


def submit_after_disclosing(app: Flask, *events: tuple[str, dict[str, Any]], **final: Any) -> str:
    """Record these disclosures on a draft, then submit it with these answers; return its id."""
    with app.app_context():
        db = new_session(write=True)
        try:
            reg = registry()
            draft, _token = intake_service.start_draft(db, reg.current, "en")
            for section_id, disclosed in events:
                record_disclosure(db, draft, section_id, disclosed)
                db.commit()
            draft.answers = clean_answers(**final)
            intake_service.submit_draft(
                db, reg.current, reg.rules, draft, {}, app.extensions["blind_index"], TODAY
            )
            return draft.public_id
        finally:
            db.close()


def test_the_page_and_print_view_show_each_disclosure_with_its_time_and_answers(app):
    public_id = submit_after_disclosing(
        app,
        ("phq9", {"phq9-9": "LA6569-3"}),
        ("safety", {"safety-plan": True}),
    )
    client = clinician_client(app)
    for path in (f"/portal/s/{public_id}", f"/portal/s/{public_id}/print"):
        page = read_page(client.get(path).data)
        section = page.text[page.text.index(TITLE["en"]) :]
        assert 'on the step "How you\'ve been feeling (PHQ-9)"' in section
        assert f"{ITEM9} Several days" in section
        assert 'on the step "Checking in with you"' in section
        assert "Have you thought about how you would do it, or made a plan? Yes" in section
        assert section.index("PHQ-9") < section.index("Checking in with you")
        # On the clinic's clock: "Today 3:58 PM" on screen, the full date on paper.
        local = datetime.now(ZoneInfo("America/Los_Angeles"))
        full_date = f"{local:%A, %B} {local.day}, {local.year}"
        assert ("Today" if path.endswith(public_id) else full_date) in section
    assert len(audit_events(app, "submission.viewed")) == 1
    assert len(audit_events(app, "submission.printed")) == 1


def test_a_changed_answer_keeps_its_disclosure_and_stays_urgent(app):
    public_id = submit_after_disclosing(app, ("phq9", {"phq9-9": "LA6570-1"}))
    html = clinician_client(app).get(f"/portal/s/{public_id}").get_data(as_text=True)
    text_ = read_page(html).text
    assert "More than half the days" in text_[text_.index(TITLE["en"]) :]
    assert "Gave a risk answer earlier in this screening, then changed it" in text_
    assert "Urgent: safety" in text_


def test_the_timeline_is_labelled_in_spanish_for_a_spanish_portal(app):
    public_id = submit_after_disclosing(app, ("phq9", {"phq9-9": "LA6569-3"}))
    client = clinician_client(app)
    for path in (f"/portal/s/{public_id}?lang=es", f"/portal/s/{public_id}/print?lang=es"):
        page = read_page(client.get(path).data)
        assert page.html_lang == "es"
        assert TITLE["es"] in page.text
        assert "en el paso «How you've been feeling (PHQ-9)»" in page.text
        assert f"{ITEM9} Several days" in page.text  # answers stay in English


def test_a_screening_without_disclosures_says_so(app):
    public_id = make_submission(app)
    page = read_page(clinician_client(app).get(f"/portal/s/{public_id}").data)
    assert "No risk answer was recorded before sending." in page.text


def test_disclosures_are_encrypted_at_rest_and_go_with_their_screening(app):
    public_id = submit_after_disclosing(app, ("phq9", {"phq9-9": "LA6569-3"}))
    with app.app_context():
        db = new_session(write=True)
        try:
            raw = db.execute(text("SELECT detail FROM disclosures")).scalar_one()
            assert "phq9" not in raw and "LA6569-3" not in raw
            db.execute(text("DELETE FROM submissions WHERE public_id = :p"), {"p": public_id})
            db.commit()
            assert db.scalars(select(Disclosure)).all() == []
        finally:
            db.close()


def test_the_fhir_download_carries_each_disclosure_as_a_contained_observation(app):
    public_id = submit_after_disclosing(
        app, ("phq9", {"phq9-9": "LA6569-3"}), ("safety", {"safety-plan": True})
    )
    response = clinician_client(app).get(f"/portal/s/{public_id}/fhir")
    data = json.loads(response.data)
    resource = QuestionnaireResponse.model_validate(data)
    assert [c.id for c in resource.contained] == ["disclosure-1", "disclosure-2"]
    assert [e.valueReference.reference for e in resource.extension] == [
        "#disclosure-1",
        "#disclosure-2",
    ]
    first, second = (Observation.model_validate(o) for o in data["contained"])
    [item9] = first.component
    assert item9.code.coding[0].code == "44260-8"  # LOINC, PHQ-9 item 9
    assert item9.valueCodeableConcept.coding[0].code == "LA6569-3"
    assert second.component[0].valueBoolean is True
    assert first.effectiveDateTime <= second.effectiveDateTime
    # The answers as sent are unchanged: item 9 was finally "not at all".
    assert "LA6568-5" in json.dumps(data["item"])
    assert len(audit_events(app, "submission.exported-fhir")) == 1
