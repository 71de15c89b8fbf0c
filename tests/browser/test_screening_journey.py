"""A person in Chromium goes from the home page to the confirmation page."""

from __future__ import annotations

import re

import pytest

from screening.questionnaire.conditions import enabled_items
from tests.browser.conftest import SIZES, definition, screenshot
from tests.browser.journey import fill_step
from tests.questionnaire.factories import clean_answers

pytestmark = pytest.mark.browser
# The time is computed from the definition (screening/questionnaire/estimate.py).
START_SCREENING = re.compile(r"Start the screening \(about \d+ minutes\)")


# A calm adult's steps, in order: why they came first, contact details last before the review.
# Step 5 ("Checking in with you", the safety step) does not apply to them and counts as skipped.
CALM_STEPS = {
    "concerns": 1,
    "treatment-history": 2,
    "phq9": 3,
    "gad7": 4,
    "pcptsd5": 6,
    "mental-health": 7,
    "substance-use": 8,
    "medical": 9,
    "medications": 10,
    "practicalities": 11,
    "about-you": 12,
}
STEP_COUNT = 13
HEADINGS_BELOW_MARKER = """
() => [...document.querySelectorAll('.review-section > summary')]
  .filter((summary) => summary.querySelector('h2').getBoundingClientRect().top
    - summary.getBoundingClientRect().top > 16)
  .map((summary) => summary.textContent.trim())
"""
SKIPPED_SAFETY = "Skipped: Checking in with you (it does not apply to your answers)"


@SIZES
def test_person_completes_screening_from_home_page(live_app, device, size):
    """The order of the steps, a step count fixed from the start (a step that does not apply
    is said to be skipped), a gate opening its list, at phone and at laptop width."""
    answers = clean_answers(goals="Feel steadier at work.")
    q = definition()
    page = device(size).new_page()
    page.goto(live_app.url + "/")
    screenshot(page, "home")
    page.get_by_role("link", name=START_SCREENING).first.click()
    page.get_by_role("button", name="I understand – start the screening").click()
    visited = {}
    for _ in range(20):
        if "/screening/step/" not in page.url:
            break
        section_id = page.url.rsplit("/", 1)[-1]
        page.wait_for_load_state("domcontentloaded")
        progress = re.fullmatch(r"Step (\d+) of (\d+)", page.locator(".progress").inner_text())
        assert progress and int(progress[2]) == STEP_COUNT, (section_id, progress)
        visited[section_id] = int(progress[1])
        skipped = page.locator(".progress-skipped").all_inner_texts()
        assert skipped == ([SKIPPED_SAFETY] if section_id == "pcptsd5" else []), section_id
        if section_id == "medical":
            # The list behind the gate shows only once the gate is not "no".
            conditions = page.locator("#q-medical-conditions")
            assert conditions.is_hidden()
            page.check('input[name="heart-brain-any"][value="yes"]')
            assert conditions.is_visible()
        fill_step(page, enabled_items(q.section(section_id), answers), answers)
        if section_id == "medical":
            assert page.locator("#q-medical-conditions").is_hidden()  # the gate is "no" now
        screenshot(page, f"step-{section_id}")
        page.get_by_role("button", name="Next").click()
    assert visited == CALM_STEPS
    assert list(visited) == list(CALM_STEPS)
    assert page.url.endswith("/screening/review")
    assert page.locator(".progress").inner_text() == f"Step {STEP_COUNT} of {STEP_COUNT}"
    assert page.locator(".progress-skipped").all_inner_texts() == [SKIPPED_SAFETY]
    # Nothing sticks out sideways, and each folded section's heading starts on its marker's
    # line (a long one once dropped below the marker, which then stood alone).
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    assert page.evaluate(HEADINGS_BELOW_MARKER) == []
    screenshot(page, "review")
    page.check('input[name="consent-accuracy"][value="yes"]')
    page.check('input[name="consent-privacy"][value="yes"]')
    page.fill('[name="signature"]', "Alex Rivera")
    page.get_by_role("button", name="Send my screening").click()
    assert page.url.endswith("/screening/done")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")


def test_crisis_panel_appears_the_moment_a_risk_answer_is_chosen(live_app, page):
    answers = clean_answers()
    page.goto(live_app.url + "/screening/")
    page.get_by_role("button", name="I understand – start the screening").click()
    panel = page.locator("#crisis-phq9-9")
    q = definition()
    for section_id in ("concerns", "treatment-history"):
        fill_step(page, enabled_items(q.section(section_id), answers), answers)
        page.get_by_role("button", name="Next").click()
    assert page.url.endswith("/screening/step/phq9")
    page.wait_for_load_state("domcontentloaded")  # wizard.js listening
    assert panel.is_hidden()
    page.check('input[name="phq9-9"][value="LA6569-3"]')
    assert panel.is_visible()
    assert "988" in panel.inner_text()
    screenshot(page, "crisis-inline")
    page.check('input[name="phq9-9"][value="LA6568-5"]')
    assert panel.is_hidden()


def test_follow_up_questions_come_and_go_without_a_round_trip(live_app, page):
    page.goto(live_app.url + "/screening/")
    page.get_by_role("button", name="I understand – start the screening").click()
    # What brings the person here is the first step (contact details come last).
    assert page.url.endswith("/screening/step/concerns")
    page.wait_for_load_state("load")
    requests: list[str] = []

    def round_trip(request) -> None:  # type: ignore[no-untyped-def]
        # A page load or a fetch; the favicon may still arrive late and does not count, nor
        # does wizard.js keeping the answers on the server (it reveals nothing).
        autosave = request.method == "POST" and request.resource_type == "fetch"
        if request.resource_type in {"document", "fetch", "xhr"} and not autosave:
            requests.append(request.url)

    page.on("request", round_trip)
    follow_up = page.locator("#q-open-to-therapist")
    assert follow_up.is_hidden()
    page.check('input[name="has-therapist"][value="no"]')
    assert follow_up.is_visible()
    page.check('input[name="open-to-therapist"][value="maybe"]')
    page.check('input[name="has-therapist"][value="yes"]')
    assert follow_up.is_hidden()
    page.check('input[name="has-therapist"][value="no"]')
    assert follow_up.is_visible()
    # PTSD among the reasons adds a step, decided by the server on Next; nothing on this page.
    page.check('input[name="reasons"][value="ptsd-trauma"]')
    assert requests == [], requests
    screenshot(page, "follow-up-revealed")


def test_a_follow_up_that_appeared_on_screen_and_was_left_blank_needs_one_next(live_app, page):
    # "How many stays?" appears as "yes" is chosen; skipping it (it is optional) must not bring
    # the page back with "there are a few more questions" (that is for pages without JS).
    answers = clean_answers(hospitalized=True, hospital_discharge="2019-06-14")
    answers.pop("hospitalization-details", None)
    q = definition()
    page.goto(live_app.url + "/screening/")
    page.get_by_role("button", name="I understand – start the screening").click()
    fill_step(page, enabled_items(q.section("concerns"), answers), answers)
    page.get_by_role("button", name="Next").click()
    assert page.url.endswith("/screening/step/treatment-history")
    fill_step(page, enabled_items(q.section("treatment-history"), answers), answers)
    assert page.locator("#hospitalization-details").is_visible()
    page.get_by_role("button", name="Next").click()
    assert page.url.endswith("/screening/step/phq9"), page.url
