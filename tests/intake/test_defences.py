"""Bot and abuse defences on the public wizard that must not bother people."""

from __future__ import annotations

from tests.conftest import make_app
from tests.intake.wizard_driver import (
    answer_steps,
    consent_formdata,
    location,
    section_formdata,
    start,
    start_at,
)
from tests.questionnaire.factories import clean_answers


def test_honeypot_filled_start_is_refused_without_creating_a_draft(client):
    response = client.post("/screening/start", data={"website": "http://spam.example"})
    assert location(response) == "/screening/"
    assert location(client.get("/screening/step/about-you")) == "/screening/"


def test_submit_faster_than_a_person_is_deferred_not_lost(tmp_path, database_url):
    app = make_app(tmp_path, database_url, MIN_FILL_SECONDS=3600)
    client = app.test_client()
    path = answer_steps(app, client, clean_answers(), start(client))
    page = client.post(path, data=consent_formdata(app))
    assert page.status_code == 200
    assert b"press Send again" in page.data
    app.config["MIN_FILL_SECONDS"] = 0
    assert location(client.post(path, data=consent_formdata(app))) == "/screening/done"


def test_starting_screenings_is_rate_limited_per_address(tmp_path, database_url):
    app = make_app(
        tmp_path, database_url, RATELIMIT_ENABLED=True, RATELIMIT_SCREENING_START="3 per hour"
    )
    client = app.test_client()
    codes = [client.post("/screening/start").status_code for _ in range(4)]
    assert codes[:3] == [302, 302, 302]
    assert codes[3] == 429
    assert b"Too many attempts" in client.post("/screening/start").data


def test_none_cannot_be_ticked_with_other_answers(app, client):
    start(client)
    answers = clean_answers(antidepressant_trials="3-plus")  # TMS, ECT... are asked after 2+
    client.post("/screening/step/concerns", data=section_formdata(app, "concerns", answers))
    data = section_formdata(app, "treatment-history", answers)
    data.setlist("other-treatments", ["none", "tms"])
    page = client.post("/screening/step/treatment-history", data=data)
    assert page.status_code == 200
    assert b"on its own" in page.data


def test_oversized_request_gets_a_clear_413(app, client):
    start(client)
    page = client.post(
        "/screening/step/concerns", data={"goals": "x" * (300 * 1024), "action": "next"}
    )
    assert page.status_code == 413
    assert b"more than we can accept" in page.data


def test_overlong_answer_is_a_field_error_not_a_crash(app, client):
    start_at(app, client, clean_answers())
    data = section_formdata(app, "about-you", clean_answers(full_name="y" * 5000))
    page = client.post("/screening/step/about-you", data=data)
    assert page.status_code == 200
    assert b'id="full-name-error"' in page.data
