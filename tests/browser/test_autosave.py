"""In Chromium: wizard.js keeps a step's answers on the server as they change, so a page
closed before any button loses nothing (a risk answer chosen there is recorded), and a button
pressed while such a save is on its way waits for it, so older answers never land last."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from screening.database import new_session
from screening.models import Submission
from tests.browser.journey import NEXT, STEP_PATH, fill_visible, resume_at
from tests.factories import load_submission
from tests.questionnaire.factories import NOT_AT_ALL, SEVERAL_DAYS, clean_answers

pytestmark = pytest.mark.browser


def newest_draft(app) -> Submission:  # type: ignore[no-untyped-def]
    """The screening started last, as stored now."""
    with app.app_context():
        db = new_session()
        try:
            public_id = db.scalars(
                select(Submission.public_id).order_by(Submission.id.desc()).limit(1)
            ).one()
        finally:
            db.close()
    return load_submission(app, public_id)


def is_autosave_request(request) -> bool:  # type: ignore[no-untyped-def]
    """A save wizard.js is sending: a script's POST (a button's is a page load). Told apart
    without its body, which Chromium does not always hand to Playwright."""
    return request.method == "POST" and request.resource_type == "fetch"


def is_autosave(response) -> bool:  # type: ignore[no-untyped-def]
    """The answer to a save wizard.js sent."""
    return is_autosave_request(response.request)


def test_a_page_closed_before_any_button_keeps_what_was_typed_and_the_risk_answer(live_app, phone):  # type: ignore[no-untyped-def]
    answers = clean_answers(**{"phq9-9": SEVERAL_DAYS})
    tab = resume_at(phone, live_app, "phq9", answers, "en", True)
    with tab.expect_response(is_autosave, timeout=15_000) as saved:
        fill_visible(tab, "phq9", answers)
    assert saved.value.status == 204
    draft = newest_draft(live_app.app)
    assert [event.answers for event in draft.disclosures] == [{"phq9-9": SEVERAL_DAYS}]
    # The tab is closed; the same browser opens the step again: every answer is there.
    context = tab.context
    tab.close()
    again = context.new_page()
    again.goto(f"{live_app.url}{STEP_PATH}phq9")
    expect(again.locator(f'input[name="phq9-9"][value="{SEVERAL_DAYS}"]')).to_be_checked()
    expect(again.locator("#crisis-phq9-9")).to_be_visible()


def test_next_pressed_while_a_save_is_on_its_way_waits_for_it(live_app, phone):  # type: ignore[no-untyped-def]
    answers = clean_answers(**{"phq9-9": SEVERAL_DAYS})
    tab = resume_at(phone, live_app, "phq9", answers, "en", True)
    held = []

    def hold_saves(route) -> None:  # type: ignore[no-untyped-def]
        # Hold wizard.js's save on its way, as a slow network would; let the rest through.
        if is_autosave_request(route.request):
            held.append(route)
        else:
            route.continue_()

    tab.route(f"**{STEP_PATH}phq9", hold_saves)
    # Every script POST the page sends, held or not: what a failure below reports.
    sent: list[str] = []
    tab.on("request", lambda r: sent.append(r.url) if is_autosave_request(r) else None)
    fill_visible(tab, "phq9", answers)
    deadline = time.monotonic() + 15  # 0.8 s after the last change, later on a busy machine
    while not held and time.monotonic() < deadline:
        tab.wait_for_timeout(100)
    # (Once in about ten runs of the Chromium tests, on a freshly installed Chromium, no save
    # was held here in 15 s; not reproduced in 14 runs since.)
    assert len(held) == 1, {"page": tab.url, "saves sent": sent}
    # The person takes the risk answer back and presses Next (twice, as people do when a
    # page seems slow) while that save is held: one Next reaches the server (the browser
    # keeps one planned submission of a form).
    nexts: list[str] = []
    tab.on(
        "request",
        lambda request: (
            request.method == "POST"
            and request.resource_type == "document"
            and nexts.append(request.url)
        ),
    )
    tab.check(f'input[name="phq9-9"][value="{NOT_AT_ALL}"]')
    tab.click(NEXT)
    tab.click(NEXT)
    assert tab.url.endswith(f"{STEP_PATH}phq9")  # waiting for the save first
    held[0].continue_()
    expect(tab).to_have_url(f"{live_app.url}{STEP_PATH}gad7")
    assert len(nexts) == 1, nexts
    # Next's answer is the one kept: the older one, saved first, did not land last.
    tab.goto(f"{live_app.url}{STEP_PATH}phq9")
    expect(tab.locator(f'input[name="phq9-9"][value="{NOT_AT_ALL}"]')).to_be_checked()
    draft = newest_draft(live_app.app)
    assert draft.answers["phq9-9"] == NOT_AT_ALL
    # The answer chosen first is still recorded: a disclosure is a fact once given.
    assert [event.answers for event in draft.disclosures] == [{"phq9-9": SEVERAL_DAYS}]


def test_the_contact_today_form_is_sent_only_by_its_button(live_app, phone):  # type: ignore[no-untyped-def]
    # It asks for a name and a phone before an urgent record is made: typing them is not
    # pressing "Send" (wizard.js keeps only an open step's answers).
    answers = clean_answers(**{"phq9-9": SEVERAL_DAYS})
    tab = resume_at(phone, live_app, "phq9", answers, "en", True)
    fill_visible(tab, "phq9", answers)
    tab.click('#crisis-phq9-9 button[name="action"][value="reach"]')
    expect(tab).to_have_url(re.compile(r"/screening/contact-today$"))
    saves: list[str] = []
    tab.on("request", lambda request: is_autosave_request(request) and saves.append(request.url))
    tab.fill("#full-name", "Sam Later")
    tab.fill("#phone", "(408) 555-0123")
    tab.wait_for_timeout(1500)  # longer than wizard.js waits after a change
    assert saves == []
    assert newest_draft(live_app.app).state == "draft"
