"""Every page of the screening, in English and Spanish, checked as it is met and with errors.

One walk per language covers the intro, every step (the conditional safety and PC-PTSD-5
steps included) before and after posting it empty, the crisis page, the saved page and its
resume link, the review page with and without errors, and the confirmation page. Steps are
one page type: axe and the Tab walk check the first, and any step with a kind of element not
met before (tests/browser/checks.py). Nothing on the way is fetched from another host.
"""

from __future__ import annotations

import pytest

from tests.browser.checks import PageAudit, record_foreign_requests
from tests.browser.conftest import screenshot
from tests.browser.journey import (
    CONTINUE_AFTER_CRISIS,
    CONTINUE_FROM_LINK,
    NEXT,
    SAVE,
    SEND,
    START,
    answer_step,
    every_step_answers,
    fill_consent,
    is_crisis_page,
    path_of,
    section_id_of,
    step_items,
)

pytestmark = pytest.mark.browser

# Saved for later after this step, then resumed from the link.
SAVE_AFTER = "medical"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_screening_page_passes_accessibility_checks(live_app, phone, lang):
    answers = every_step_answers()
    tab = phone()
    foreign = record_foreign_requests(tab, live_app.url)
    audit = PageAudit()
    seen_steps: list[str] = []
    saved = False

    tab.goto(f"{live_app.url}/screening/?lang={lang}")
    audit.check(tab, f"intro ({lang})")
    screenshot(tab, f"intro-{lang}", desktop=True)
    tab.click(START)

    for _ in range(30):
        section_id = section_id_of(tab.url)
        if section_id is None:
            break
        if is_crisis_page(tab):
            audit.check(tab, f"crisis page ({lang})")
            screenshot(tab, f"crisis-{lang}", desktop=True)
            tab.click(CONTINUE_AFTER_CRISIS)
            continue
        name = f"step {section_id} ({lang})"
        if section_id in seen_steps:  # resumed: the flash says welcome back
            audit.check(tab, f"resumed at {section_id} ({lang})", page_type="resumed step")
            screenshot(tab, f"resumed-{lang}", desktop=True)
        else:
            seen_steps.append(section_id)
            audit.check(tab, name, page_type="step")
            screenshot(tab, f"step-{section_id}-{lang}", desktop=True)
            # Posted empty: every required question says what is missing.
            tab.click(NEXT)
            assert section_id_of(tab.url) == section_id
            audit.check(
                tab, f"{name} with errors", page_type="step with errors", errors_expected=True
            )
            screenshot(tab, f"step-{section_id}-errors-{lang}")
        answer_step(tab, step_items(section_id, answers), answers)
        if section_id == SAVE_AFTER and not saved:
            saved = True
            tab.click(SAVE)
            assert path_of(tab.url) == "/screening/saved"
            audit.check(tab, f"saved ({lang})")
            screenshot(tab, f"saved-{lang}", desktop=True)
            resume_link = tab.input_value("#resume-link")
            tab.goto(resume_link)
            audit.check(tab, f"resume question ({lang})")
            tab.click(CONTINUE_FROM_LINK)
            continue
        tab.click(NEXT)

    assert {"safety", "pcptsd5"} <= set(seen_steps), seen_steps
    assert path_of(tab.url) == "/screening/review"
    audit.check(tab, f"review ({lang})")
    screenshot(tab, f"review-{lang}", desktop=True)
    tab.click(SEND)
    assert path_of(tab.url) == "/screening/review"
    audit.check(tab, f"review with errors ({lang})", errors_expected=True)
    screenshot(tab, f"review-errors-{lang}")
    fill_consent(tab)
    tab.click(SEND)
    assert path_of(tab.url) == "/screening/done"
    audit.check(tab, f"confirmation ({lang})")
    screenshot(tab, f"done-{lang}", desktop=True)
    assert not foreign, f"requests to other hosts: {foreign}"
    audit.assert_clean()
