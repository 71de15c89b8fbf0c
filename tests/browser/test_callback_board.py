"""The callback board in Chromium: the queue's first row is on screen at once on a phone and a
laptop, nothing scrolls sideways, and from a phone a clinician takes a case, logs two calls
and sets the next follow-up.
"""

from __future__ import annotations

import pytest

from tests.browser.checks import overflow_problems
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.browser


def test_the_queue_opens_on_its_first_row_at_phone_and_laptop_width(
    live_app, staff, phone, admin_state
):  # type: ignore[no-untyped-def]
    tab = phone(storage_state=admin_state)
    tab.goto(f"{live_app.url}/portal/")
    for viewport in (PHONE, DESKTOP):
        tab.set_viewport_size(viewport)
        first = tab.locator(".queue-table tbody tr").first
        box = first.bounding_box()
        # The row starts on the first screen, and its name (the link to open it) is on it too.
        name = first.locator("th a").bounding_box()
        assert box and name and name["y"] + name["height"] <= viewport["height"], (viewport, box)
        assert tab.evaluate("window.scrollY") == 0
        assert tab.locator("details.queue-filter").get_attribute("open") is None
        screenshot(tab, "callback-board-queue")
    assert overflow_problems(tab, (PHONE["width"], DESKTOP["width"])) == []


def test_a_clinician_takes_a_case_logs_two_calls_and_sets_a_follow_up_on_a_phone(
    live_app, staff, phone, admin_state
):  # type: ignore[no-untyped-def]
    tab = phone(storage_state=admin_state)
    base = live_app.url
    tab.goto(f"{base}/portal/s/{staff.routine_id}")
    bar = tab.locator(".action-bar")
    assert bar.locator("a[href^='tel:'], a[href^='mailto:'], a[href^='sms:']").count() >= 1
    bar.get_by_role("button", name="Take it").click()
    assert "Assigned to: Ada Admin" in tab.locator(".action-bar").inner_text()

    bar.get_by_role("link", name="Log a call").click()
    tab.select_option("#call-outcome", "no-answer")
    tab.click("#log-call button[type=submit]")
    tab.select_option("#call-outcome", "left-voicemail")
    tab.fill("#call-note", "Said my first name only.")
    tab.fill("#call-next_follow_up_on", "2026-12-03")
    tab.click("#log-call button[type=submit]")
    assert "Follow-up: 2026-12-03" in tab.locator(".action-bar").inner_text()
    assert tab.locator(".notes-timeline .note").count() == 2
    assert overflow_problems(tab, (PHONE["width"],)) == []
    screenshot(tab, "callback-board-after-calls")

    tab.goto(f"{base}/portal/")
    row = tab.locator(".queue-table tbody tr", has=tab.locator(f"a[href$='{staff.routine_id}']"))
    assert "2 attempts, last: left voicemail" in row.inner_text()
    assert "2026-12-03" in row.inner_text() and "Ada Admin" in row.inner_text()
