"""A person who uses only the keyboard completes the whole screening.

Only Tab, Shift+Tab, Space, Enter, arrow keys and typing: radios are chosen with the arrow keys
within their group, checkboxes with Space, text is typed after tabbing to the field, the date
of birth is typed as digits, and buttons are pressed with Enter. No clicks, no fill or check.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.journey import (
    every_step_answers,
    is_crisis_page,
    latest_submission_answers,
    path_of,
    section_id_of,
    step_items,
)

pytestmark = pytest.mark.browser

# Where the focus is relative to `target`: on it, before it (Tab on) or after it (Shift+Tab).
FOCUS_POSITION = """
(selector) => {
  const target = document.querySelector(selector);
  if (!target) return 'missing';
  const active = document.activeElement;
  if (active && active.matches(selector)) return 'here';
  if (!active || active === document.body) return 'before';
  const following = target.compareDocumentPosition(active) & Node.DOCUMENT_POSITION_FOLLOWING;
  return following ? 'after' : 'before';
}
"""


def focus_by_keyboard(tab, selector: str, limit: int = 200) -> None:  # type: ignore[no-untyped-def]
    """Press Tab (or Shift+Tab when the target is behind) until the focus is on `selector`."""
    for _ in range(limit):
        where = tab.evaluate(FOCUS_POSITION, selector)
        if where == "here":
            return
        assert where != "missing", f"no {selector} on {tab.url}"
        tab.keyboard.press("Shift+Tab" if where == "after" else "Tab")
    raise AssertionError(f"could not reach {selector} with the keyboard on {tab.url}")


def choose_radio(tab, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Tab into a radio group, then select with Space and the arrow keys."""
    focus_by_keyboard(tab, f'input[type="radio"][name="{name}"]')
    values = tab.eval_on_selector_all(
        f'input[type="radio"][name="{name}"]', "els => els.map(e => e.value)"
    )
    current = tab.evaluate("document.activeElement.value")
    if not tab.evaluate("document.activeElement.checked"):
        tab.keyboard.press("Space")
    steps = values.index(value) - values.index(current)
    for _ in range(abs(steps)):
        tab.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    assert tab.is_checked(f'input[name="{name}"][value="{value}"]'), (name, value)


def tick_checkbox(tab, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Tab to a checkbox and press Space."""
    selector = f'input[type="checkbox"][name="{name}"][value="{value}"]'
    focus_by_keyboard(tab, selector)
    if not tab.is_checked(selector):
        tab.keyboard.press("Space")
    assert tab.is_checked(selector), (name, value)


def type_into(tab, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Tab to a field and type."""
    focus_by_keyboard(tab, selector)
    tab.keyboard.type(text)


def type_date(tab, selector: str, iso: str) -> None:  # type: ignore[no-untyped-def]
    """Tab to a date field and type its digits as shown in en-US: month, day, year."""
    year, month, day = iso.split("-")
    focus_by_keyboard(tab, selector)
    tab.keyboard.type(month + day + year)
    assert tab.input_value(selector) == iso


def press_button(tab, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Tab to a button or link and press Enter, waiting for the next page."""
    focus_by_keyboard(tab, selector)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def answer_by_keyboard(tab, items, answers: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Answer a step's questions with the keyboard alone."""
    for item in items:
        if item.link_id not in answers or item.type == "display":
            continue
        value = answers[item.link_id]
        name = item.link_id
        if item.type == "boolean":
            choose_radio(tab, name, "yes" if value else "no")
        elif item.type in {"choice", "open-choice"} and item.repeats:
            for code in value:
                if item.option(code):
                    tick_checkbox(tab, name, code)
                else:
                    type_into(tab, f'[name="{name}__other"]', code)
        elif item.type in {"choice", "open-choice"}:
            if item.option(value):
                choose_radio(tab, name, value)
            else:
                type_into(tab, f'[name="{name}__other"]', value)
        elif item.type == "date":
            type_date(tab, f'[name="{name}"]', value)
        else:
            type_into(tab, f'[name="{name}"]', str(value))


def test_keyboard_only_person_completes_the_whole_screening(live_app, phone):
    answers = every_step_answers()
    tab = phone()
    tab.goto(live_app.url + "/screening/")
    press_button(tab, 'form[action$="/screening/start"] button[type="submit"]')
    visited = []
    for _ in range(30):
        section_id = section_id_of(tab.url)
        if section_id is None:
            break
        if is_crisis_page(tab):
            press_button(tab, 'form[action$="/continue"] button[type="submit"]')
            continue
        visited.append(section_id)
        answer_by_keyboard(tab, step_items(section_id, answers), answers)
        if section_id == "about-you":
            # Enter in a text field means Next, though Back comes first on the page.
            focus_by_keyboard(tab, '[name="pronouns"]')
            with tab.expect_navigation():
                tab.keyboard.press("Enter")
        else:
            press_button(tab, '.actions button[value="next"]')
        assert section_id_of(tab.url) != section_id, f"{section_id} did not move on"
    assert {"safety", "pcptsd5"} <= set(visited), visited
    assert path_of(tab.url) == "/screening/review"
    # Consent is a box to tick for each statement.
    tick_checkbox(tab, "consent-accuracy", "yes")
    tick_checkbox(tab, "consent-privacy", "yes")
    type_into(tab, '[name="signature"]', "Alex Rivera")
    press_button(tab, '#review-form button[type="submit"]')
    assert path_of(tab.url) == "/screening/done"
    screenshot(tab, "keyboard-done")
    # What was typed and chosen is what the clinic receives.
    stored = latest_submission_answers(live_app.app)
    differing = {k: (v, stored.get(k)) for k, v in answers.items() if stored.get(k) != v}
    assert not differing, differing
