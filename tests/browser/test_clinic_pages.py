"""In Chromium on a phone: a clinic's own "About us" page, with its team's photos, and its fees
page join the menu once written, and pass the accessibility checks in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.checks import PageAudit
from tests.public.test_clinic_pages import EXAMPLES, png

pytestmark = pytest.mark.browser


def test_the_clinics_about_and_fees_pages_show_and_pass_the_checks(live_app, phone):
    content = Path(live_app.app.config["CONTENT_OVERRIDE_DIR"])
    shutil.copytree(EXAMPLES, content, dirs_exist_ok=True)
    (content / "photos").mkdir()
    for name in ("ana-ruiz", "sam-lee"):
        (content / "photos" / f"{name}.png").write_bytes(png())
    for page in (content / "about.md", content / "es" / "about.md"):
        page.write_text(page.read_text(encoding="utf-8").replace(".jpg)", ".png)"), "utf-8")
    audit = PageAudit()
    tab = phone()
    for lang, about, fees in (("en", "About us", "Fees"), ("es", "Quiénes somos", "Tarifas")):
        tab.goto(f"{live_app.url}/?lang={lang}")
        tab.click(".site-menu > summary")
        tab.click(f'.site-menu a:text-is("{about}")')
        assert tab.url.endswith("/about")
        photos = tab.locator("article img")
        expect(photos).to_have_count(2)  # retries: the click returns before the page is parsed
        # Loaded and drawn, not a broken-image icon.
        assert photos.first.evaluate("img => img.complete && img.naturalWidth") == 1
        audit.check(tab, f"about ({lang})", page_type="about")
        tab.click(".site-menu > summary")
        tab.click(f'.site-menu a:text-is("{fees}")')
        tab.wait_for_load_state("domcontentloaded")
        assert tab.locator("article table").is_visible()
        audit.check(tab, f"fees ({lang})", page_type="fees")
    audit.assert_clean()
