"""Signing in with email and password: one message for every failure, lockout, rate limit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from screening.auth.service import LOCKOUT_THRESHOLD
from tests.auth.support import LOGIN, TWO_FACTOR, audit_events, get_clinician, update_clinician
from tests.conftest import csrf_token_from, make_app
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician

EMAIL = "clinician@example.org"


def post_login(client: FlaskClient, email: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, data={"email": email, "password": password})


def without(body: bytes, email: str) -> str:
    """The page without the typed email (echoed into the field) and the per-request token."""
    page = body.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrf_token" value="[^"]*"', "TOKEN", page)


def test_login_page_has_the_right_fields(client: FlaskClient) -> None:
    html = client.get(LOGIN).get_data(as_text=True)
    assert html.count("<h1") == 1
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert 'type="password"' in html
    assert "style=" not in html and "<script>" not in html


def test_correct_password_goes_on_to_two_factor(app: Flask, client: FlaskClient) -> None:
    create_clinician(app)
    response = post_login(client, EMAIL, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == TWO_FACTOR


def test_email_is_matched_without_regard_to_case_or_spaces(app: Flask, client: FlaskClient) -> None:
    create_clinician(app)
    response = post_login(client, "  Clinician@Example.ORG ", DEFAULT_PASSWORD)
    assert response.headers["Location"] == TWO_FACTOR


def test_unknown_email_and_wrong_password_look_the_same(app: Flask, client: FlaskClient) -> None:
    create_clinician(app)
    unknown = post_login(client, "nobody@example.org", DEFAULT_PASSWORD)
    wrong = post_login(client, EMAIL, "not the right password")
    assert unknown.status_code == wrong.status_code == 200
    assert without(unknown.data, "nobody@example.org") == without(wrong.data, EMAIL)
    assert "We could not sign you in" in wrong.get_data(as_text=True)


def test_locked_and_inactive_accounts_look_like_a_wrong_password(
    app: Flask, client: FlaskClient
) -> None:
    locked_id, _ = create_clinician(app, email="locked@example.org")
    inactive_id, _ = create_clinician(app, email="inactive@example.org")
    update_clinician(app, locked_id, locked_until=datetime.now(UTC) + timedelta(minutes=10))
    update_clinician(app, inactive_id, active=False)
    wrong = without(
        post_login(client, "locked@example.org", "not the right password").data,
        "locked@example.org",
    )
    # The right password does not help a locked or inactive account, and says nothing more.
    locked = without(
        post_login(client, "locked@example.org", DEFAULT_PASSWORD).data, "locked@example.org"
    )
    inactive = without(
        post_login(client, "inactive@example.org", DEFAULT_PASSWORD).data, "inactive@example.org"
    )
    assert locked == wrong == inactive


def test_every_failure_is_audited_with_its_reason(app: Flask, client: FlaskClient) -> None:
    clinician_id, _ = create_clinician(app)
    inactive_id, _ = create_clinician(app, email="inactive@example.org")
    update_clinician(app, inactive_id, active=False)
    post_login(client, "nobody@example.org", "whatever password")
    post_login(client, EMAIL, "not the right password")
    post_login(client, "inactive@example.org", DEFAULT_PASSWORD)
    events = [e for e in audit_events(app, "auth.login") if e.outcome == "failure"]
    reasons = [(e.actor_id, e.detail["reason"]) for e in events]
    assert reasons == [
        (None, "unknown-email"),
        (clinician_id, "bad-password"),
        (inactive_id, "inactive"),
    ]
    # The email tried for an unknown account is stored nowhere in the event.
    assert "nobody" not in repr([(e.detail, e.ip, e.action) for e in events])
    assert all(e.ip == "127.0.0.1" for e in events)


def test_success_of_the_password_step_is_audited(app: Flask, client: FlaskClient) -> None:
    clinician_id, _ = create_clinician(app)
    post_login(client, EMAIL, DEFAULT_PASSWORD)
    [event] = [e for e in audit_events(app, "auth.login") if e.outcome == "success"]
    assert event.actor_id == clinician_id


def test_five_failures_lock_the_account(app: Flask, client: FlaskClient) -> None:
    clinician_id, _ = create_clinician(app)
    for _ in range(LOCKOUT_THRESHOLD):
        post_login(client, EMAIL, "not the right password")
    stored = get_clinician(app, clinician_id)
    assert stored.locked_until is not None
    response = post_login(client, EMAIL, DEFAULT_PASSWORD)
    assert response.status_code == 200
    [lockout] = audit_events(app, "auth.lockout")
    assert lockout.actor_id == clinician_id
    assert audit_events(app, "auth.login")[-1].detail == {"reason": "locked"}


def test_four_failures_do_not_lock(app: Flask, client: FlaskClient) -> None:
    create_clinician(app)
    for _ in range(LOCKOUT_THRESHOLD - 1):
        post_login(client, EMAIL, "not the right password")
    assert post_login(client, EMAIL, DEFAULT_PASSWORD).status_code == 302


def test_lock_ends_after_the_window(app: Flask, client: FlaskClient) -> None:
    clinician_id, _ = create_clinician(app)
    for _ in range(LOCKOUT_THRESHOLD):
        post_login(client, EMAIL, "not the right password")
    update_clinician(app, clinician_id, locked_until=datetime.now(UTC) - timedelta(seconds=1))
    response = post_login(client, EMAIL, DEFAULT_PASSWORD)
    assert response.headers["Location"] == TWO_FACTOR


def test_missing_fields_show_errors_next_to_them(client: FlaskClient) -> None:
    html = client.post(LOGIN, data={"email": "", "password": ""}).get_data(as_text=True)
    assert 'id="email-error"' in html and 'aria-describedby="email-error"' in html
    assert 'id="password-error"' in html and 'aria-describedby="password-error"' in html
    assert 'aria-invalid="true"' in html


def test_per_ip_rate_limit_shows_the_friendly_page(tmp_path: Path, database_url: str) -> None:
    limited = make_app(tmp_path, database_url, RATELIMIT_ENABLED=True)
    try:
        client = limited.test_client()
        statuses = [
            post_login(client, f"person{n}@example.org", "some password here").status_code
            for n in range(11)
        ]
        assert statuses[:10] == [200] * 10
        assert statuses[10] == 429
        page = post_login(client, "another@example.org", "some password here")
        assert page.status_code == 429
        assert "Too many attempts" in page.get_data(as_text=True)
        # Reading the sign-in page is not limited.
        assert client.get(LOGIN).status_code == 200
    finally:
        limited.extensions["db_engine"].dispose()


def test_login_without_csrf_token_is_refused(tmp_path: Path, database_url: str) -> None:
    protected = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    try:
        create_clinician(protected)
        client = protected.test_client()
        refused = post_login(client, EMAIL, DEFAULT_PASSWORD)
        assert refused.status_code == 400
        token = csrf_token_from(client.get(LOGIN).get_data(as_text=True))
        accepted = client.post(
            LOGIN, data={"email": EMAIL, "password": DEFAULT_PASSWORD, "csrf_token": token}
        )
        assert accepted.status_code == 302
    finally:
        protected.extensions["db_engine"].dispose()


def test_a_control_character_in_the_email_is_a_field_error(app: Flask, client: FlaskClient) -> None:
    create_clinician(app)
    for email in ("clinician\x00@example.org", "clinician@example.org\x1b"):
        response = post_login(client, email, DEFAULT_PASSWORD)
        assert response.status_code == 200
        assert "Remove the control characters" in response.get_data(as_text=True)
