"""The whole screening works with JavaScript turned off: the server does what wizard.js adds.

Follow-up questions arrive from the server on Next with a "few more questions" notice, the
crisis page follows a risk answer, and the screening is sent.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.journey import (
    CONTINUE_AFTER_CRISIS,
    NEXT,
    SEND,
    START,
    answer_step,
    every_step_answers,
    fill_consent,
    is_crisis_page,
    latest_submission_answers,
    path_of,
    section_id_of,
    step_items,
)

pytestmark = pytest.mark.browser

MORE_QUESTIONS = "there are a few more questions on this page"


def test_whole_screening_completes_without_javascript(live_app, phone):
    answers = every_step_answers()
    tab = phone(javascript=False)
    tab.goto(live_app.url + "/screening/")
    tab.click(START)
    revealed_on: list[str] = []
    crisis_after: list[str] = []
    previous = None
    for _ in range(40):
        section_id = section_id_of(tab.url)
        if section_id is None:
            break
        if is_crisis_page(tab):
            crisis_after.append(previous or "")
            assert "988" in tab.locator("main").inner_text()
            screenshot(tab, "nojs-crisis")
            tab.click(CONTINUE_AFTER_CRISIS)
            continue
        # Only what applies so far is shown; the rest waits for the server.
        items = step_items(section_id, answers)
        shown = [item for item in items if tab.locator(f"#q-{item.link_id}").is_visible()]
        answer_step(tab, shown, answers)
        tab.click(NEXT)
        if section_id_of(tab.url) == section_id and not is_crisis_page(tab):
            assert MORE_QUESTIONS in tab.locator(".notice").inner_text()
            revealed_on.append(section_id)
            screenshot(tab, f"nojs-more-questions-{section_id}")
            answer_step(tab, step_items(section_id, answers), answers)
            tab.click(NEXT)
        assert section_id_of(tab.url) != section_id or is_crisis_page(tab), section_id
        previous = section_id
    # Follow-ups that depend on an answer on the same page came from the server.
    assert {"concerns", "treatment-history", "medical"} <= set(revealed_on), revealed_on
    assert crisis_after[:1] == ["phq9"], crisis_after
    assert path_of(tab.url) == "/screening/review"
    fill_consent(tab)
    tab.click(SEND)
    assert path_of(tab.url) == "/screening/done"
    stored = latest_submission_answers(live_app.app)
    assert stored["pcptsd5-1"] == "yes" and stored["open-to-therapist"] == "yes"
    assert stored["safety-safe-now"] is True
