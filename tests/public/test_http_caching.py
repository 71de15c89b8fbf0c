"""HTTP caching of content pages: ETag and 304, never shared when personal, edits show."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, flash, template_rendered
from flask.testing import FlaskClient


def override_dir(app: Flask, tmp_path: Path) -> Path:
    """Point the app at an empty override folder."""
    folder = tmp_path / "content-override"
    folder.mkdir(exist_ok=True)
    app.config["CONTENT_OVERRIDE_DIR"] = str(folder)
    return folder


def write_page(folder: Path, slug: str, title: str, body: str, mtime_ns: int) -> None:
    """Write an override page with a given modification time (editors do not wait a second)."""
    path = folder / f"{slug}.md"
    path.write_text(f"---\ntitle: {title}\n---\n{body}\n", "utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_returning_browser_gets_a_304_until_the_page_changes(app, tmp_path):
    folder = override_dir(app, tmp_path)
    write_page(folder, "faq", "First FAQ", "First answers.", 1_000_000_000_000_000_000)
    client = app.test_client()
    rendered: list[str] = []

    def record(sender: Flask, template, **extra) -> None:
        rendered.append(template.name)

    template_rendered.connect(record, app)
    first = client.get("/faq")
    assert first.status_code == 200 and "First answers." in first.text
    assert rendered == ["public/page.html"]
    assert first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get("/faq", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # The validator comes from the sources: a returning browser costs no render.
    assert rendered == ["public/page.html"]
    write_page(folder, "faq", "Second FAQ", "Second answers.", 1_000_000_001_000_000_000)
    edited = client.get("/faq", headers={"If-None-Match": first.headers["ETag"]})
    assert edited.status_code == 200 and "Second answers." in edited.text
    assert edited.headers["ETag"] != first.headers["ETag"]


def test_a_page_is_shared_only_with_people_without_a_session(app):
    anonymous = app.test_client().get("/faq")
    assert "public" in anonymous.headers["Cache-Control"]
    assert {"Cookie", "Accept-Language"} <= set(anonymous.headers["Vary"].split(", "))
    chose_spanish = app.test_client()
    chose_spanish.get("/?lang=es")
    response = chose_spanish.get("/faq")
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]


def test_the_language_switch_is_never_stored_and_changes_the_etag(app):
    client = app.test_client()
    english = client.get("/faq")
    switched = client.get("/faq?lang=es")
    assert switched.status_code == 200 and '<html lang="es">' in switched.text
    assert "no-store" in switched.headers["Cache-Control"]
    # The browser's English copy is not current any more: the Spanish page comes whole.
    spanish = client.get("/faq", headers={"If-None-Match": english.headers["ETag"]})
    assert spanish.status_code == 200 and '<html lang="es">' in spanish.text


def test_an_edited_page_shows_at_once(app, tmp_path):
    folder = override_dir(app, tmp_path)
    write_page(folder, "faq", "First FAQ", "First answers.", 1_000_000_000_000_000_000)
    client = app.test_client()
    assert "First answers." in client.get("/faq").text
    write_page(folder, "faq", "Second FAQ", "Second answers.", 1_000_000_001_000_000_000)
    html = client.get("/faq").text
    assert "Second answers." in html and "First answers." not in html


def test_a_new_page_title_reaches_the_menu_of_every_other_page(app, tmp_path):
    folder = override_dir(app, tmp_path)
    client = app.test_client()
    assert "Money matters" not in client.get("/faq").text
    write_page(folder, "costs", "Money matters", "Fees.", 1_000_000_000_000_000_000)
    assert "Money matters" in client.get("/faq").text


def test_each_language_gets_its_own_page(app):
    english = app.test_client()
    spanish = app.test_client()
    spanish.get("/?lang=es")
    assert '<html lang="en">' in english.get("/faq").text
    assert '<html lang="es">' in spanish.get("/faq").text
    assert '<html lang="en">' in english.get("/faq").text


def test_changed_clinic_settings_are_not_served_from_the_cache(app: Flask, client: FlaskClient):
    before = client.get("/contact")
    assert "(669) 555-0199" not in before.text
    app.config["CLINIC_PHONE"] = "(669) 555-0199"
    after = client.get("/contact", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "(669) 555-0199" in after.text


def test_an_edited_menu_title_reaches_a_returning_browser(app, tmp_path):
    folder = override_dir(app, tmp_path)
    client = app.test_client()
    before = client.get("/faq")
    write_page(folder, "costs", "Money matters", "Fees.", 1_000_000_000_000_000_000)
    after = client.get("/faq", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "Money matters" in after.text


def test_an_unknown_page_is_a_404_even_with_a_validator(client: FlaskClient):
    assert client.get("/no-such-page", headers={"If-None-Match": "*"}).status_code == 404


def test_a_flashed_message_is_shown_to_its_owner_only(app: Flask):
    @app.get("/test-flash")
    def flash_then_nothing() -> str:
        flash("Your message for you alone")
        return ""

    owner = app.test_client()
    stranger = app.test_client()
    seen = stranger.get("/faq")
    owner.get("/test-flash")
    flashed = owner.get("/faq", headers={"If-None-Match": seen.headers["ETag"]})
    assert flashed.status_code == 200 and "Your message for you alone" in flashed.text
    assert "no-store" in flashed.headers["Cache-Control"]
    assert "Your message for you alone" not in stranger.get("/faq").text
    assert "Your message for you alone" not in owner.get("/faq").text
