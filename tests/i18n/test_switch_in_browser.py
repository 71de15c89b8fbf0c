"""The language switch in Chromium: it keeps what was typed, and Enter still means Next."""

from __future__ import annotations

from typing import Any

import pytest

# The browser suite's app served on loopback, and a fresh page in the run's Chromium.
from tests.browser.conftest import live_app, live_app_config, page, phone  # noqa: F401

pytestmark = pytest.mark.browser


def test_switch_keeps_typed_input_and_enter_still_submits(live_app: Any, page: Any) -> None:  # noqa: F811
    page.goto(live_app.url + "/screening/")
    page.get_by_role("button", name="I understand – start the screening").click()
    # The first step asks what brings the person here; its one-line field is "Other".
    page.fill('[name="reasons__other"]', "Dormir mejor")
    page.press('[name="reasons__other"]', "Enter")
    page.wait_for_load_state()
    # Enter pressed Next (the page says what is missing), not the language switch.
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#error-summary").is_visible()
    page.fill('[name="goals"]', "Sleep through the night")
    page.check('input[name="concern-duration"][value="1-2-years"]')
    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Qué le trae aquí"
    assert page.input_value('[name="reasons__other"]') == "Dormir mejor"
    assert page.input_value('[name="goals"]') == "Sleep through the night"
    assert page.is_checked('input[name="concern-duration"][value="1-2-years"]')
    assert page.get_by_role("button", name="English").is_visible()
