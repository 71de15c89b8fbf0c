"""In Chromium at 390 px and 1280 px: the three ways to keep a resume link (copy with
JavaScript, email, show again; the link selectable without JavaScript), and two devices
taking turns at one screening without losing what the first had typed."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SIZES
from tests.browser.journey import (
    CONTINUE_FROM_LINK,
    NEXT,
    SAVE,
    fill_visible,
    path_of,
    section_id_of,
)
from tests.factories import resume_token_at
from tests.questionnaire.factories import clean_answers

pytestmark = pytest.mark.browser

RESEND = 'button[name="action"][value="next"]'


def open_link(context, link: str):  # type: ignore[no-untyped-def]
    """Open a resume link in a new tab of `context` and continue there; return the tab."""
    tab = context.new_page()
    tab.goto(link)
    tab.click(CONTINUE_FROM_LINK)
    return tab


def saved_link(tab) -> str:  # type: ignore[no-untyped-def]
    """Press "Save and finish later" and return the link the saved page shows."""
    tab.click(SAVE)
    assert path_of(tab.url) == "/screening/saved"
    return tab.locator("#resume-link").input_value().strip()


def outbox(live_app) -> list[Path]:  # type: ignore[no-untyped-def]
    """The emails the app wrote (no MAIL_SERVER here)."""
    folder = Path(live_app.app.instance_path) / "outbox"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


@SIZES
def test_copy_email_and_show_again(live_app, device, size):
    answers = clean_answers()
    token = resume_token_at(live_app.app, "concerns", answers)
    phone = device(size)
    tab = open_link(phone, f"{live_app.url}/screening/resume/{token}")
    link = saved_link(tab)
    assert link.startswith(f"{live_app.url}/screening/resume/")
    # Nothing sticks out sideways on a phone.
    assert tab.evaluate("document.documentElement.scrollWidth") <= size["width"]

    tab.click("#copy-link")
    # The clipboard answers asynchronously: wait (up to the tab's 5 s) for the message.
    expect(tab.locator("#copy-status")).to_have_text("Link copied.")
    assert tab.evaluate("navigator.clipboard.readText()") == link

    before = len(outbox(live_app))
    tab.fill("#email", "keep.my.link@example.net")
    tab.click(".email-link-form button[type=submit]")
    assert path_of(tab.url) == "/screening/saved"
    assert "We sent the link" in tab.locator(".flash").inner_text()
    sent = outbox(live_app)[before:]
    assert len(sent) == 1
    message = email.message_from_bytes(sent[0].read_bytes(), policy=policy.default)
    assert link in message.get_body().get_content()

    tab.goto(f"{live_app.url}/screening/")
    tab.click("text=Show my link again")
    assert tab.locator("#resume-link").input_value().strip() == link


def test_without_javascript_the_link_is_selectable_and_there_is_no_copy_button(live_app, device):
    token = resume_token_at(live_app.app, "concerns", clean_answers())
    tab = open_link(device(PHONE, javascript=False), f"{live_app.url}/screening/resume/{token}")
    link = saved_link(tab)
    assert tab.locator("#resume-link").is_visible() and link
    assert not tab.locator("#copy-link").is_visible()
    assert tab.locator("#email").is_visible()


@SIZES
def test_a_second_device_does_not_silently_destroy_the_first_ones_page(live_app, device, size):
    answers = clean_answers(goals="Typed on the first device")
    token = resume_token_at(live_app.app, "concerns", answers)
    first = device(size)
    tab = open_link(first, f"{live_app.url}/screening/resume/{token}")
    link = saved_link(tab)
    tab.go_back()  # back on the step, as a person who saved and then carried on typing
    assert section_id_of(tab.url) == "concerns"
    fill_visible(tab, "concerns", answers)

    # The second device opens the link: it is warned, and continues.
    second = device(size).new_page()
    second.goto(link)
    assert "open on another device" in second.locator("main").inner_text()
    second.click(CONTINUE_FROM_LINK)
    assert section_id_of(second.url) == "concerns"

    # The first device presses Next: told plainly, its typed answer kept to send again.
    tab.click(NEXT)
    notice = tab.locator(".notice").inner_text()
    assert "continued on another device" in notice and "this page could not be saved" in notice
    assert tab.locator('[name="goals"]').input_value() == "Typed on the first device"
    tab.click(RESEND)  # still not its draft: nothing is written, nothing is lost
    assert tab.locator('[name="goals"]').input_value() == "Typed on the first device"

    # The second device saves; its new link opened on the first device gives the draft back,
    # and the page left open there sends what was typed.
    newest = saved_link(second)
    open_link(first, newest)
    tab.bring_to_front()
    tab.click(RESEND)
    assert section_id_of(tab.url) == "treatment-history", tab.url
    tab.goto(f"{live_app.url}/screening/step/concerns")
    assert tab.locator('[name="goals"]').input_value() == "Typed on the first device"
