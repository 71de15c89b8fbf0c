"""The callback board in Chromium: the queue's first row is on screen at once on a phone and a
laptop, nothing scrolls sideways, from a phone a clinician takes a case, logs two calls and
sets the next follow-up, and times read on the clinic's clock across a change of daylight time.

The server runs in this process (tests/browser/conftest.py), so a test stops its clock the
way the other tests do: by replacing screening.clock.utcnow for the test's duration.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from screening import clock
from tests.browser.checks import overflow_problems
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.factories import make_submission

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
    screenshot(tab, "callback-board-after-calls", desktop=True)

    tab.goto(f"{base}/portal/")
    row = tab.locator(".queue-table tbody tr", has=tab.locator(f"a[href$='{staff.routine_id}']"))
    assert "2 attempts, last: left voicemail" in row.inner_text()
    assert "2026-12-03" in row.inner_text() and "Ada Admin" in row.inner_text()


# 4:30 PM on Sunday 1 November 2026 in Gilroy, the day daylight time ended there (1:59 PDT was
# followed by 1:00 PST); UTC already says 2 November.
AFTER_DST_ENDED = datetime(2026, 11, 2, 0, 30, tzinfo=UTC)
NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM/PM


def test_times_show_on_the_clinic_clock_across_the_end_of_daylight_time(
    live_app, staff, phone, admin_state, monkeypatch
):  # type: ignore[no-untyped-def]
    app, base = live_app.app, live_app.url
    # The two 1:30 AMs of 1 November at the clinic: daylight time, then an hour later standard.
    daylight = make_submission(
        app, submitted_at=datetime(2026, 11, 1, 8, 30, tzinfo=UTC), full_name="Dana Daylight"
    )
    standard = make_submission(
        app, submitted_at=datetime(2026, 11, 1, 9, 30, tzinfo=UTC), full_name="Sam Standard"
    )
    monkeypatch.setattr(clock, "utcnow", lambda: AFTER_DST_ENDED)
    tab = phone(storage_state=admin_state)
    tab.goto(f"{base}/portal/")
    for public_id, offset, zone, waited in (
        (daylight, "-07:00", "Pacific Daylight Time", "16 hours"),
        (standard, "-08:00", "Pacific Standard Time", "15 hours"),
    ):
        row = tab.locator(".queue-table tbody tr", has=tab.locator(f"a[href$='{public_id}']"))
        sent = row.locator("time").first
        assert sent.inner_text() == f"today 1:30{NNBSP}AM"
        assert sent.get_attribute("datetime") == f"2026-11-01T01:30:00{offset}"
        assert sent.get_attribute("title") == (f"Sunday, November 1, 2026, 1:30:00{NNBSP}AM {zone}")
        # Waiting is plain clock time: the same 1:30 AM, an hour apart.
        assert waited in row.inner_text()

    tab.goto(f"{base}/portal/s/{standard}")
    heading = tab.locator("h1 time")
    assert heading.inner_text() == f"today 1:30{NNBSP}AM"
    assert heading.get_attribute("title").endswith("Pacific Standard Time")
    assert tab.title().startswith(f"Screening submitted today 1:30{NNBSP}AM")
