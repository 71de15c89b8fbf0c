"""The public site in both languages: accessible, light, self-contained and readable on phones."""

from __future__ import annotations

import pytest

from screening.public.content import PAGES
from tests.browser.checks import DESKTOP, PHONE, PageAudit
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

SLUGS = list(PAGES)
LANGUAGES = ("en", "es")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_pass_accessibility_checks(live_app, browser, lang):
    context = browser.new_context(viewport=PHONE, locale="en-US")
    tab = context.new_page()
    audit = PageAudit()
    for slug in SLUGS:
        path = "/" if slug == "home" else f"/{slug}"
        tab.goto(f"{live_app.url}{path}?lang={lang}")
        assert tab.locator("html").get_attribute("lang") == lang
        # The page's own text is in that language too, not an English fallback.
        assert tab.locator("article.content[lang]").count() == 0
        audit.check(tab, f"{slug} ({lang})")
        screenshot(tab, f"public-{slug}-{lang}-390")
        tab.set_viewport_size(DESKTOP)
        screenshot(tab, f"public-{slug}-{lang}-1280")
        tab.set_viewport_size(PHONE)
    context.close()
    audit.assert_clean()
