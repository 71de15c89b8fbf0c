"""In Chromium: before a clinician's idle session ends, or a person's screening closes for
privacy, the page warns with a button that keeps it (WCAG 2.2.1 Timing Adjustable); typing a
note counts as activity, so a note written over a long call is not lost to the timer.

Both idle limits are 8 seconds here (SESSION_IDLE_MINUTES and DRAFT_IDLE_MINUTES set to 8/60),
so the warning comes 4 s after the last request (half the limit; 2 minutes with the defaults):
time enough for a loaded machine to press the button before the limit."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.journey import resume_at
from tests.questionnaire.factories import clean_answers

pytestmark = pytest.mark.browser

IDLE_SECONDS = 8


@pytest.fixture(scope="module")
def live_app_config() -> dict[str, object]:
    """A short idle limit, so the test waits seconds, not minutes."""
    return {"SESSION_IDLE_MINUTES": IDLE_SECONDS / 60, "DRAFT_IDLE_MINUTES": IDLE_SECONDS / 60}


def is_keepalive(response) -> bool:  # type: ignore[no-untyped-def]
    """The answer to session-timeout.js's keepalive (staff or screening)."""
    return response.request.method == "POST" and response.url.endswith("/keepalive")


def stay_when_warned(tab, button: str, shot: str):  # type: ignore[no-untyped-def]
    """Wait for the warning, find focus on its button and press it at once (checks of the
    dialog come after, so a slow machine is in time): the keepalive answers 204. Return the
    warning."""
    warning = tab.locator("#session-warning")
    stay = warning.get_by_role("button", name=button)
    expect(warning).to_be_visible(timeout=IDLE_SECONDS * 1000)
    expect(stay).to_be_focused()
    screenshot(tab, shot)
    with tab.expect_response(is_keepalive, timeout=15_000) as kept:
        stay.click()
    assert kept.value.status == 204
    expect(warning).to_be_hidden()
    return warning


def test_a_clinician_is_warned_stays_signed_in_and_keeps_a_long_note(
    live_app, staff, phone, admin_state
):  # type: ignore[no-untyped-def]
    tab = phone(storage_state=admin_state)
    tab.goto(f"{live_app.url}/portal/s/{staff.routine_id}")
    loaded = time.monotonic()
    note = tab.locator("#note-body")
    # Typing a third of the way in reaches the server (nothing else would until "Add note").
    tab.wait_for_timeout(IDLE_SECONDS / 3 * 1000 + 500)
    with tab.expect_response(is_keepalive, timeout=15_000) as typed:
        note.type("Long call: talked through the first visit")
    assert typed.value.status == 204
    typed_at = time.monotonic()
    assert typed_at - loaded < IDLE_SECONDS  # the page's own limit had not passed
    # Then nothing for a while: the warning comes before the limit.
    warning = stay_when_warned(tab, "Stay signed in", "timeout-warning-staff")
    # Named by its text for a screen reader (no full page audit: the dialog is a paragraph and
    # a button, and the portal pages' audits run elsewhere).
    assert warning.get_attribute("role") == "alertdialog"
    assert warning.get_attribute("aria-labelledby") == "session-warning-text"
    # Past the limit counted from the typing: only the button's keepalive keeps it.
    tab.wait_for_timeout(max(0.0, typed_at + IDLE_SECONDS + 0.5 - time.monotonic()) * 1000)
    note.type(" and the fees.")
    tab.get_by_role("button", name="Add note").click()
    expect(tab.locator(".flash")).to_contain_text("Note added.")
    expect(tab.locator(".notes-timeline")).to_contain_text(
        "Long call: talked through the first visit and the fees."
    )


def test_a_person_is_warned_before_the_screening_closes_and_can_stay(live_app, phone):  # type: ignore[no-untyped-def]
    tab = resume_at(phone, live_app, "phq9", clean_answers(), "es", True)
    warning = stay_when_warned(tab, "Sigo aquí", "timeout-warning-es")
    expect(warning).to_contain_text("Para proteger su privacidad")
