"""Staff pages in Chromium: sign-in, two-step verification, the queue, a screening, admin pages.

Accounts sign in through the real forms with a real TOTP code. Every page gets the checks in
tests/browser/checks.py (axe on the first page of each type, and on any page with a kind of
element not met before). The print view is checked on paper: print media, no navigation, no
buttons.
"""

from __future__ import annotations

import pyotp
import pytest

from tests.auth.support import get_clinician
from tests.browser.checks import PageAudit
from tests.browser.conftest import PHONE, SCREENSHOTS, TAKE_SCREENSHOTS, screenshot
from tests.browser.journey import path_of
from tests.portal_helpers import DEFAULT_PASSWORD, unused_code

pytestmark = pytest.mark.browser

# US Letter at 96 CSS px per inch, less the printer's default margins.
LETTER = {"width": 720, "height": 960}
SUBMIT = "main form:not(.inline-form):not(.search-form) button[type=submit]"


@pytest.fixture
def tab(phone):  # type: ignore[no-untyped-def]
    """A signed-out phone-width page."""
    return phone()


@pytest.fixture
def admin_tab(phone, admin_state):  # type: ignore[no-untyped-def]
    """A phone-width page signed in as the admin."""
    return phone(storage_state=admin_state)


def test_sign_in_pages_pass_accessibility_checks(live_app, staff, tab):
    audit = PageAudit()
    tab.goto(f"{live_app.url}/portal/")
    assert path_of(tab.url) == "/portal/auth/login"
    audit.check(tab, "sign-in")
    screenshot(tab, "portal-sign-in", desktop=True)
    tab.click(SUBMIT)
    audit.check(tab, "sign-in with errors", errors_expected=True)
    tab.fill("#email", staff.admin_email)
    tab.fill("#password", "not the password")
    tab.click(SUBMIT)
    audit.check(tab, "sign-in refused")
    screenshot(tab, "portal-sign-in-refused", desktop=True)

    tab.fill("#email", staff.admin_email)
    tab.fill("#password", DEFAULT_PASSWORD)
    tab.click(SUBMIT)
    assert path_of(tab.url) == "/portal/auth/two-factor"
    audit.check(tab, "two-step code")
    screenshot(tab, "portal-two-factor", desktop=True)
    tab.fill("#code", "000000")
    tab.click(SUBMIT)
    audit.check(tab, "two-step code with errors", errors_expected=True)
    screenshot(tab, "portal-two-factor-errors", desktop=True)
    tab.click("text=Use a recovery code instead")
    audit.check(tab, "recovery code")
    tab.click(SUBMIT)
    audit.check(tab, "recovery code with errors", errors_expected=True)
    tab.click("text=Use a code from the app instead")
    tab.fill("#code", unused_code(live_app.app, staff.admin_email, staff.admin_secret))
    tab.click(SUBMIT)
    assert path_of(tab.url) == "/portal/"
    audit.assert_clean()


def test_enrolment_pages_pass_accessibility_checks(live_app, staff, tab):
    audit = PageAudit()
    tab.goto(f"{live_app.url}/portal/auth/login")
    tab.fill("#email", staff.newcomer_email)
    tab.fill("#password", DEFAULT_PASSWORD)
    tab.click(SUBMIT)
    assert path_of(tab.url) == "/portal/auth/enrol"
    audit.check(tab, "enrolment")
    screenshot(tab, "portal-enrol", desktop=True)
    tab.fill("#code", "12")
    tab.click(SUBMIT)
    audit.check(tab, "enrolment with errors", errors_expected=True)
    newcomer = get_clinician(live_app.app, staff.newcomer_id)
    assert newcomer.email == staff.newcomer_email and newcomer.totp_secret
    tab.fill("#code", pyotp.TOTP(newcomer.totp_secret).now())
    tab.click(SUBMIT)
    tab.wait_for_load_state("domcontentloaded")
    assert tab.locator(".recovery-codes li").count() >= 8
    audit.check(tab, "recovery codes")
    screenshot(tab, "portal-recovery-codes", desktop=True)
    tab.click("main .actions a")
    assert path_of(tab.url) == "/portal/"
    audit.assert_clean()


def test_portal_pages_pass_accessibility_checks(live_app, staff, admin_tab):
    tab = admin_tab
    audit = PageAudit()
    base = live_app.url
    tab.goto(f"{base}/portal/")
    audit.check(tab, "queue")
    screenshot(tab, "portal-queue", desktop=True)
    tab.goto(f"{base}/portal/?category=urgent-safety&status=open")
    assert tab.locator(".queue-table tbody tr").count() == 1
    audit.check(tab, "queue filtered", page_type="queue")
    screenshot(tab, "portal-queue-filtered", desktop=True)
    tab.fill("#search-q", "alex.rivera@example.com")
    tab.click(".search-form button[type=submit]")
    audit.check(tab, "queue searched", page_type="queue")

    tab.goto(f"{base}/portal/s/{staff.urgent_id}")
    # A screening's title leaves out the person's name (titles end up in browser history).
    audit.check(tab, "submission (urgent)", page_type="submission", title_has_h1=False)
    screenshot(tab, "portal-submission-urgent", desktop=True)
    tab.goto(f"{base}/portal/s/{staff.spanish_id}")
    audit.check(tab, "submission (answered in Spanish)", page_type="submission", title_has_h1=False)
    tab.goto(f"{base}/portal/s/{staff.routine_id}")
    tab.fill("#note-body", "Called, left no message. Will try again Monday.")
    tab.click("#notes form button[type=submit]")
    audit.check(tab, "submission with a note", page_type="submission", title_has_h1=False)
    screenshot(tab, "portal-submission", desktop=True)
    tab.click("#notes form button[type=submit]")  # an empty note is refused
    audit.check(tab, "submission with errors", errors_expected=True, title_has_h1=False)
    tab.goto(f"{base}/portal/s/{staff.urgent_id}/print")
    audit.check(tab, "print view", standalone=True, title_has_h1=False)
    screenshot(tab, "portal-print", desktop=True)

    tab.goto(f"{base}/portal/admin/accounts")
    audit.check(tab, "admin accounts")
    screenshot(tab, "portal-accounts", desktop=True)
    tab.goto(f"{base}/portal/admin/accounts/invite")
    audit.check(tab, "invite")
    tab.click(SUBMIT)
    audit.check(tab, "invite with errors", errors_expected=True)
    screenshot(tab, "portal-invite-errors", desktop=True)
    tab.fill("#name", "Sam Colleague")
    tab.fill("#email", "sam@example.org")
    tab.click(SUBMIT)
    audit.check(tab, "account created")
    tab.goto(f"{base}/portal/admin/audit")
    audit.check(tab, "audit trail")
    screenshot(tab, "portal-audit", desktop=True)
    tab.goto(f"{base}/portal/admin/audit?action=auth.")
    audit.check(tab, "audit trail filtered", page_type="audit trail")
    tab.goto(f"{base}/portal/auth/password")
    audit.check(tab, "change password")
    tab.click(SUBMIT)
    audit.check(tab, "change password with errors", errors_expected=True)
    audit.assert_clean()


def test_portal_pages_in_spanish_pass_accessibility_checks(live_app, staff, admin_tab):
    tab = admin_tab
    audit = PageAudit()
    base = live_app.url
    tab.goto(f"{base}/portal/?lang=es")
    assert tab.locator("html").get_attribute("lang") == "es"
    audit.check(tab, "queue (es)")
    tab.goto(f"{base}/portal/?category=urgent-safety&status=open")
    audit.check(tab, "queue filtered (es)", page_type="queue")
    tab.goto(f"{base}/portal/s/{staff.urgent_id}")
    audit.check(tab, "submission (es)", title_has_h1=False)
    tab.goto(f"{base}/portal/s/{staff.urgent_id}/print")
    audit.check(tab, "print view (es)", standalone=True, title_has_h1=False)
    tab.goto(f"{base}/portal/admin/accounts")
    audit.check(tab, "admin accounts (es)")
    tab.goto(f"{base}/portal/admin/accounts/invite")
    tab.click(SUBMIT)
    audit.check(tab, "invite with errors (es)", errors_expected=True)
    tab.goto(f"{base}/portal/admin/audit")
    audit.check(tab, "audit trail (es)")
    tab.goto(f"{base}/portal/?lang=en")
    audit.assert_clean()


PRINT_HIDDEN = """
() => [...document.querySelectorAll(
    'nav, header, footer, button, form, .skip-link, .page-tools, .back-link, .screen-only')]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
"""


def test_print_view_is_clean_on_paper(live_app, staff, admin_tab):
    tab = admin_tab
    for path, name in (
        (f"/portal/s/{staff.urgent_id}/print", "print-view"),
        (f"/portal/s/{staff.urgent_id}", "submission-page"),
    ):
        tab.goto(live_app.url + path)
        tab.emulate_media(media="print")
        assert tab.evaluate(PRINT_HIDDEN) == [], f"{name} prints navigation or controls"
        # The record itself is all there, in black on white.
        assert tab.locator("#answers").is_visible()
        assert tab.locator("#contact-title").is_visible()
        background = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
        if TAKE_SCREENSHOTS:  # the page on paper, for a person to look at
            tab.set_viewport_size(LETTER)
            screenshot(tab, f"portal-{name}-paper")
            tab.set_viewport_size(PHONE)
            tab.pdf(path=str(SCREENSHOTS / f"portal-{name}.pdf"), format="Letter")
        tab.emulate_media(media="screen")
