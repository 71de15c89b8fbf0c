"""Whole pages served from the page cache: right language, right settings, edits show."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, flash
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


def test_a_cached_page_is_served_until_the_recheck_interval(app, tmp_path):
    app.config["CONTENT_RECHECK_SECONDS"] = 3600
    folder = override_dir(app, tmp_path)
    write_page(folder, "faq", "First FAQ", "First answers.", 1_000_000_000_000_000_000)
    client = app.test_client()
    assert "First answers." in client.get("/faq").text
    write_page(folder, "faq", "Second FAQ", "Second answers.", 1_000_000_001_000_000_000)
    # Within the interval the process does not look at the files again: the cache answers.
    assert "First answers." in client.get("/faq").text


def test_an_edited_page_shows_once_the_files_are_rechecked(app, tmp_path):
    app.config["CONTENT_RECHECK_SECONDS"] = 0
    folder = override_dir(app, tmp_path)
    write_page(folder, "faq", "First FAQ", "First answers.", 1_000_000_000_000_000_000)
    client = app.test_client()
    assert "First answers." in client.get("/faq").text
    write_page(folder, "faq", "Second FAQ", "Second answers.", 1_000_000_001_000_000_000)
    html = client.get("/faq").text
    assert "Second answers." in html and "First answers." not in html


def test_a_new_page_title_reaches_the_menu_of_every_other_page(app, tmp_path):
    app.config["CONTENT_RECHECK_SECONDS"] = 0
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
    assert "(669) 555-0199" not in client.get("/contact").text
    app.config["CLINIC_PHONE"] = "(669) 555-0199"
    assert "(669) 555-0199" in client.get("/contact").text


def test_a_flashed_message_is_shown_to_its_owner_only(app: Flask):
    @app.get("/test-flash")
    def flash_then_nothing() -> str:
        flash("Your message for you alone")
        return ""

    owner = app.test_client()
    stranger = app.test_client()
    stranger.get("/faq")  # the cache now holds the FAQ
    owner.get("/test-flash")
    assert "Your message for you alone" in owner.get("/faq").text
    assert "Your message for you alone" not in stranger.get("/faq").text
    assert "Your message for you alone" not in owner.get("/faq").text
