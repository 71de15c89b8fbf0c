"""Drive the screening wizard through the test client, answering from an answer dict."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from screening.intake.forms import answers_to_formdata
from screening.questionnaire.conditions import enabled_items
from screening.questionnaire_registry import registry

STEP_PREFIX = "/screening/step/"


def location(response: Any) -> str:
    """Return the path a redirect points at."""
    return urlparse(response.headers["Location"]).path


def section_formdata(app: Flask, section_id: str, answers: dict[str, Any]) -> MultiDict:
    """Build the POST body a person would send for one step with these answers."""
    with app.app_context():
        q = registry().current
        section = q.section(section_id)
        items = enabled_items(section, answers)
        data = answers_to_formdata(items, answers)
    data.add("action", "next")
    return data


def start(client: FlaskClient) -> str:
    """Start a screening and return the first step's path."""
    response = client.post("/screening/start")
    assert response.status_code == 302
    return location(response)


def answer_steps(
    app: Flask, client: FlaskClient, answers: dict[str, Any], path: str, until: str | None = None
) -> str:
    """Answer step after step until the wizard leaves the steps (or reaches the step `until`);
    return where it went."""
    for _ in range(40):
        if not path.startswith(STEP_PREFIX) or path == f"{STEP_PREFIX}{until}":
            return path
        section_id = path.removeprefix(STEP_PREFIX)
        page = client.get(path)
        assert page.status_code == 200, path
        if f'action="{path}/continue"'.encode() in page.data:  # the crisis page, any language
            response = client.post(f"{path}/continue")
            assert response.status_code == 302
            continue
        response = client.post(path, data=section_formdata(app, section_id, answers))
        assert response.status_code == 302, (path, response.data[:3000])
        path = location(response)
    raise AssertionError("wizard did not finish")


def start_at(
    app: Flask, client: FlaskClient, answers: dict[str, Any], section_id: str = "about-you"
) -> str:
    """Start a screening and answer every step before `section_id` (contact details come last,
    so tests of typing them start there); return that step's path."""
    path = answer_steps(app, client, answers, start(client), until=section_id)
    assert path == f"{STEP_PREFIX}{section_id}", path
    return path


def consent_formdata(app: Flask, name: str = "Alex Rivera") -> MultiDict:
    """Answer the consent section on the review page."""
    with app.app_context():
        q = registry().current
        consent = q.section("consent")
        answers: dict[str, Any] = {}
        for item in consent.items:
            if item.type == "boolean":
                answers[item.link_id] = True
            elif item.type == "string":
                answers[item.link_id] = name
        return answers_to_formdata(list(consent.items), answers)


def complete_screening(app: Flask, client: FlaskClient, answers: dict[str, Any]) -> Any:
    """Go from the start to the confirmation page; return the final response."""
    path = answer_steps(app, client, answers, start(client))
    assert path == "/screening/review", path
    assert client.get(path).status_code == 200
    response = client.post(path, data=consent_formdata(app))
    assert response.status_code == 302, response.data[:3000]
    assert location(response) == "/screening/done"
    return client.get("/screening/done")


def resume_link_in(html: str) -> str:
    """Return the resume link shown on the saved page."""
    match = re.search(r'<textarea id="resume-link"[^>]*>([^<]+)</textarea>', html)
    assert match, "no resume link on the page"
    return match.group(1).strip()


def open_resume_link(client: FlaskClient, link: str) -> Any:
    """Open a resume link as a browser does: the token page redirects to the question page."""
    opened = client.get(link)
    if location(opened) != "/screening/resume":
        return opened  # a dead link: sent to the start page
    return client.get(opened.headers["Location"])


def resume_from(client: FlaskClient, link: str, **post: Any) -> Any:
    """Open a resume link and press "Continue"; return the response to the button."""
    opened = client.get(link)
    if location(opened) != "/screening/resume":
        return opened
    return client.post(opened.headers["Location"], **post)
