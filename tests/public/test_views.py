"""The public site as served: every page, its call to action, the crisis line, overrides."""

from __future__ import annotations

import re

import pytest

from screening.public.content import PAGES
from screening.questionnaire.estimate import SHOWN_STEP_MINUTES, walk
from tests.questionnaire.factories import clean_answers


@pytest.mark.parametrize("slug", PAGES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_page_has_cta_and_crisis_line(client, slug, lang):
    response = client.get(f"/{slug}?lang={lang}")
    assert response.status_code == 200
    html = response.data.decode()
    assert 'href="/screening/"' in html
    assert '<a href="tel:988">' in html  # tappable on a phone
    assert html.count("<h1") == 1
    assert f'<html lang="{lang}">' in html


def test_home_is_served_at_root_with_footer_line(client):
    html = client.get("/?lang=en").data.decode()
    assert '<a href="tel:988">In crisis? Call or text 988</a>' in html


@pytest.mark.parametrize("path", ["/screening/", "/portal/auth/login", "/no-such-page"])
def test_the_footer_988_is_tappable_beyond_the_content_pages(client, path):
    html = client.get(path).data.decode()
    assert '<a href="tel:988">In crisis? Call or text 988</a>' in html


@pytest.mark.parametrize(
    ("lang", "button", "in_text"),
    [
        ("en", "Start the screening (about {} minutes)", "about {} minutes"),
        ("es", "Comenzar el cuestionario (unos {} minutos)", "unos {} minutos"),
    ],
)
def test_pages_promise_the_calm_adults_time(app, client, lang, button, in_text):
    """The time shown is computed from the definition: a calm adult's walk, to 5 minutes."""
    q = app.extensions["questionnaire"].current
    minutes = walk(q, clean_answers(), lang).minutes
    shown = round(minutes / SHOWN_STEP_MINUTES) * SHOWN_STEP_MINUTES
    home = client.get(f"/?lang={lang}").data.decode()
    assert home.count(button.format(shown)) == 2  # the page's call to action and the footer's
    # The Markdown pages' {{ screening_minutes }} token, and the screening's own intro.
    assert f"<strong>{in_text.format(shown)}</strong>" in home
    assert in_text.format(shown) in client.get(f"/what-to-expect?lang={lang}").data.decode()
    assert in_text.format(shown) in client.get("/screening/").data.decode()
    assert "10 min" not in home


def test_clinic_details_come_from_config(app, client):
    app.config["CLINIC_PHONE"] = "(669) 555-0199"
    html = client.get("/contact?lang=en").data.decode()
    assert "(669) 555-0199" in html


def test_clinic_override_file_wins(app, client, tmp_path):
    override = tmp_path / "content-override"
    override.mkdir()
    (override / "faq.md").write_text("---\ntitle: Clinic FAQ\nnav: FAQ\n---\nOur own answers.\n")
    app.config["CONTENT_OVERRIDE_DIR"] = str(override)
    html = client.get("/faq?lang=en").data.decode()
    assert "Clinic FAQ" in html and "Our own answers." in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Reference:" in response.data


def test_language_choice_is_remembered(client):
    client.get("/?lang=es")
    assert '<html lang="es">' in client.get("/faq").data.decode()


def test_pages_load_nothing_from_other_hosts(client):
    for slug in PAGES:
        html = client.get(f"/{slug}").data.decode()
        loaded = re.findall(r'<(?:script|img|iframe|source)[^>]*\ssrc="([^"]+)"', html)
        loaded += re.findall(r'<link[^>]*\shref="([^"]+)"', html)
        assert loaded, slug
        for target in loaded:
            assert target.startswith("/static/"), (slug, target)
