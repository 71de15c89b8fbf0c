"""wizard.js keeps what is on a step as the person changes it (a POST with action=autosave):
what a page closed before any button had is there when the step opens again, nothing is
validated or marked done, and a risk answer is recorded once chosen."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.factories import load_submission
from tests.intake.test_safety_pathway import RISK, draft_public_id, post_phq9, reach
from tests.intake.wizard_driver import (
    STEP_PREFIX,
    answer_steps,
    consent_formdata,
    location,
    section_formdata,
    start,
)
from tests.questionnaire.factories import clean_answers


def autosave(app: Flask, client: FlaskClient, section_id: str, answers: dict[str, Any]) -> Any:
    """Post a step the way wizard.js does while its answers change."""
    data = section_formdata(app, section_id, answers)
    data.setlist("action", ["autosave"])
    return client.post(f"{STEP_PREFIX}{section_id}", data=data)


def test_what_was_on_a_step_is_there_when_it_opens_again_and_nothing_moved(app, client):
    path = start(client)
    # Half the step: most required answers missing, so a Next would have failed.
    response = autosave(app, client, "concerns", {"goals": "Sleep through the night"})
    assert (response.status_code, response.data) == (204, b"")
    page = client.get(path).data.decode()
    assert "Sleep through the night" in page
    assert "error-summary" not in page  # kept, not judged
    # The step is not done: the next one is still closed.
    assert location(client.get(f"{STEP_PREFIX}treatment-history")) == path
    assert load_submission(app, draft_public_id(app)).answers == {}


def test_a_risk_answer_is_recorded_once_chosen_even_if_changed_before_next(app, client):
    reach(app, client, "phq9", clean_answers())
    assert autosave(app, client, "phq9", clean_answers(**RISK)).status_code == 204
    [event] = load_submission(app, draft_public_id(app)).disclosures
    assert (event.section, event.answers) == ("phq9", RISK)
    # The page stays the person's: no crisis page comes between (the panel is beside the
    # answer), and changing the answer back moves on as usual.
    page = client.get(f"{STEP_PREFIX}phq9").data.decode()
    assert 'id="crisis-phq9-9"' in page and "/continue" not in page
    assert location(post_phq9(app, client, "next")).endswith("/gad7")
    done = answer_steps(app, client, clean_answers(), f"{STEP_PREFIX}gad7")
    assert location(client.post(done, data=consent_formdata(app))) == "/screening/done"
    submission = load_submission(app, draft_public_id(app))
    assert submission.answers["phq9-9"] == "LA6568-5"
    assert submission.triage_category == "urgent-safety"
    assert any(flag["id"] == "risk-answer-changed" for flag in submission.flags)


def test_a_step_not_open_now_answers_409_and_leaves_no_message_behind(app, client):
    path = start(client)
    assert autosave(app, client, "medical", clean_answers()).status_code == 409
    page = client.get(path).data.decode()
    assert "Please finish this step first." not in page
    assert load_submission(app, draft_public_id(app)).progress.pending == {}


def test_without_a_screening_in_progress_autosave_answers_409(client):
    data = MultiDict({"action": "autosave", "goals": "anything"})
    assert client.post(f"{STEP_PREFIX}concerns", data=data).status_code == 409
