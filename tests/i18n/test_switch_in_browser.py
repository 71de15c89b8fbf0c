"""The language switch in Chromium: it keeps what was typed, and Enter still means Next."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

# The browser suite's app served on loopback, and its way of finding Debian's Chromium.
from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, live_server  # noqa: F401

pytestmark = pytest.mark.browser


def in_own_thread(scenario: Callable[[Any], None]) -> None:
    """Run a scenario with its own Chromium, in a thread of its own.

    The browser suite keeps one Playwright session open for the whole run; Playwright's sync
    API allows one per thread, so this one lives in a fresh thread.
    """
    executable = chromium_path()
    failures: list[BaseException] = []

    def run() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    context = browser.new_context(viewport={"width": 390, "height": 844})
                    scenario(context.new_page())
                finally:
                    browser.close()
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the browser scenario did not finish"
    if failures:
        raise failures[0]


def test_switch_keeps_typed_input_and_enter_still_submits(live_server: str) -> None:  # noqa: F811
    def scenario(page: Any) -> None:
        page.goto(live_server + "/screening/")
        page.get_by_role("button", name="I understand – start the screening").click()
        page.fill('[name="full-name"]', "Ana López")
        page.press('[name="full-name"]', "Enter")
        page.wait_for_load_state()
        # Enter pressed Next (the page says what is missing), not the language switch.
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("#error-summary").is_visible()
        page.fill('[name="email"]', "ana@example.com")
        page.check('input[name="contact-method"][value="text"]')
        page.get_by_role("button", name="Español").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "es"
        assert page.get_by_role("heading", level=1).inner_text() == "Sobre usted"
        assert page.input_value('[name="full-name"]') == "Ana López"
        assert page.input_value('[name="email"]') == "ana@example.com"
        assert page.is_checked('input[name="contact-method"][value="text"]')
        assert page.get_by_role("button", name="English").is_visible()

    in_own_thread(scenario)
