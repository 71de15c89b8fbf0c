"""A person in Chromium goes from the home page to the confirmation page."""

from __future__ import annotations

from typing import Any

import pytest

from screening.questionnaire.conditions import enabled_items
from tests.browser.conftest import definition, screenshot
from tests.questionnaire.factories import clean_answers

pytestmark = pytest.mark.browser


def fill_step(tab, items, answers: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Answer the visible questions of a step the way a person would: click and type."""
    for item in items:
        if item.link_id not in answers or item.type == "display":
            continue
        value = answers[item.link_id]
        if item.type == "boolean":
            tab.check(f'input[name="{item.link_id}"][value="{"yes" if value else "no"}"]')
        elif item.type in {"choice", "open-choice"}:
            for code in value if isinstance(value, list) else [value]:
                if item.option(code):
                    tab.check(f'input[name="{item.link_id}"][value="{code}"]')
                else:
                    tab.fill(f'[name="{item.link_id}__other"]', code)
        else:
            tab.fill(f'[name="{item.link_id}"]', str(value))


def test_person_completes_screening_from_home_page(live_server, page):
    answers = clean_answers(goals="Feel steadier at work.")
    q = definition()
    page.goto(live_server + "/")
    screenshot(page, "home-390")
    page.get_by_role("link", name="Start the screening (about 10 minutes)").first.click()
    page.get_by_role("button", name="I understand – start the screening").click()
    for _ in range(20):
        if "/screening/step/" not in page.url:
            break
        section_id = page.url.rsplit("/", 1)[-1]
        fill_step(page, enabled_items(q.section(section_id), answers), answers)
        screenshot(page, f"step-{section_id}-390")
        page.get_by_role("button", name="Next").click()
    assert page.url.endswith("/screening/review")
    screenshot(page, "review-390")
    page.check('input[name="consent-accuracy"][value="yes"]')
    page.check('input[name="consent-privacy"][value="yes"]')
    page.fill('[name="signature"]', "Alex Rivera")
    page.get_by_role("button", name="Send my screening").click()
    assert page.url.endswith("/screening/done")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    screenshot(page, "done-390")


def test_crisis_panel_appears_the_moment_a_risk_answer_is_chosen(live_server, page):
    answers = clean_answers()
    page.goto(live_server + "/screening/")
    page.get_by_role("button", name="I understand – start the screening").click()
    panel = page.locator("#crisis-phq9-9")
    q = definition()
    for section_id in ("about-you", "concerns", "treatment-history"):
        fill_step(page, enabled_items(q.section(section_id), answers), answers)
        page.get_by_role("button", name="Next").click()
    assert page.url.endswith("/screening/step/phq9")
    assert panel.is_hidden()
    page.check('input[name="phq9-9"][value="LA6569-3"]')
    assert panel.is_visible()
    assert "988" in panel.inner_text()
    screenshot(page, "crisis-inline-390")
    page.check('input[name="phq9-9"][value="LA6568-5"]')
    assert panel.is_hidden()
