"""The screening wizard end to end through Flask's test client."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from screening.database import new_session
from screening.models import Submission, SubmissionState
from tests.factories import expire_resume_link
from tests.intake.wizard_driver import (
    answer_steps,
    complete_screening,
    consent_formdata,
    location,
    open_resume_link,
    resume_link_in,
    section_formdata,
    start,
    start_at,
)
from tests.questionnaire.factories import clean_answers

DISTINCTIVE = "Zebra-marmalade-4471 tells the story"


def stored_submissions(app):  # type: ignore[no-untyped-def]
    """Return every row in the submissions table."""
    with app.app_context():
        db = new_session()
        try:
            return list(db.scalars(select(Submission)))
        finally:
            db.close()


def test_intro_explains_screening_is_not_monitored(client):
    page = client.get("/screening/")
    assert page.status_code == 200
    assert b"not monitored in real time" in page.data
    assert page.headers["Cache-Control"] == "no-store"


def test_start_goes_to_first_step(client):
    # What the person came for comes first; contact details come last (issue 14).
    assert start(client) == "/screening/step/concerns"
    page = client.get("/screening/step/concerns")
    assert b"Step 1 of" in page.data
    assert b"What would you like help with?" in page.data


def test_enter_on_the_first_page_asks_only_a_few_questions(client):
    # Pressing Enter on an empty first page: a handful of problems, none about contact details.
    page = client.post(start(client), data={"action": "next"})
    html = page.data.decode()
    assert "There are 4 problems to fix" in html
    assert 'id="email-error"' not in html


def test_complete_screening_creates_one_triaged_submission(app, client):
    done = complete_screening(app, client, clean_answers())
    assert b"What happens next" in done.data
    rows = stored_submissions(app)
    assert len(rows) == 1
    submission = rows[0]
    assert submission.state == SubmissionState.SUBMITTED
    assert submission.triage_category == "likely-eligible"
    assert submission.phq9_total == 12
    assert submission.contact["email"] == "alex.rivera@example.com"
    assert submission.definition_version and submission.rules_version
    assert submission.draft_token_hash is None


def test_confirmation_never_states_a_verdict(app, client):
    psychosis = {
        "psychotic-symptoms": True,
        "unusual-experiences-when": "other-times",
        "unusual-experiences-real": "seemed-real",
    }
    done = complete_screening(app, client, clean_answers(**psychosis))
    text = done.data.decode().lower()
    assert "eligible" not in text and "not a fit" not in text
    assert stored_submissions(app)[0].triage_category == "likely-ineligible"


def test_validation_error_shows_message_and_keeps_everything_typed(app, client):
    start_at(app, client, clean_answers())
    data = section_formdata(app, "about-you", clean_answers(email="not-an-email"))
    page = client.post("/screening/step/about-you", data=data)
    assert page.status_code == 200
    html = page.data.decode()
    assert 'id="email-error"' in html
    assert 'aria-describedby="email-error"' in html
    assert "There is 1 problem to fix" in html
    assert 'value="not-an-email"' in html
    assert 'value="Alex Rivera"' in html
    # Leaving and coming back still shows what was typed.
    again = client.get("/screening/step/about-you").data.decode()
    assert 'value="not-an-email"' in again and 'value="Alex Rivera"' in again


def test_under_18_is_refused_with_a_kind_message(app, client):
    start_at(app, client, clean_answers())
    data = section_formdata(app, "about-you", clean_answers(date_of_birth="2015-01-01"))
    page = client.post("/screening/step/about-you", data=data)
    assert page.status_code == 200
    assert b"adults aged 18 and over" in page.data
    assert b"988" in page.data


def test_skipping_ahead_by_url_is_refused(client):
    start(client)
    response = client.get("/screening/step/phq9")
    assert response.status_code == 302
    assert location(response) == "/screening/step/concerns"
    replay = client.post("/screening/step/medications", data={"action": "next"})
    assert location(replay) == "/screening/step/concerns"


def test_review_is_unreachable_before_every_step(client):
    start(client)
    assert location(client.get("/screening/review")) == "/screening/step/concerns"


def test_back_keeps_answers(app, client):
    answers = clean_answers()
    start(client)
    client.post("/screening/step/concerns", data=section_formdata(app, "concerns", answers))
    back = client.post("/screening/step/treatment-history", data={"action": "back"})
    assert location(back) == "/screening/step/concerns"
    page = client.get("/screening/step/concerns").data.decode()
    assert answers["goals"] in page


def test_follow_up_question_appears_without_javascript(app, client):
    answers = clean_answers(has_therapist=False)
    answers.pop("open-to-therapist", None)
    start(client)
    page = client.post("/screening/step/concerns", data=section_formdata(app, "concerns", answers))
    assert page.status_code == 200
    html = page.data.decode()
    assert "a few more questions" in html
    assert 'id="q-open-to-therapist"' in html
    follow_up = html.split('id="q-open-to-therapist"')[1].split(">")[0]
    assert "hidden" not in follow_up


def test_hidden_follow_up_is_marked_for_javascript(app, client):
    start(client)
    html = client.get("/screening/step/concerns").data.decode()
    opening = html.split('id="q-open-to-therapist"')[1].split(">")[0]
    assert "data-enable-when" in opening
    assert "hidden" in opening


def test_crisis_resources_come_first_after_a_risk_answer(app, client):
    answers = clean_answers(**{"phq9-9": "LA6569-3"})
    path = start(client)
    for section in ("concerns", "treatment-history"):
        client.post(f"/screening/step/{section}", data=section_formdata(app, section, answers))
    response = client.post("/screening/step/phq9", data=section_formdata(app, "phq9", answers))
    next_path = location(response)
    crisis = client.get(next_path)
    html = crisis.data.decode()
    assert "988" in html and "911" in html and "741741" in html
    assert "not monitored in real time" in html
    assert "Continue with the screening" in html
    assert path  # the person can carry on afterwards
    carry_on = client.post(f"{next_path}/continue")
    assert location(carry_on) == next_path
    assert b"Continue with the screening" not in client.get(next_path).data


def test_risk_answers_are_marked_for_the_inline_crisis_panel(app, client):
    answers = clean_answers()
    start(client)
    for section in ("concerns", "treatment-history"):
        client.post(f"/screening/step/{section}", data=section_formdata(app, section, answers))
    html = client.get("/screening/step/phq9").data.decode()
    assert 'id="crisis-phq9-9"' in html
    assert html.count('data-risk="true"') == 3  # item 9: every answer above "not at all"


def test_urgent_submission_gets_the_safety_follow_ups(app, client):
    answers = clean_answers(
        **{
            "phq9-9": "LA6570-1",
            "safety-thoughts-now": True,
            "safety-plan": False,
            "safety-safe-now": True,
        }
    )
    complete_screening(app, client, answers)
    submission = stored_submissions(app)[0]
    assert submission.triage_category == "urgent-safety"
    assert any(flag["severity"] == "urgent" for flag in submission.flags)


def test_save_and_resume_on_another_device(app, client):
    answers = clean_answers()
    start_at(app, client, answers)
    data = section_formdata(app, "about-you", answers)
    data["action"] = "save"
    response = client.post("/screening/step/about-you", data=data)
    assert location(response) == "/screening/saved"
    page = client.get("/screening/saved").data.decode()
    link = resume_link_in(page)
    other_device = app.test_client()
    # The first device was used a moment ago, so the second asks before taking it over.
    assert b"open on another device" in open_resume_link(other_device, link).data
    resumed = other_device.post("/screening/resume")
    assert location(resumed) == "/screening/review"
    assert b"alex.rivera@example.com" in other_device.get("/screening/step/about-you").data
    # The link is shown once.
    assert location(client.get("/screening/saved")) == "/screening/"


def test_resume_link_expires(app, client):
    start_at(app, client, clean_answers())
    data = section_formdata(app, "about-you", clean_answers())
    data["action"] = "save"
    client.post("/screening/step/about-you", data=data)
    link = resume_link_in(client.get("/screening/saved").data.decode())
    expire_resume_link(app, days=8)
    response = app.test_client().get(link)
    assert location(response) == "/screening/"


def test_resume_link_is_dead_after_submit(app, client):
    answers = clean_answers()
    start_at(app, client, answers)
    data = section_formdata(app, "about-you", answers)
    data["action"] = "save"
    client.post("/screening/step/about-you", data=data)
    link = resume_link_in(client.get("/screening/saved").data.decode())
    path = answer_steps(app, client, answers, "/screening/step/about-you")
    client.post(path, data=consent_formdata(app))
    assert location(app.test_client().get(link)) == "/screening/"


def test_submit_is_idempotent(app, client):
    answers = clean_answers()
    path = answer_steps(app, client, answers, start(client))
    first = client.post(path, data=consent_formdata(app))
    second = client.post(path, data=consent_formdata(app))
    assert location(first) == location(second) == "/screening/done"
    with app.app_context():
        db = new_session()
        assert db.scalar(select(func.count()).select_from(Submission)) == 1
        db.close()


def test_consent_is_required_and_keeps_the_signature(app, client):
    path = answer_steps(app, client, clean_answers(), start(client))
    page = client.post(path, data={"signature": "Alex Rivera"})
    assert page.status_code == 200
    assert b"problems to fix" in page.data
    assert b'value="Alex Rivera"' in page.data
    assert stored_submissions(app)[0].state == SubmissionState.DRAFT
    # Consent is given by ticking boxes ("I agree..."), each unticked one says so beside it.
    html = page.data.decode()
    for link_id in ("consent-accuracy", "consent-privacy"):
        assert f'<input type="checkbox" id="{link_id}" name="{link_id}" value="yes"' in html
        beside = html.split(f'id="{link_id}-error"', 1)[1].split("</p>", 1)[0]
        assert "Tick the box to agree" in beside
    assert 'name="consent-privacy" value="no"' not in html
    # The privacy notice is linked from the consent text itself.
    label = html.split('<label for="consent-privacy"', 1)[1].split("</label>", 1)[0]
    assert '<a href="/privacy" target="_blank" rel="noopener">privacy notice' in label


def test_raw_database_holds_no_answer_text(app, client, database_url):
    if not database_url.startswith("sqlite"):
        return
    complete_screening(app, client, clean_answers(goals=DISTINCTIVE))
    app.extensions["db_engine"].dispose()
    db_file = Path(database_url.removeprefix("sqlite:///"))
    raw = b"".join(
        path.read_bytes() for path in db_file.parent.glob(db_file.name + "*") if path.is_file()
    )
    assert raw, "database file is empty"
    for secret in (DISTINCTIVE, "alex.rivera@example.com", "Alex Rivera"):
        assert secret.encode() not in raw


def test_lost_session_is_sent_to_start_with_an_explanation(client):
    response = client.get("/screening/step/about-you")
    assert location(response) == "/screening/"
    assert b"could not find your screening" in client.get("/screening/").data


def test_unknown_step_is_404_page_in_site_layout(client):
    start(client)
    page = client.get("/screening/step/no-such-step")
    assert page.status_code == 404
    assert b"In crisis? Call or text 988" in page.data
    assert b"Reference:" in page.data


def test_step_count_is_fixed_and_skipped_steps_are_said(app, client):
    # Every section that may apply counts from the start (12 steps and the review page), so the
    # total never grows as answers reveal a section; one that does not apply is marked skipped.
    answers = clean_answers()
    path = start(client)
    seen = []
    while path.startswith("/screening/step/"):
        html = client.get(path).data.decode()
        seen.append(html.split('<p class="progress"', 1)[1].split("</p>", 1)[0].split(">")[-1])
        section = path.removeprefix("/screening/step/")
        if section == "pcptsd5":
            assert "Skipped: Checking in with you" in html
        else:
            assert "Skipped:" not in html
        path = location(client.post(path, data=section_formdata(app, section, answers)))
    assert seen == [f"Step {n} of 13" for n in (1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12)]
    review = client.get("/screening/review").data.decode()
    assert "Step 13 of 13" in review and "Skipped: Checking in with you" in review


def test_a_draft_started_under_an_older_definition_is_recorded_under_the_one_it_finished(
    app, client
):
    # The wizard always asks the current definition; the record must say so, or the portal
    # would show the answers with the old questions (2026.11.4 moved and gated many).
    path = start(client)
    with app.app_context():
        db = new_session(write=True)
        db.scalars(select(Submission)).one().definition_version = "2026.11.3"
        db.commit()
        db.close()
    path = answer_steps(app, client, clean_answers(), path)
    client.post(path, data=consent_formdata(app))
    [submitted] = stored_submissions(app)
    assert submitted.state == SubmissionState.SUBMITTED
    assert submitted.definition_version == "2026.11.4"
