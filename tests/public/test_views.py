"""The public site as served: every page, its call to action, the crisis line, overrides."""

from __future__ import annotations

import re

import pytest

from screening.public.content import PAGES


@pytest.mark.parametrize("slug", PAGES)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_page_has_cta_and_crisis_line(client, slug, lang):
    response = client.get(f"/{slug}?lang={lang}")
    assert response.status_code == 200
    html = response.data.decode()
    assert 'href="/screening/"' in html
    assert "988" in html
    assert html.count("<h1") == 1
    assert f'<html lang="{lang}">' in html


def test_home_is_served_at_root_with_footer_line(client):
    html = client.get("/?lang=en").data.decode()
    assert "In crisis? Call or text 988" in html
    assert "Start the screening (about 10 minutes)" in html


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
