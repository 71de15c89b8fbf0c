"""One browser holds a draft at a time; a resume link works once; idle drafts close."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from screening.database import new_session
from screening.models import Submission
from tests.conftest import make_app
from tests.intake.wizard_driver import (
    location,
    open_resume_link,
    resume_from,
    resume_link_in,
    section_formdata,
    start_at,
)
from tests.questionnaire.factories import clean_answers

VICTIM_NAME = "Quentin Marlowe-Oyelaran"
VICTIM_PHONE = "+1 408 555 0199"
PRIVATE_GOAL = "Private-goal-7781"
ELSEWHERE = b"Your screening is open on another device"
CONTINUED_ELSEWHERE = b"This screening was continued on another device"
CLOSED_FOR_PRIVACY = b"We closed your screening for your privacy"


def save_for_later(app, client, section_id, answers, csrf=None):  # type: ignore[no-untyped-def]
    """Press "Save and finish later" on a step; return the resume link shown."""
    data = section_formdata(app, section_id, answers)
    data["action"] = "save"
    if csrf:
        data["csrf_token"] = csrf
    response = client.post(f"/screening/step/{section_id}", data=data)
    assert location(response) == "/screening/saved"
    return resume_link_in(client.get("/screening/saved").data.decode())


def stored_draft(app) -> Submission:  # type: ignore[no-untyped-def]
    """Return the one screening in the database."""
    with app.app_context():
        db = new_session()
        try:
            return db.scalars(select(Submission)).one()
        finally:
            db.close()


def last_activity_minutes_ago(app, minutes: int) -> None:  # type: ignore[no-untyped-def]
    """Move the draft's last activity back, as if nobody had used it for `minutes`."""
    with app.app_context():
        db = new_session(write=True)
        draft = db.scalars(select(Submission)).one()
        draft.updated_at = draft.updated_at - timedelta(minutes=minutes)
        db.commit()
        db.close()


def csrf_token_in(html: str) -> str:
    """Return the CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_attacker_cannot_reopen_the_link_or_read_the_victims_answers(app):
    attacker, victim = app.test_client(), app.test_client()
    start_at(app, attacker, clean_answers())
    link = save_for_later(app, attacker, "about-you", clean_answers())

    last_activity_minutes_ago(app, 45)  # the victim opens the link later that day
    assert location(resume_from(victim, link)) == "/screening/review"
    victims = clean_answers(full_name=VICTIM_NAME, phone=VICTIM_PHONE)
    response = victim.post(
        "/screening/step/about-you", data=section_formdata(app, "about-you", victims)
    )
    assert location(response) == "/screening/review"

    # Neither the genuine link nor the browser that started the draft opens it any more.
    reopened = attacker.get(link, follow_redirects=True)
    seen = [
        reopened.data,
        attacker.get("/screening/step/about-you").data,
        attacker.get("/screening/review").data,
        attacker.get("/screening/").data,
    ]
    for page in seen:
        assert VICTIM_NAME.encode() not in page
        assert VICTIM_PHONE.encode() not in page
    assert b"already been used" in reopened.data
    assert VICTIM_NAME.encode() in victim.get("/screening/step/about-you").data


def test_resume_link_works_once_and_saving_again_gives_a_new_one(app, client):
    start_at(app, client, clean_answers())
    link = save_for_later(app, client, "about-you", clean_answers())
    last_activity_minutes_ago(app, 31)
    laptop = app.test_client()
    assert location(resume_from(laptop, link)) == "/screening/review"

    assert location(app.test_client().get(link)) == "/screening/"
    assert location(laptop.get(link)) == "/screening/"

    new_link = save_for_later(app, laptop, "concerns", clean_answers())
    assert new_link != link
    last_activity_minutes_ago(app, 31)
    assert location(resume_from(app.test_client(), new_link)) == "/screening/review"


def test_opening_the_link_only_asks_so_a_link_preview_cannot_use_it_up(app, client):
    start_at(app, client, clean_answers())
    link = save_for_later(app, client, "about-you", clean_answers())
    last_activity_minutes_ago(app, 31)
    holder_before = stored_draft(app).draft_token_hash
    preview = app.test_client()  # a chat app's link preview or a mail scanner
    for _ in range(2):
        asked = open_resume_link(preview, link)
        assert asked.status_code == 200
        assert b"Continue my screening" in asked.data
        assert b"Alex Rivera" not in asked.data
    assert stored_draft(app).draft_token_hash == holder_before
    person = app.test_client()
    assert location(resume_from(person, link)) == "/screening/review"
    assert b"Alex Rivera" in person.get("/screening/step/about-you").data


def test_link_opened_while_in_use_elsewhere_asks_before_taking_over(tmp_path, database_url):
    app = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    phone, laptop = app.test_client(), app.test_client()
    token = csrf_token_in(phone.get("/screening/").data.decode())
    phone.post("/screening/start", data={"csrf_token": token})
    link = save_for_later(app, phone, "concerns", clean_answers(goals=PRIVATE_GOAL), csrf=token)

    asked = open_resume_link(laptop, link)
    assert asked.status_code == 200
    assert ELSEWHERE in asked.data
    assert PRIVATE_GOAL.encode() not in asked.data
    # Asking moved nothing: the phone still holds the draft, and a POST without CSRF is refused.
    assert PRIVATE_GOAL.encode() in phone.get("/screening/step/concerns").data
    assert laptop.post("/screening/resume").status_code == 400
    assert PRIVATE_GOAL.encode() in phone.get("/screening/step/concerns").data

    taken = laptop.post(
        "/screening/resume", data={"csrf_token": csrf_token_in(asked.data.decode())}
    )
    assert location(taken) == "/screening/step/treatment-history"
    assert PRIVATE_GOAL.encode() in laptop.get("/screening/step/concerns").data
    # A page left open there, sent with an expired form token, still keeps what was typed.
    typed = section_formdata(app, "concerns", clean_answers(goals="Typed-on-the-phone-5521"))
    typed["csrf_token"] = "expired"
    sent = phone.post("/screening/step/concerns", data=typed)
    assert sent.status_code == 409
    assert CONTINUED_ELSEWHERE in sent.data
    assert b"Typed-on-the-phone-5521" in sent.data
    # Told once; from then on this browser simply has no screening in progress.
    assert location(phone.get("/screening/step/concerns")) == "/screening/"


def test_step_sent_from_the_browser_that_lost_the_draft_shows_what_was_typed(app):
    phone, laptop = app.test_client(), app.test_client()
    start_at(app, phone, clean_answers())
    link = save_for_later(app, phone, "about-you", clean_answers())
    resume_from(laptop, link)
    saved_there = clean_answers(goals="Laptop-saved-goal-8812")
    laptop.post("/screening/step/concerns", data=section_formdata(app, "concerns", saved_there))

    typed = section_formdata(app, "concerns", clean_answers(goals="Phone-typed-goal-3391"))
    del typed["concern-duration"]  # left blank here; the saved answer must not fill it in
    page = phone.post("/screening/step/concerns", data=typed)
    assert page.status_code == 409
    assert CONTINUED_ELSEWHERE in page.data
    assert b"Phone-typed-goal-3391" in page.data
    assert b"Laptop-saved-goal-8812" not in page.data
    assert not re.search(rb'value="2-5-years"\s+checked', page.data)
    assert b"Send this page again" in page.data
    assert stored_draft(app).answers["goals"] == "Laptop-saved-goal-8812"

    # Sent again while the laptop holds the draft: still nothing written, the input still kept.
    again = phone.post("/screening/step/concerns", data=typed)
    assert again.status_code == 409
    assert CONTINUED_ELSEWHERE in again.data and b"Phone-typed-goal-3391" in again.data
    assert stored_draft(app).answers["goals"] == "Laptop-saved-goal-8812"

    # Once the phone holds the draft again (the laptop's new link opened there), it saves.
    newest = save_for_later(app, laptop, "concerns", saved_there)
    resume_from(phone, newest)
    sent = phone.post(
        "/screening/step/concerns",
        data=section_formdata(app, "concerns", clean_answers(goals="Phone-typed-goal-3391")),
    )
    assert location(sent) == "/screening/step/treatment-history"
    assert stored_draft(app).answers["goals"] == "Phone-typed-goal-3391"


def test_idle_draft_is_closed_for_privacy_but_kept(app, client):
    start_at(app, client, clean_answers())
    link = save_for_later(app, client, "about-you", clean_answers())
    last_activity_minutes_ago(app, 59)
    assert b"Alex Rivera" in client.get("/screening/step/about-you").data

    last_activity_minutes_ago(app, 2)  # 61 minutes since the last save
    page = client.get("/screening/step/about-you")
    assert page.status_code == 200
    assert CLOSED_FOR_PRIVACY in page.data
    assert b"finish later" in page.data
    assert b"In crisis? Call or text 988" in page.data
    assert b'action="/screening/start"' in page.data
    for private in (b"Alex Rivera", b"alex.rivera@example.com", b"555 0142"):
        assert private not in page.data
    # The cookie no longer opens it, anywhere; the saved draft stays for its link.
    assert location(client.get("/screening/review")) == "/screening/"
    assert b"Alex Rivera" not in client.get("/screening/", follow_redirects=True).data
    draft = stored_draft(app)
    assert draft.answers["full-name"] == "Alex Rivera"
    assert draft.draft_token_hash is None
    assert location(resume_from(client, link)) == "/screening/review"
    assert b"Alex Rivera" in client.get("/screening/step/about-you").data


def test_idle_limit_is_a_setting(tmp_path, database_url):
    app = make_app(tmp_path, database_url, DRAFT_IDLE_MINUTES=5)
    client = app.test_client()
    start_at(app, client, clean_answers())
    save_for_later(app, client, "about-you", clean_answers())
    last_activity_minutes_ago(app, 6)
    assert CLOSED_FOR_PRIVACY in client.get("/screening/").data


def test_im_still_here_keeps_an_idle_draft_open(app, client):
    # session-timeout.js posts it from the warning before the idle limit (WCAG 2.2.1).
    path = start_at(app, client, clean_answers(), "phq9")
    page = client.get(path).data.decode()
    assert 'data-idle-seconds="3600.0"' in page and "I'm still here" in page
    last_activity_minutes_ago(app, 58)
    assert client.post("/screening/keepalive").status_code == 204
    last_activity_minutes_ago(app, 0)  # the keepalive's own time stays
    assert CLOSED_FOR_PRIVACY not in client.get(path).data
    assert stored_draft(app).draft_token_hash is not None


def test_im_still_here_after_the_limit_is_too_late_and_says_so(app, client):
    start_at(app, client, clean_answers(), "phq9")
    last_activity_minutes_ago(app, 61)
    assert client.post("/screening/keepalive").status_code == 409
    # The next page closes it and says why, as without the keepalive.
    assert CLOSED_FOR_PRIVACY in client.get("/screening/step/phq9").data
    # Without a screening in this browser at all, the same.
    assert app.test_client().post("/screening/keepalive").status_code == 409
