"""Every public page and screening page is light (under 100 KB) and fetches only from its own host.

People often arrive on a phone with a poor connection, and a health site that calls other
hosts leaks who visits it. Each page is weighed as a first visit, uncompressed: its HTML and
every file it makes a browser fetch (stylesheets, scripts, icons, images, and what the CSS
asks for in turn). The browser suite also watches that nothing is fetched from another host
while a person goes through the screening (tests/browser/test_wizard_accessibility.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from flask import Flask
from flask.testing import FlaskClient

from screening.public.content import PAGES
from tests.browser.journey import every_step_answers
from tests.intake.wizard_driver import (
    STEP_PREFIX,
    consent_formdata,
    location,
    resume_link_in,
    section_formdata,
)

BUDGET = 100 * 1024
ORIGIN = "http://localhost"
# Attributes that make a browser fetch something (links to other pages do not).
FETCHED = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
# <link rel=…> kinds that are navigation, not a fetch.
NOT_FETCHED_LINKS = {"canonical", "alternate", "next", "prev", "author", "license", "help"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


class FetchedFiles(HTMLParser):
    """The URLs a page makes a browser fetch as it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link" and not set(values.get("rel", "").lower().split()) & NOT_FETCHED_LINKS:
            self.urls.append(values.get("href", ""))
        for name in FETCHED.get(tag, ()):
            if name.endswith("srcset"):
                self.urls += [part.split()[0] for part in values.get(name, "").split(",") if part]
            elif values.get(name):
                self.urls.append(values[name])


def weigh(client: FlaskClient, url: str, html: bytes) -> tuple[int, list[str]]:
    """Return the bytes of a first visit to a page, and the other hosts it would ask."""
    finder = FetchedFiles()
    finder.feed(html.decode())
    pending = [urljoin(url, found) for found in finder.urls if found]
    seen: set[str] = set()
    total, foreign = len(html), []
    while pending:
        asset = pending.pop()
        if asset in seen or asset.startswith("data:"):
            continue
        seen.add(asset)
        if not asset.startswith(ORIGIN + "/"):
            foreign.append(asset)
            continue
        with client.get(asset.removeprefix(ORIGIN)) as response:  # a file: close it
            assert response.status_code == 200, (url, asset, response.status_code)
            total += len(response.data)
            if response.mimetype == "text/css":
                for match in CSS_URL.finditer(response.get_data(as_text=True)):
                    pending.append(urljoin(asset, match.group(1) or match.group(2)))
    return total, foreign


# The crisis page, in any language: the only page with a form asking the clinic to call.
CRISIS_PAGE = b'action="/screening/contact-today"'


def continue_action(html: bytes) -> str:
    """Return where the crisis page's "Continue with the screening" form posts (its last form)."""
    return re.findall(r'<form method="post" action="([^"]+)"', html.decode())[-1]


def walk_the_screening(app: Flask, client: FlaskClient) -> dict[str, tuple[str, bytes]]:
    """Go through every page of the screening (saved and resumed on the way); return them."""
    answers: dict[str, Any] = every_step_answers()
    pages: dict[str, tuple[str, bytes]] = {}

    def show(name: str, path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[name] = (path, response.data)

    show("screening intro", "/screening/?lang=en")
    path = location(client.post("/screening/start"))
    saved = False
    while path.startswith(STEP_PREFIX):
        section_id = path.removeprefix(STEP_PREFIX)
        show(f"step {section_id}", path)
        if CRISIS_PAGE in pages[f"step {section_id}"][1]:
            pages["crisis page"] = pages.pop(f"step {section_id}")
            path = location(client.post(continue_action(pages["crisis page"][1])))
            continue
        data = section_formdata(app, section_id, answers)
        if section_id == "practicalities" and not saved:
            saved = True
            data["action"] = "save"
            show("saved", location(client.post(path, data=data)))
            opened = client.get(resume_link_in(pages["saved"][1].decode()))
            show("resume question", location(opened))
            path = location(client.post(location(opened)))
            continue
        path = location(client.post(path, data=data))
    assert path == "/screening/review", path
    show("review", path)
    if CRISIS_PAGE in pages["review"][1]:  # help owed (a resumed disclosure) comes first
        pages["crisis page before review"] = pages.pop("review")
        client.post(continue_action(pages["crisis page before review"][1]))
        show("review", path)
    show("confirmation", location(client.post(path, data=consent_formdata(app))))
    return pages


def test_every_page_is_under_100_kb_and_fetches_only_from_its_own_host(app, client):
    pages = {
        f"{slug} ({lang})": (f"{'/' if slug == 'home' else '/' + slug}?lang={lang}", None)
        for lang in ("en", "es")
        for slug in PAGES
    }
    rows: dict[str, int] = {}
    foreign: dict[str, list[str]] = {}
    for name, (path, _) in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        rows[name], foreign[name] = weigh(client, ORIGIN + path, response.data)
    for name, (path, html) in walk_the_screening(app, client).items():
        rows[name], foreign[name] = weigh(client, ORIGIN + path, html)

    assert {"crisis page", "step safety", "step pcptsd5", "saved", "confirmation"} <= set(rows)
    assert len(rows) >= 20 + 1 + 11 + 4, sorted(rows)
    assert not any(foreign.values()), {name: urls for name, urls in foreign.items() if urls}
    heavy = {name: size for name, size in rows.items() if size >= BUDGET}
    assert not heavy, f"pages over 100 KB: {heavy}"
    # Every page loads the stylesheet at least: an empty weighing would pass the budget too.
    with client.get("/static/css/site.css") as stylesheet:
        assert min(rows.values()) > len(stylesheet.data), rows
