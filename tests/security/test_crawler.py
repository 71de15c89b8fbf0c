"""Request every route anonymously and as each role; check status codes and headers.

The crawler builds URLs from `app.url_map`, so a route added later is crawled without anyone
remembering to add it here.
"""

from __future__ import annotations

import secrets

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import load_submission, make_submission
from tests.portal_helpers import admin_client, clinician_client

# Pages a signed-out person may see under /portal (the sign-in flow itself).
PUBLIC_AUTH_ENDPOINTS = {"auth.login", "auth.two_factor", "auth.recovery", "auth.enrol"}
# A calendar app reads a clinician's feed without signing in: a made-up token is a 404.
TOKEN_ENDPOINTS = {"portal.calendar_feed"}
STAFF_BLUEPRINTS = {"portal", "admin", "auth"}
REQUIRED_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


def crawl_targets(app: Flask, public_id: str) -> list[tuple[str, str, str]]:
    """Return (endpoint, method, url) for every route, with plausible path arguments."""
    values = {
        "public_id": public_id,
        "section_id": "about-you",
        "token": secrets.token_urlsafe(32),
        "slug": "faq",
        "clinician_id": 1,
        "account_id": 1,
        "id": 1,
        "filename": "css/site.css",
    }
    targets = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            arguments = {name: values.get(name, 1) for name in rule.arguments}
            url = app.url_for(rule.endpoint, **arguments)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                targets.append((rule.endpoint, method, url))
    return targets


def request(client: FlaskClient, method: str, url: str):  # type: ignore[no-untyped-def]
    """Send one request with an empty body; read and close the response (static files)."""
    response = client.open(url, method=method, data={})
    response.get_data()
    response.close()
    return response


@pytest.fixture
def crawl(app: Flask):  # type: ignore[no-untyped-def]
    """Every route with a real submission's public id filled in."""
    submission = load_submission(app, make_submission(app))
    return crawl_targets(app, submission.public_id)


def assert_headers(response, url: str) -> None:  # type: ignore[no-untyped-def]
    for header in REQUIRED_HEADERS:
        assert header in response.headers, (url, header)


def test_anonymous_crawl_never_errors_and_never_reaches_staff_pages(app, crawl):
    client = app.test_client()
    for endpoint, method, url in crawl:
        response = request(client, method, url)
        assert response.status_code < 500, (method, url, response.status_code)
        assert_headers(response, url)
        blueprint = endpoint.split(".")[0]
        if endpoint in TOKEN_ENDPOINTS:
            assert response.status_code == 404, (method, url)
        elif blueprint in STAFF_BLUEPRINTS and endpoint not in PUBLIC_AUTH_ENDPOINTS:
            assert response.status_code in {302, 303, 401, 403, 405}, (method, url)
            if response.status_code in {302, 303}:
                assert "/portal/auth/login" in response.headers["Location"], (method, url)
        if blueprint in STAFF_BLUEPRINTS or blueprint == "intake":
            assert response.headers.get("Cache-Control") == "no-store", url


def test_clinician_crawl_is_refused_every_admin_page(app, crawl):
    client = clinician_client(app)
    for endpoint, method, url in crawl:
        if endpoint == "auth.logout":
            continue
        response = request(client, method, url)
        assert response.status_code < 500, (method, url, response.status_code)
        assert_headers(response, url)
        if endpoint.startswith("admin.") or endpoint == "portal.export_csv":
            assert response.status_code == 403, (method, url, response.status_code)


def test_admin_crawl_never_errors(app, crawl):
    client = admin_client(app)
    for endpoint, method, url in crawl:
        if endpoint == "auth.logout":
            continue
        response = request(client, method, url)
        assert response.status_code < 500, (method, url, response.status_code)
        assert_headers(response, url)
