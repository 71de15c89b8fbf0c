"""Changing a password, and the forced change after signing in with a temporary one."""

from __future__ import annotations

from flask import Flask

from tests.auth.support import PASSWORD, audit_events, get_clinician, update_clinician
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, sign_in

EMAIL = "clinician@example.org"
NEW = "another long passphrase"


def change(client, current: str, new: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        PASSWORD,
        data={"current_password": current, "new_password": new, "confirm_password": confirm or new},
    )


def test_password_change_needs_the_current_password(app: Flask) -> None:
    clinician_id, secret = create_clinician(app)
    client = app.test_client()
    sign_in(client, EMAIL, DEFAULT_PASSWORD, secret)
    response = change(client, "not my password at all", NEW)
    assert response.status_code == 200
    assert "That is not your current password." in response.get_data(as_text=True)
    assert audit_events(app, "auth.password-change")[0].outcome == "failure"
    assert get_clinician(app, clinician_id).failed_logins == 1


def test_password_change_applies_the_policy(app: Flask) -> None:
    _, secret = create_clinician(app)
    client = app.test_client()
    sign_in(client, EMAIL, DEFAULT_PASSWORD, secret)
    html = change(client, DEFAULT_PASSWORD, "short").get_data(as_text=True)
    assert "Use at least 12 characters." in html
    assert 'aria-describedby="new_password-hint new_password-error"' in html
    html = change(client, DEFAULT_PASSWORD, NEW, "something else entirely").get_data(as_text=True)
    assert "do not match" in html
    html = change(client, DEFAULT_PASSWORD, EMAIL).get_data(as_text=True)
    assert "Do not use your email address" in html


def test_password_change_works_and_ends_other_sessions(app: Flask) -> None:
    clinician_id, secret = create_clinician(app)
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, EMAIL, DEFAULT_PASSWORD, secret)
    sign_in(elsewhere, EMAIL, DEFAULT_PASSWORD, secret)
    response = change(here, DEFAULT_PASSWORD, NEW)
    assert response.status_code == 302
    assert here.get(PASSWORD).status_code == 200  # this session carries on
    assert elsewhere.get(PASSWORD).status_code == 302  # the other one is signed out
    assert audit_events(app, "auth.password-changed")[0].actor_id == clinician_id


def test_temporary_password_must_be_changed_before_anything_else(app: Flask) -> None:
    clinician_id, secret = create_clinician(app)
    update_clinician(app, clinician_id, must_change_password=True)
    client = app.test_client()
    sign_in(client, EMAIL, DEFAULT_PASSWORD, secret)
    # Every other staff page sends them to the change form first.
    response = client.get("/portal/admin/accounts")
    assert response.headers["Location"] == PASSWORD
    html = client.get(PASSWORD).get_data(as_text=True)
    assert "temporary password" in html
    assert change(client, DEFAULT_PASSWORD, NEW).status_code == 302
    assert not get_clinician(app, clinician_id).must_change_password
    assert client.get("/portal/admin/accounts").status_code == 403  # a clinician, not an admin
