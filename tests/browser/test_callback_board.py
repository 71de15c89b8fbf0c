"""The callback board in Chromium: the queue's first row is on screen at once on a phone and a
laptop, nothing scrolls sideways, from a phone a clinician takes a case, logs two calls and
sets the next follow-up, and times read on the clinic's clock across a change of daylight time.

The server runs in this process (tests/browser/conftest.py), so a test stops its clock the
way the other tests do: by replacing screening.clock.utcnow for the test's duration.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from screening import clock
from tests.browser.checks import PageAudit, overflow_problems
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.factories import URGENT, make_submission

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
    tab.wait_for_load_state("domcontentloaded")
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


def test_an_urgent_case_nobody_called_surfaces_above_the_queue_on_a_phone(
    live_app, staff, phone, admin_state, monkeypatch
):  # type: ignore[no-untyped-def]
    app, base = live_app.app, live_app.url
    # Sent three hours before a stopped clock ten days ahead: on the real clock it is not yet
    # sent, so it surfaces only in this test and leaves the other tests' queue as it was.
    later = clock.utcnow() + timedelta(days=10)
    uncalled = make_submission(
        app, submitted_at=later - timedelta(hours=3), full_name="Uma Uncalled", **URGENT
    )
    monkeypatch.setattr(clock, "utcnow", lambda: later)
    tab = phone(storage_state=admin_state)
    tab.goto(f"{base}/portal/")
    section = tab.locator("section.uncalled")
    row = section.locator("tbody tr", has=tab.locator(f"a[href$='{uncalled}']"))
    assert "Urgent, no call logged for 3 h 0 min" in row.inner_text()
    # The section's first row is on the first screen of a phone.
    name = section.locator("tbody th a").first.bounding_box()
    assert name and name["y"] + name["height"] <= PHONE["height"], name
    audit = PageAudit()
    audit.check(tab, "queue with an urgent case nobody called")
    screenshot(tab, "callback-board-uncalled", desktop=True)
    audit.assert_clean()


def test_a_clinician_turns_the_calendar_feed_on_and_off_from_a_phone(
    live_app, staff, phone, admin_state
):  # type: ignore[no-untyped-def]
    tab = phone(storage_state=admin_state)
    tab.goto(f"{live_app.url}/portal/")
    tab.get_by_role("link", name="Your account").click()
    audit = PageAudit()
    audit.check(tab, "account, feed off")
    tab.get_by_role("button", name="Make my calendar address").click()
    address = tab.locator("#calendar-feed-url").input_value()
    audit.check(tab, "account, feed address shown once")
    screenshot(tab, "account-calendar-feed", desktop=True)
    # A calendar app reads it without signing in.
    with urllib.request.urlopen(address, timeout=5) as response:  # noqa: S310
        body = response.read().decode()
    assert body.startswith("BEGIN:VCALENDAR") and "Ada" not in body
    tab.reload()
    assert address not in tab.content()
    tab.get_by_role("button", name="Turn the feed off").click()
    assert "Your calendar feed is off." in tab.locator("main").inner_text()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(address, timeout=5)  # noqa: S310
    refused.value.close()  # the error holds the response open
    assert refused.value.code == 404
    audit.assert_clean()
