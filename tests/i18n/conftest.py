"""Fixtures for the Spanish-language tests: compiled catalogs, Spanish clients, page readers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.i18n import compiled_catalogs_missing

SUPPORTED = ("en", "es")


@pytest.fixture(autouse=True, scope="session")
def compiled_catalogs() -> Iterator[None]:
    """Stop with a clear message when the .mo files were not built from the current .po files."""
    stale = compiled_catalogs_missing(SUPPORTED)
    if stale:
        pytest.fail(
            f"compiled translations are missing or older than messages.po for {stale}: "
            "run `make compile-translations` (make test does it first)",
            pytrace=False,
        )
    yield


@pytest.fixture
def spanish_client(app: Flask) -> FlaskClient:
    """A client whose session has chosen Spanish through the ?lang= parameter."""
    client = app.test_client()
    assert client.get("/?lang=es").status_code == 200
    return client


class PageReader(HTMLParser):
    """Collect what a person (or a screen reader) gets from a page: text, labels, form state."""

    LABEL_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.inputs: list[dict[str, str | None]] = []
        self.textareas: dict[str, str] = {}
        self.buttons: list[dict[str, str | None]] = []
        self.html_lang: str | None = None
        self._skip = 0
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag in ("script", "style"):
            self._skip += 1
        for name in self.LABEL_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(str(attributes[name]))
        if tag == "input":
            self.inputs.append(attributes)
        if tag == "textarea":
            self._textarea = attributes.get("name") or ""
            self.textareas[self._textarea] = ""
        if tag == "button":
            self.buttons.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.textareas[self._textarea] += data
        elif not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        """Every visible text and accessible label, whitespace collapsed."""
        return squash(" ".join(self.parts))

    def checked(self, name: str) -> list[str]:
        """The values of the ticked radio buttons or checkboxes called `name`."""
        return [
            str(i.get("value"))
            for i in self.inputs
            if i.get("name") == name and "checked" in i and i.get("type") in ("radio", "checkbox")
        ]

    def value(self, name: str) -> str | None:
        """The value of a text-like input or textarea called `name`."""
        if name in self.textareas:
            return self.textareas[name]
        for i in self.inputs:
            if i.get("name") == name and i.get("type") not in ("radio", "checkbox", "hidden"):
                return i.get("value")
        return None


def read_page(html: str | bytes) -> PageReader:
    """Parse a rendered page."""
    reader = PageReader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    reader.close()
    return reader


def squash(text: str) -> str:
    """Collapse runs of whitespace to one space."""
    return re.sub(r"\s+", " ", unescape(text)).strip()


def csrf_token(html: str | bytes) -> str:
    """The CSRF token of the first form on a page."""
    page = read_page(html)
    for field in page.inputs:
        if field.get("name") == "csrf_token":
            return str(field.get("value"))
    raise AssertionError("no CSRF token on the page")


def walk_answers(**overrides: Any) -> dict[str, Any]:
    """Answers that open every optional step: a PHQ-9 item 9 answer and a trauma history."""
    from tests.questionnaire.factories import clean_answers

    return clean_answers(
        **{
            "reasons": ["depression", "anxiety", "ptsd-trauma"],
            "phq9-9": "LA6569-3",
            "safety-thoughts-now": False,
            "safety-plan": False,
            "safety-safe-now": True,
            "pcptsd5-event": "yes",
            "pcptsd5-1": "yes",
            "pcptsd5-2": "no",
            "pcptsd5-3": "no",
            "pcptsd5-4": "no",
            "pcptsd5-5": "no",
            **overrides,
        }
    )


def answer_remaining_steps(
    app: Flask, client: FlaskClient, answers: dict[str, Any], path: str
) -> tuple[str, dict[str, bytes]]:
    """Answer step after step, in whatever language; return where it ended and each page seen.

    The crisis page (shown after a risk answer) is recognised by its form, not its words.
    """
    from tests.intake.wizard_driver import STEP_PREFIX, location, section_formdata

    seen: dict[str, bytes] = {}
    for _ in range(40):
        if not path.startswith(STEP_PREFIX):
            return path, seen
        section_id = path.removeprefix(STEP_PREFIX)
        page = client.get(path)
        assert page.status_code == 200, path
        if f'action="{path}/continue"'.encode() in page.data:
            seen["crisis"] = page.data
            assert client.post(f"{path}/continue").status_code == 302
            continue
        seen[section_id] = page.data
        response = client.post(path, data=section_formdata(app, section_id, answers))
        assert response.status_code == 302, (path, response.data[:2000])
        path = location(response)
    raise AssertionError("the wizard did not finish")
