"""Static file URLs carry the file's version, so a browser that keeps them (nginx: a week)
fetches the new stylesheet and scripts as soon as a release replaces them."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from flask import Flask

from screening.public.views import released_version

STYLESHEET = re.compile(r'href="(/static/css/site\.css\?v=([0-9a-f]+))"')


def own_static_folder(app: Flask, tmp_path: Path) -> Path:
    """Serve a copy of the static files, which the test may replace."""
    folder = tmp_path / "static"
    shutil.copytree(Path(app.static_folder or ""), folder)
    app.static_folder = str(folder)
    return folder


def replace_file(path: Path, text: str, mtime_ns: int) -> None:
    """Write a new version of a file, as a release does (a later modification time)."""
    path.write_text(text, "utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_static_url_changes_when_its_file_does(app: Flask, tmp_path: Path):
    stylesheet = own_static_folder(app, tmp_path) / "css" / "site.css"
    client = app.test_client()
    before = STYLESHEET.search(client.get("/screening/").text)
    assert before, "the page links no versioned stylesheet"
    assert client.get(before[1]).status_code == 200
    assert client.get("/screening/").text.count(before[1]) == 1  # the same while unchanged
    replace_file(stylesheet, "body { color: black; }\n", 1_000_000_000_000_000_000)
    after = STYLESHEET.search(client.get("/screening/").text)
    assert after and after[2] != before[2]
    assert client.get(after[1]).text == "body { color: black; }\n"


def test_a_returning_browser_gets_a_content_page_linking_the_new_stylesheet(app, tmp_path):
    stylesheet = own_static_folder(app, tmp_path) / "css" / "site.css"
    client = app.test_client()
    first = client.get("/faq")
    replace_file(stylesheet, "body { color: black; }\n", 1_000_000_000_000_000_000)
    # A release restarts the app's processes: they list the shipped files afresh.
    released_version.cache_clear()
    again = client.get("/faq", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert STYLESHEET.search(again.text)[2] != STYLESHEET.search(first.text)[2]
