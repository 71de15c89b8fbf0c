"""In Chromium, in Spanish and without JavaScript, on the shipped definition, which asks for
contact details last. A person at risk asks to be contacted before giving any; the
contact-today page asks for a name and a phone number or an email address first, then files
the urgent record.
"""

from __future__ import annotations

import pytest

from tests.browser.journey import is_crisis_page, path_of, resume_at, send_step
from tests.factories import load_submission
from tests.intake.test_safety_pathway import draft_public_id
from tests.questionnaire.factories import SEVERAL_DAYS, clean_answers

pytestmark = pytest.mark.browser

CONTACT_TODAY = 'form[action$="/screening/contact-today"]:not(:has([name="details"])) button'
SEND_DETAILS = 'form:has([name="details"]) button[type="submit"]'
LINKS = ('a[href="tel:988"]', 'a[href="sms:741741"]', 'a[href="tel:911"]')


def test_contact_today_asks_for_a_phone_or_an_email_first(live_app, phone):
    answers = clean_answers(**{"phq9-9": SEVERAL_DAYS})
    tab = resume_at(phone, live_app, "phq9", answers, "es", javascript=False)
    send_step(tab, "phq9", answers)
    assert is_crisis_page(tab)
    tab.click(CONTACT_TODAY)
    assert path_of(tab.url) == "/screening/contact-today"
    tab.wait_for_load_state("domcontentloaded")
    for link in LINKS:
        assert tab.locator(f"main .crisis-panel {link}").first.is_visible(), link

    tab.click(SEND_DETAILS)
    tab.wait_for_load_state("domcontentloaded")
    assert tab.locator("#error-summary").is_visible()
    assert tab.locator("#full-name-error").is_visible()
    for field in ("phone", "email"):
        message = tab.locator(f"#{field}-error").inner_text()
        assert "Escriba un número de teléfono o un correo electrónico" in message
    tab.fill("#full-name", "Sam Tarde")
    tab.fill("#phone", "555 12")
    tab.click(SEND_DETAILS)
    tab.wait_for_load_state("domcontentloaded")
    assert "(408) 555-0123" in tab.locator("#phone-error").inner_text()  # the example to follow
    assert tab.locator("#full-name-error").count() == 0
    assert (tab.input_value("#full-name"), tab.input_value("#phone")) == ("Sam Tarde", "555 12")
    assert load_submission(live_app.app, draft_public_id(live_app.app)).state == "draft"

    tab.fill("#phone", "(408) 555-0123")
    tab.click(SEND_DETAILS)
    assert path_of(tab.url) == "/screening/contact-today"
    assert tab.locator("html").get_attribute("lang") == "es"
    assert tab.locator(SEND_DETAILS).count() == 0  # the confirmation now
    screening = load_submission(live_app.app, draft_public_id(live_app.app))
    assert (screening.state, screening.unfinished) == ("submitted", True)
    assert screening.triage_category == "urgent-safety"
    assert screening.contact == {"name": "Sam Tarde", "email": None, "phone": "(408) 555-0123"}
