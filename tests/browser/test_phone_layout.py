"""In Chromium at 390 px (a phone) and 1280 px: the home page's "Start the screening" button is
on the first screen, and the site menu is one row on a phone that opens without JavaScript."""

from __future__ import annotations

import pytest

from tests.browser.checks import PageAudit
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

START = 'main a.button:has-text("Start the screening")'
MENU = "nav.site-nav .site-menu"


def first_screen_box(tab, selector: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The element's box, checked to lie within the window as the page opens (no scrolling)."""
    box = tab.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= tab.viewport_size["height"], box
    return box


@pytest.mark.parametrize("lang", ["en", "es"])
def test_on_a_phone_the_start_button_is_on_the_first_screen(live_app, phone, lang):
    tab = phone(javascript=False)
    tab.goto(f"{live_app.url}/?lang={lang}")
    assert tab.locator(
        START if lang == "en" else 'main a.button[href$="/screening/"]'
    ).first.is_visible()
    first_screen_box(tab, 'main a.button[href$="/screening/"]')


def test_on_a_phone_the_menu_is_one_row_that_opens_without_javascript(live_app, phone):
    tab = phone(javascript=False)
    tab.goto(f"{live_app.url}/costs")
    nav = tab.locator("nav.site-nav").bounding_box()
    assert nav is not None and nav["height"] < 60, nav  # one row, not three
    links = tab.locator(f"{MENU} a")
    assert links.count() >= 8 and not links.first.is_visible()
    tab.click(f"{MENU} > summary")
    assert links.first.is_visible() and links.last.is_visible()
    assert tab.locator(f'{MENU} a[aria-current="page"]').inner_text() == "Costs"


def test_the_menu_open_and_closed_passes_the_accessibility_checks(live_app, phone, device):
    """axe needs JavaScript in the page: these tabs have it (the menu does not use it)."""
    audit = PageAudit()
    tab = phone()
    assert tab.viewport_size == PHONE
    tab.goto(f"{live_app.url}/")
    audit.check(tab, "home (390 px)", page_type="home")
    tab.click(f"{MENU} > summary")
    audit.check(tab, "home with the menu open (390 px)", page_type="menu-open")
    wide = device(DESKTOP).new_page()
    wide.goto(f"{live_app.url}/")
    audit.check(wide, "home (1280 px)", page_type="home-wide", widths=(1280,))
    audit.assert_clean()


def test_on_a_wide_screen_the_whole_menu_shows_and_the_start_button_too(live_app, device):
    tab = device(DESKTOP, javascript=False).new_page()
    tab.goto(f"{live_app.url}/")
    assert not tab.locator(f"{MENU} > summary").is_visible()
    links = tab.locator(f"{MENU} a")
    assert links.first.is_visible() and links.last.is_visible()
    nav = tab.locator("nav.site-nav").bounding_box()
    assert nav is not None and nav["height"] < 90, nav  # one or two rows of links
    first_screen_box(tab, START)
