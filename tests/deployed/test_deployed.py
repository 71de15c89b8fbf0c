"""The production configuration as DEPLOY.md describes it, used from Chromium over HTTPS.

nginx (deploy/nginx/threshold.conf) → gunicorn (THRESHOLD_ENV=production, DEPLOY.md's flags)
→ PostgreSQL and Redis, with CSRF's HTTPS Referer check and the rate limits on. Every
response along the way must be a success, served over https through nginx with the app's
headers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from screening.questionnaire.conditions import enabled_items
from tests.browser.conftest import close_contexts, definition
from tests.browser.journey import SAVE, fill_consent, fill_step
from tests.deployed.conftest import STAFF_EMAIL, STAFF_PASSWORD, Stack
from tests.deployed.traffic import Traffic, watch
from tests.questionnaire.factories import clean_answers

pytestmark = [pytest.mark.browser, pytest.mark.deployed]

SENT_NAME = "Robin Deployed-Example"
RESUMED_NAME = "Sam Resumed-Example"
NOTE = "Called back; first appointment offered."
# The time is computed from the definition (screening/questionnaire/estimate.py).
START_SCREENING = re.compile(r"Start the screening \(about \d+ minutes\)")


# What session-timeout.js sends when a clinician presses "Stay signed in".
KEEPALIVE = """() => fetch('/portal/keepalive', {method: 'POST', credentials: 'same-origin',
  headers: {'X-CSRFToken': document.querySelector('input[name=csrf_token]').value}})
  .then((response) => response.status)"""


@pytest.fixture
def context(browser) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A fresh browser context that accepts the self-signed certificate."""
    fresh = browser.new_context(ignore_https_errors=True, accept_downloads=True)
    yield fresh
    close_contexts([fresh])


def answer_steps(tab, answers: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Answer each step the wizard shows until it reaches the review page."""
    q = definition()
    for _ in range(20):
        if "/screening/step/" not in tab.url:
            break
        section_id = tab.url.rsplit("/", 1)[-1].split("?", 1)[0]
        fill_step(tab, enabled_items(q.section(section_id), answers), answers)
        tab.get_by_role("button", name="Next").click()
    assert tab.url.endswith("/screening/review"), tab.url


def send(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    """Consent, sign and send from the review page; land on the thank-you page."""
    fill_consent(tab, name)
    tab.get_by_role("button", name="Send my screening").click()
    assert tab.url.endswith("/screening/done"), tab.url
    assert tab.get_by_role("heading", level=1).inner_text().startswith("Thank you")


def assert_served_as_deployed(traffic: Traffic, stack: Stack) -> None:
    """No 4xx/5xx; every page over https through nginx, with the app's security headers."""
    assert traffic.errors() == []
    pages = traffic.documents()
    assert pages, "no page was loaded"
    for page in pages:
        assert page.url.startswith(stack.url + "/"), page.url
        # Through nginx, which names no version (and gunicorn's own header is replaced).
        assert page.headers.get("server") == "nginx", (page.url, page.headers)
        assert page.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert page.headers.get("x-request-id"), page.url
    # E.g. "compiled translations missing": a deployment that logs errors is not finished.
    server_log = stack.gunicorn.log_text()
    assert "ERROR" not in server_log and "Traceback" not in server_log, server_log[-3000:]


@pytest.fixture(scope="module")
def sent_screening(browser, stack: Stack) -> Traffic:  # type: ignore[no-untyped-def]
    """A person goes from the home page to the thank-you page; return what the browser saw."""
    fresh = browser.new_context(ignore_https_errors=True)
    traffic = watch(fresh)
    tab = fresh.new_page()
    tab.goto(stack.url + "/")
    tab.get_by_role("link", name=START_SCREENING).first.click()
    tab.get_by_role("button", name="I understand – start the screening").click()
    # wizard.js keeps a step's answers as they change: one such save, before any button.
    with tab.expect_response(lambda r: r.request.resource_type == "fetch") as kept:
        tab.fill('[name="goals"]', "To feel like myself again")
    assert kept.value.status == 204
    answer_steps(tab, clean_answers(full_name=SENT_NAME))
    send(tab, SENT_NAME)
    close_contexts([fresh])
    return traffic


def test_person_completes_a_screening_over_https(sent_screening: Traffic, stack: Stack):
    assert_served_as_deployed(sent_screening, stack)
    posts = [e for e in sent_screening.documents() if e.method == "POST"]
    # Start, every step and the review: each passed the HTTPS Referer check of Flask-WTF,
    # and so did wizard.js's saves of a step's answers as they changed.
    saves = [e for e in sent_screening.exchanges if e.resource_type == "fetch"]
    assert len(posts) >= 5 and saves
    assert all(e.referer and e.referer.startswith(stack.url + "/") for e in posts + saves)
    assert {e.status for e in saves} == {204}


def sign_in_with_new_authenticator(tab, stack: Stack) -> None:  # type: ignore[no-untyped-def]
    """First sign-in: password, then enrol TOTP as the app asks, then keep the codes."""
    tab.goto(stack.url + "/portal/auth/login")
    tab.fill("#email", STAFF_EMAIL)
    tab.fill("#password", STAFF_PASSWORD)
    tab.click("main form button[type=submit]")
    assert tab.url.endswith("/portal/auth/enrol"), tab.url
    secret = tab.locator("code.secret").inner_text().replace(" ", "")
    tab.fill("#code", pyotp.TOTP(secret).now())
    tab.click("main form button[type=submit]")
    tab.get_by_role("link", name="I have saved them – continue").click()
    assert tab.url.rstrip("/").endswith("/portal"), tab.url


def downloaded(tab, link_name: str) -> str:  # type: ignore[no-untyped-def]
    """Click a download link; return the file's text."""
    with tab.expect_download() as started:
        tab.get_by_role("link", name=link_name).click()
    download = started.value
    assert download.failure() is None
    return Path(download.path()).read_text(encoding="utf-8")


def test_clinician_signs_in_with_2fa_reviews_notes_and_exports(
    sent_screening: Traffic, stack: Stack, context
):
    traffic = watch(context)
    tab = context.new_page()
    sign_in_with_new_authenticator(tab, stack)
    tab.get_by_role("link", name=SENT_NAME).click()
    assert "/portal/s/" in tab.url
    tab.get_by_label("New note").fill(NOTE)
    tab.get_by_role("button", name="Add note").click()
    assert NOTE in tab.locator("#notes").inner_text()
    # "Stay signed in" posts this, its CSRF token in a header: it passes the HTTPS checks too.
    assert tab.evaluate(KEEPALIVE) == 204
    fhir = json.loads(downloaded(tab, "Download as FHIR (JSON)"))
    assert fhir["resourceType"] == "QuestionnaireResponse"
    assert fhir["status"] == "completed"
    tab.get_by_role("link", name="Back to the queue").click()
    rows = list(csv.reader(io.StringIO(downloaded(tab, "Download these screenings as CSV"))))
    assert len(rows) >= 2 and any(SENT_NAME in row for row in rows), rows[:2]
    assert_served_as_deployed(traffic, stack)


def test_saved_screening_continues_from_its_link_in_a_new_browser(browser, stack: Stack):
    answers = clean_answers(full_name=RESUMED_NAME)
    first = browser.new_context(ignore_https_errors=True)
    first_traffic = watch(first)
    tab = first.new_page()
    tab.goto(stack.url + "/screening/")
    tab.get_by_role("button", name="I understand – start the screening").click()
    # The first step: what brings the person here (contact details come last).
    fill_step(tab, enabled_items(definition().section("concerns"), answers), answers)
    tab.click(SAVE)
    assert tab.url.endswith("/screening/saved"), tab.url
    link = tab.locator("#resume-link").input_value().strip()
    close_contexts([first])
    assert link.startswith(stack.url + "/screening/resume/"), link

    # Opened once, on "another device": whether links are single-use or not, this works.
    second = browser.new_context(ignore_https_errors=True)
    traffic = watch(second)
    tab = second.new_page()
    tab.goto(link)
    # The token is off the address bar at once; the page asks before using the link up.
    # (The language stays, so a dead link explains itself in the person's language.)
    assert tab.url == stack.url + "/screening/resume?lang=en", tab.url
    tab.get_by_role("button", name="Continue here").click()
    assert tab.url.endswith("/screening/step/treatment-history"), tab.url
    answer_steps(tab, answers)
    send(tab, RESUMED_NAME)
    close_contexts([second])

    assert_served_as_deployed(first_traffic, stack)
    assert_served_as_deployed(traffic, stack)
    token = link.rsplit("/", 1)[-1].split("?")[0]
    # The token never travels onward in a Referer, and no log line keeps it.
    assert not [e.url for e in traffic.exchanges if e.referer and token in e.referer]
    assert token not in stack.logs()


def test_plain_http_is_sent_to_https_without_logging_the_path(stack: Stack):
    plain = f"http://localhost:{stack.nginx.site.http_port}/screening/resume/plain-http-token"
    response = httpx.get(plain, follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "https://localhost/screening/resume/plain-http-token"
    assert "plain-http-token" not in stack.logs()
