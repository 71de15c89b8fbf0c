"""Access control: every portal endpoint needs a signed-in clinician; admin ones need an admin."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import Rule

from tests.factories import make_submission
from tests.portal_helpers import admin_client, clinician_client

ADMIN_ONLY = {"portal.export_csv"}
# A calendar app cannot sign in: the feed's secret address is its key
# (tests/portal/test_calendar_feed.py: an unknown or revoked token is a 404).
TOKEN_ONLY = {"portal.calendar_feed"}


def portal_rules(app: Flask) -> list[Rule]:
    """Every URL rule of the portal blueprint that needs a signed-in clinician."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("portal.") and rule.endpoint not in TOKEN_ONLY
    ]
    assert rules, "the portal blueprint has no routes"
    return rules


def concrete_path(rule: Rule, public_id: str) -> str:
    """Fill a rule's placeholders (only public ids exist in portal URLs)."""
    assert set(rule.arguments) <= {"public_id"}, rule.rule
    return rule.rule.replace("<public_id>", public_id)


def methods_of(rule: Rule) -> list[str]:
    """The methods a rule answers, without the automatic ones."""
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def test_every_portal_endpoint_sends_anonymous_visitors_to_sign_in(app: Flask) -> None:
    public_id = make_submission(app)
    client = app.test_client()
    checked = 0
    for rule in portal_rules(app):
        path = concrete_path(rule, public_id)
        for method in methods_of(rule):
            response = client.open(path, method=method)
            assert response.status_code == 302, (method, path, response.status_code)
            location = urlsplit(response.headers["Location"]).path
            assert location == "/portal/auth/login", (method, path, location)
            checked += 1
    assert checked >= 9


def test_admin_only_endpoints_refuse_a_plain_clinician(app: Flask) -> None:
    public_id = make_submission(app)
    endpoints = {rule.endpoint for rule in portal_rules(app)}
    assert endpoints >= ADMIN_ONLY
    clinician, admin = clinician_client(app), admin_client(app)
    for rule in portal_rules(app):
        if rule.endpoint not in ADMIN_ONLY:
            continue
        path = concrete_path(rule, public_id)
        for method in methods_of(rule):
            assert clinician.open(path, method=method).status_code == 403, path
            assert admin.open(path, method=method).status_code == 200, path


def test_every_other_endpoint_is_open_to_a_signed_in_clinician(app: Flask) -> None:
    public_id = make_submission(app)
    clinician = clinician_client(app)
    for rule in portal_rules(app):
        if rule.endpoint in ADMIN_ONLY:
            continue
        for method in methods_of(rule):
            response = clinician.open(concrete_path(rule, public_id), method=method)
            # 200 for pages; 302 or 400 for POSTs with an empty form, 204 for the keepalive;
            # never 401/403.
            assert response.status_code in {200, 204, 302, 400}, (
                rule.endpoint,
                response.status_code,
            )
