"""In Chromium, with JavaScript and without: a risk answer, then "Save and finish later".

The panel shows beside the answer (at once with JavaScript, from the server without), and the
page after saving shows every crisis resource as a link a phone can tap.
"""

from __future__ import annotations

import pytest

from tests.browser.journey import (
    CONTINUE_AFTER_CRISIS,
    NEXT,
    SAVE,
    START,
    every_step_answers,
    fill_visible,
    is_crisis_page,
    path_of,
    section_id_of,
)

pytestmark = pytest.mark.browser

LINKS = ('a[href="tel:988"]', 'a[href="sms:741741"]', 'a[href="tel:911"]')


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_saving_after_a_risk_answer_shows_every_crisis_resource(live_app, phone, javascript):
    answers = every_step_answers()
    tab = phone(javascript=javascript)
    tab.goto(live_app.url + "/screening/")
    tab.click(START)
    while section_id_of(tab.url) != "phq9":
        section_id = section_id_of(tab.url)
        assert section_id is not None and not is_crisis_page(tab)
        fill_visible(tab, section_id, answers)
        tab.click(NEXT)
    fill_visible(tab, "phq9", answers)
    panel = tab.locator("#crisis-phq9-9")
    # wizard.js shows it the moment the answer is chosen; without it, the exits show it.
    assert panel.is_visible() is javascript
    tab.click(SAVE)
    assert path_of(tab.url) == "/screening/saved"
    tab.wait_for_load_state("domcontentloaded")
    main = tab.locator("main")
    assert "not monitored in real time" in main.inner_text()
    for link in LINKS:
        assert main.locator(link).first.is_visible(), link
    assert tab.locator("#resume-link").is_visible()
    # The resume link leads back through the crisis resources before any question.
    link = tab.locator("#resume-link").input_value()
    tab.goto(link)
    for selector in LINKS:
        assert tab.locator(f"main {selector}").first.is_visible(), selector
    tab.locator('form[action*="/screening/resume"] button[type="submit"]').click()
    assert is_crisis_page(tab)
    tab.click(CONTINUE_AFTER_CRISIS)
    assert section_id_of(tab.url) is not None and not is_crisis_page(tab)
