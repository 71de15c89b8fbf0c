"""The public site in both languages: accessible and readable on phones.

The pages share one template: axe and the Tab walk check the home page, the first content
page, and any page with a kind of element not met before (tests/browser/checks.py); every
page gets the other checks. Their weight is checked over HTTP (tests/app/test_page_weight.py).
"""

from __future__ import annotations

import pytest

from screening.public.content import PAGES
from tests.browser.checks import PageAudit
from tests.browser.conftest import PHONE, screenshot

pytestmark = pytest.mark.browser

SLUGS = list(PAGES)
LANGUAGES = ("en", "es")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_pass_accessibility_checks(live_app, device, lang):
    tab = device(PHONE).new_page()
    audit = PageAudit()
    for slug in SLUGS:
        path = "/" if slug == "home" else f"/{slug}"
        tab.goto(f"{live_app.url}{path}?lang={lang}")
        assert tab.locator("html").get_attribute("lang") == lang
        # The page's own text is in that language too, not an English fallback.
        assert tab.locator("article.content[lang]").count() == 0
        audit.check(tab, f"{slug} ({lang})", page_type=slug if slug == "home" else "content")
        screenshot(tab, f"public-{slug}-{lang}", desktop=True)
    audit.assert_clean()
