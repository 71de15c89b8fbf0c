"""Attacks on the public wizard and the portal: IDOR, CSRF, injection, malformed input.

TOTP replay, session fixation and logout replay are proven in tests/auth/ (see
docs/SECURITY.md for the map from each control to its test).
"""

from __future__ import annotations

import io
import re
import secrets

import pytest
from sqlalchemy import func, select

from screening.database import new_session
from screening.models import Note, Submission
from tests.conftest import make_app
from tests.factories import load_submission, make_submission
from tests.intake.wizard_driver import answer_steps, location, section_formdata, start
from tests.portal_helpers import admin_client, clinician_client
from tests.questionnaire.factories import clean_answers

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_submission_pages_cannot_be_reached_by_guessing_ids(app):
    make_submission(app)
    client = clinician_client(app)
    for guess in ("1", "2", "0", secrets.token_urlsafe(16), "../1", "%2e%2e"):
        response = client.get(f"/portal/s/{guess}")
        assert response.status_code == 404, guess


def test_drafts_are_not_reachable_in_the_portal(app):
    client = app.test_client()
    start(client)
    with app.app_context():
        db = new_session()
        draft = db.scalars(select(Submission)).one()
        db.close()
    assert clinician_client(app).get(f"/portal/s/{draft.public_id}").status_code == 404


def test_forged_session_cookie_does_not_reach_a_draft(app):
    owner = app.test_client()
    start(owner)
    owner.post("/screening/step/concerns", data=section_formdata(app, "concerns", clean_answers()))
    intruder = app.test_client()
    intruder.set_cookie("session", "eyJkcmFmdF90b2tlbiI6ImZvcmdlZCJ9.forged.signature")
    response = intruder.get("/screening/step/treatment-history")
    assert location(response) == "/screening/"
    assert b"To feel like myself again" not in intruder.get("/screening/review").data


def test_state_changing_posts_without_csrf_token_are_refused(tmp_path, database_url):
    app = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    submission = load_submission(app, make_submission(app))
    # Sign in with CSRF switched off for the sign-in itself, then switch it on for the attack.
    app.config["WTF_CSRF_ENABLED"] = False
    client = admin_client(app)
    app.config["WTF_CSRF_ENABLED"] = True
    base = f"/portal/s/{submission.public_id}"
    attempts = {
        f"{base}/status": {"status": "closed"},
        f"{base}/notes": {"body": "forged note"},
        f"{base}/assignee": {"assignee": "1"},
        f"{base}/follow-up": {"follow_up_on": "2030-01-01"},
        "/portal/admin/accounts/1/deactivate": {},
        "/portal/auth/logout": {},
        "/screening/start": {},
    }
    for url, data in attempts.items():
        response = client.post(url, data=data)
        assert response.status_code == 400, url
    after = load_submission(app, submission.public_id)
    assert after.status == submission.status
    with app.app_context():
        db = new_session()
        assert db.scalar(select(func.count()).select_from(Note)) == 0
        db.close()


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\xfa not utf-8",
        b"a=" + b"%" * 1000,
        b"&".join(b"f%d=1" % i for i in range(5000)),
    ],
)
def test_malformed_bodies_never_cause_a_500(app, client, body):
    start(client)
    response = client.post(
        "/screening/step/concerns",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in {200, 400, 413}


def test_json_and_multipart_bodies_are_handled(app, client):
    start(client)
    as_json = client.post("/screening/step/concerns", json={"goals": "x"})
    assert as_json.status_code in {200, 400}
    huge = client.post(
        "/screening/step/concerns",
        data={"file": (io.BytesIO(b"x" * (400 * 1024)), "a.bin")},
        content_type="multipart/form-data",
    )
    assert huge.status_code == 413


def free_text_answers() -> dict[str, object]:
    """Put the payload in every free-text answer of the shipped definition."""
    return clean_answers(
        full_name=f"Alex {PAYLOAD}",
        preferred_name=PAYLOAD,
        goals=PAYLOAD,
        pronouns=PAYLOAD,
        current_medications=PAYLOAD,
        reasons=["depression", PAYLOAD],
    )


def assert_escaped(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_injected_markup_is_escaped_on_the_review_page(app, client):
    answers = free_text_answers()
    path = answer_steps(app, client, answers, start(client))
    assert_escaped(client.get(path).data.decode())


def test_injected_markup_is_escaped_in_the_portal(app):
    submission = load_submission(app, make_submission(app, answers=free_text_answers()))
    client = admin_client(app)
    client.post(f"/portal/s/{submission.public_id}/notes", data={"body": PAYLOAD})
    for suffix in ("", "/print"):
        assert_escaped(client.get(f"/portal/s/{submission.public_id}{suffix}").data.decode())
    queue = client.get("/portal/").data.decode()
    assert "<script>alert" not in queue


def test_no_inline_script_or_style_in_any_rendered_page(app, client):
    answers = clean_answers()
    path = answer_steps(app, client, answers, start(client))
    html = client.get(path).data.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
