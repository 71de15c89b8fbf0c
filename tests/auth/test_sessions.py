"""Sessions: fresh on sign-in, idle and absolute limits, real sign-out, no remember-me."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from screening.auth import sessions
from screening.auth.sessions import safe_next
from tests.auth.support import LOGIN, LOGOUT, PASSWORD, TWO_FACTOR, audit_events, update_clinician
from tests.portal_helpers import (
    DEFAULT_PASSWORD,
    admin_client,
    clinician_client,
    create_clinician,
    sign_in,
    unused_code,
)

EMAIL = "clinician@example.org"
ADMIN_PAGE = "/portal/admin/accounts"


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def signed_in(client: FlaskClient) -> bool:
    """Whether the client reaches a page that needs a complete sign-in."""
    return client.get(PASSWORD).status_code == 200


def test_sign_in_starts_a_new_session(app: Flask, client: FlaskClient) -> None:
    _, secret = create_clinician(app)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "es"
    before = session_cookie(client)
    client.post(LOGIN, data={"email": EMAIL, "password": DEFAULT_PASSWORD})
    after_password = session_cookie(client)
    assert after_password != before
    with client.session_transaction() as session:
        assert "planted" not in session
        pending = dict(session)
    code = unused_code(app, EMAIL, secret or "")
    client.post(TWO_FACTOR, data={"code": code})
    assert session_cookie(client) not in {before, after_password}
    with client.session_transaction() as session:
        assert "planted" not in session
        assert sessions.PENDING not in session
        assert session["lang"] == "es"  # the language is not a credential; it is kept
        assert session["_user_id"] != pending.get("_user_id")


def test_no_remember_me_cookie_is_ever_set(app: Flask, client: FlaskClient) -> None:
    _, secret = create_clinician(app)
    sign_in(client, EMAIL, DEFAULT_PASSWORD, secret)
    assert client.get_cookie("remember_token") is None
    with client.session_transaction() as session:
        assert session.get("_remember") != "set"
        assert not session.permanent


def test_password_alone_does_not_sign_in(app: Flask, client: FlaskClient) -> None:
    create_clinician(app)
    client.post(LOGIN, data={"email": EMAIL, "password": DEFAULT_PASSWORD})
    response = client.get(PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN)


def test_idle_session_expires(app: Flask) -> None:
    client = clinician_client(app)
    assert signed_in(client)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN] = time.time() - 16 * 60
    response = client.get(PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN)
    assert not signed_in(client)
    [expired] = audit_events(app, "auth.session-expired")
    assert expired.detail == {"reason": "idle"} and expired.actor_id is not None


def test_activity_keeps_the_session_alive(app: Flask) -> None:
    client = clinician_client(app)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN] = time.time() - 14 * 60
    assert signed_in(client)
    with client.session_transaction() as session:
        assert time.time() - session[sessions.LAST_SEEN] < 60


def test_session_expires_after_the_absolute_limit(app: Flask) -> None:
    client = admin_client(app)
    assert client.get(ADMIN_PAGE).status_code == 200
    with client.session_transaction() as session:
        session[sessions.STARTED] = time.time() - 10 * 3600 - 60
        session[sessions.LAST_SEEN] = time.time()
    response = client.get(ADMIN_PAGE)
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/auth/login?next=/portal/admin/accounts"
    assert client.get(ADMIN_PAGE).status_code == 302
    [expired] = audit_events(app, "auth.session-expired")
    assert expired.detail == {"reason": "absolute"}


def test_limits_follow_the_configuration(app: Flask) -> None:
    app.config["SESSION_IDLE_MINUTES"] = 1
    client = clinician_client(app)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN] = time.time() - 90
    assert not signed_in(client)


def test_copied_cookie_stops_working_after_logout(app: Flask) -> None:
    client = admin_client(app)
    copied = session_cookie(client)
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get(ADMIN_PAGE).status_code == 200  # the copy works while the session lives

    response = client.post(LOGOUT)
    assert response.headers["Location"] == LOGIN
    assert client.get(ADMIN_PAGE).status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get(ADMIN_PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN)
    assert [e.action for e in audit_events(app, "auth.logout")] == ["auth.logout"]


def test_logout_needs_post(app: Flask) -> None:
    client = clinician_client(app)
    assert client.get(LOGOUT).status_code == 405
    assert signed_in(client)


def test_deactivated_account_is_signed_out_on_its_next_request(app: Flask) -> None:
    clinician_id, secret = create_clinician(app)
    client = app.test_client()
    sign_in(client, EMAIL, DEFAULT_PASSWORD, secret)
    assert signed_in(client)
    update_clinician(app, clinician_id, active=False)
    response = client.get(PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_session_version_change_signs_out(app: Flask) -> None:
    clinician_id, secret = create_clinician(app)
    client = app.test_client()
    sign_in(client, EMAIL, DEFAULT_PASSWORD, secret)
    update_clinician(app, clinician_id, session_version=99)
    assert not signed_in(client)


def test_signed_in_person_visiting_sign_in_goes_to_the_portal(app: Flask) -> None:
    client = clinician_client(app)
    response = client.get(LOGIN)
    assert response.status_code == 302 and response.headers["Location"].startswith("/portal")


def test_next_is_followed_after_sign_in(app: Flask, client: FlaskClient) -> None:
    _, secret = create_clinician(app, email="admin@example.org", role="admin")
    first = client.get("/portal/admin/audit?action=auth.")
    assert first.headers["Location"] == "/portal/auth/login?next=/portal/admin/audit?action%3Dauth."
    response = client.post(
        first.headers["Location"], data={"email": "admin@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == TWO_FACTOR
    code = unused_code(app, "admin@example.org", secret or "")
    response = client.post(TWO_FACTOR, data={"code": code})
    assert response.headers["Location"] == "/portal/admin/audit?action=auth."


def test_next_must_be_a_relative_portal_path() -> None:
    assert safe_next("/portal/") == "/portal/"
    assert safe_next("/portal/submissions/abc?tab=notes") == "/portal/submissions/abc?tab=notes"
    for unsafe in (
        None,
        "",
        "https://evil.example/portal/",
        "//evil.example/portal/",
        "/\\evil.example",
        "/portal/../admin",
        "/portal/%2e%2e/x",
        "/portal//evil.example",
        "/screening/",
        "/portalx",
        "/portal/auth/logout",
        "javascript:alert(1)",
        "/portal/\nLocation: x",
    ):
        assert safe_next(unsafe) is None, unsafe


def test_unsafe_next_is_ignored(app: Flask, client: FlaskClient) -> None:
    _, secret = create_clinician(app)
    client.post(
        "/portal/auth/login?next=https://evil.example/",
        data={"email": EMAIL, "password": DEFAULT_PASSWORD},
    )
    code = unused_code(app, EMAIL, secret or "")
    response = client.post(TWO_FACTOR, data={"code": code})
    assert response.headers["Location"].startswith("/portal")
    assert "evil" not in response.headers["Location"]


def test_ordinary_pages_do_not_read_the_credentials(app: Flask) -> None:
    """The account is loaded on every request; its password hash, TOTP secret and recovery
    codes are read only where a password or a code is checked."""
    client = clinician_client(app)
    statements: list[str] = []

    def capture(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert client.get("/portal/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    account_reads = [s for s in statements if "FROM clinicians" in s and "clinicians.email" in s]
    assert account_reads, statements
    for statement in account_reads:
        for column in ("password_hash", "totp_secret", "recovery_codes"):
            assert column not in statement


def test_keepalive_counts_as_activity_for_a_signed_in_clinician(app: Flask) -> None:
    # session-timeout.js posts it from "Stay signed in", or while a note is being typed.
    client = clinician_client(app)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN] = time.time() - 14 * 60
    assert client.post("/portal/keepalive").status_code == 204
    with client.session_transaction() as session:
        assert time.time() - session[sessions.LAST_SEEN] < 60


def test_keepalive_does_not_revive_an_idle_session(app: Flask) -> None:
    client = clinician_client(app)
    with client.session_transaction() as session:
        session[sessions.LAST_SEEN] = time.time() - 16 * 60
    response = client.post("/portal/keepalive")
    assert response.status_code == 302 and response.headers["Location"].startswith(LOGIN)
    assert not signed_in(client)


def test_portal_pages_carry_the_timeout_warning_and_sign_in_does_not(app: Flask) -> None:
    client = clinician_client(app)
    page = client.get("/portal/").data.decode()
    assert 'id="session-warning"' in page and 'data-idle-seconds="900.0"' in page
    assert "session-timeout.js" in page
    assert 'id="session-warning"' not in app.test_client().get(LOGIN).data.decode()
