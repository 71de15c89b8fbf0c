"""Admins invite, deactivate, reactivate and reset 2FA; every change is audited."""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from tests.auth.support import (
    ENROL,
    LOGIN,
    PASSWORD,
    TWO_FACTOR,
    audit_events,
    get_clinician,
)
from tests.conftest import csrf_token_from, make_app
from tests.portal_helpers import (
    DEFAULT_PASSWORD,
    admin_client,
    clinician_client,
    create_clinician,
    sign_in,
    unused_code,
)

ACCOUNTS = "/portal/admin/accounts"
INVITE = "/portal/admin/accounts/invite"


def admin_id(app: Flask) -> int:
    """The id of the admin that admin_client signed in (the first account.created target)."""
    return next(
        e.target_clinician_id
        for e in audit_events(app, "account.created")
        if e.detail == {"role": "admin"}
    )


def test_accounts_page_lists_everyone(app: Flask) -> None:
    client = admin_client(app)
    create_clinician(app, email="casey@example.org", name="Casey Clinician")
    html = client.get(ACCOUNTS).get_data(as_text=True)
    assert "casey@example.org" in html and "Casey Clinician" in html
    assert html.count("<h1") == 1


def test_invite_shows_a_temporary_password_once_and_is_audited(app: Flask) -> None:
    client = admin_client(app)
    response = client.post(
        INVITE, data={"name": "Nina New", "email": "Nina@Example.org", "role": "clinician"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    match = re.search(r'<p class="temporary-password"><code>([^<]+)</code>', html)
    assert match
    temporary = match.group(1)
    assert len(temporary) >= 12
    event = audit_events(app, "account.created")[-1]
    assert event.actor_id == admin_id(app)
    assert event.detail == {"role": "clinician"}
    invited = get_clinician(app, event.target_clinician_id or 0)
    assert invited.email == "nina@example.org" and invited.must_change_password
    assert temporary not in invited.password_hash
    # Shown once: the accounts page does not show it again.
    assert temporary not in client.get(ACCOUNTS).get_data(as_text=True)


def test_invited_person_enrols_then_must_choose_a_password(app: Flask) -> None:
    client = admin_client(app)
    html = client.post(
        INVITE, data={"name": "Nina New", "email": "nina@example.org", "role": "clinician"}
    ).get_data(as_text=True)
    temporary = re.search(r'<p class="temporary-password"><code>([^<]+)</code>', html).group(1)  # type: ignore[union-attr]
    nina = app.test_client()
    response = nina.post(LOGIN, data={"email": "nina@example.org", "password": temporary})
    assert response.headers["Location"] == ENROL
    invited_id = audit_events(app, "account.created")[-1].target_clinician_id or 0
    secret = get_clinician(app, invited_id).totp_secret or ""
    page = nina.post(ENROL, data={"code": pyotp.TOTP(secret).now()}).get_data(as_text=True)
    assert f'href="{PASSWORD}"' in page  # continue leads to the password change
    assert nina.get("/portal/admin/accounts").headers["Location"] == PASSWORD
    response = nina.post(
        PASSWORD,
        data={
            "current_password": temporary,
            "new_password": "nina's own long passphrase",
            "confirm_password": "nina's own long passphrase",
        },
    )
    assert response.status_code == 302
    assert not get_clinician(app, invited_id).must_change_password


def test_invite_refuses_a_duplicate_or_bad_email(app: Flask) -> None:
    client = admin_client(app)
    create_clinician(app, email="casey@example.org")
    html = client.post(
        INVITE, data={"name": "Casey Again", "email": "casey@example.org", "role": "clinician"}
    ).get_data(as_text=True)
    assert "already exists" in html and 'id="email-error"' in html
    html = client.post(
        INVITE, data={"name": "Bad", "email": "not-an-email", "role": "clinician"}
    ).get_data(as_text=True)
    assert 'id="email-error"' in html
    html = client.post(
        INVITE, data={"name": "Bad", "email": "x@example.org", "role": "owner"}
    ).get_data(as_text=True)
    assert 'id="role-error"' in html
    assert len(audit_events(app, "account.created")) == 2  # the admin and Casey only


def test_deactivate_is_audited_and_signs_the_person_out(app: Flask) -> None:
    client = admin_client(app)
    casey_id, secret = create_clinician(app, email="casey@example.org")
    casey = app.test_client()
    sign_in(casey, "casey@example.org", DEFAULT_PASSWORD, secret)

    response = client.post(f"/portal/admin/accounts/{casey_id}/deactivate")
    assert response.headers["Location"] == ACCOUNTS
    assert not get_clinician(app, casey_id).active
    [event] = audit_events(app, "account.deactivated")
    assert (event.actor_id, event.target_clinician_id) == (admin_id(app), casey_id)
    assert event.ip == "127.0.0.1"
    assert casey.get(PASSWORD).status_code == 302
    refused = casey.post(LOGIN, data={"email": "casey@example.org", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 200


def test_reactivate_is_audited(app: Flask) -> None:
    client = admin_client(app)
    casey_id, _ = create_clinician(app, email="casey@example.org")
    client.post(f"/portal/admin/accounts/{casey_id}/deactivate")
    response = client.post(f"/portal/admin/accounts/{casey_id}/reactivate")
    assert response.headers["Location"] == ACCOUNTS
    assert get_clinician(app, casey_id).active
    [event] = audit_events(app, "account.reactivated")
    assert (event.actor_id, event.target_clinician_id) == (admin_id(app), casey_id)


def test_a_change_already_made_is_refused_with_a_reason_and_not_audited(app: Flask) -> None:
    client = admin_client(app)
    casey_id, _ = create_clinician(app, email="casey@example.org")
    reactivated = client.post(
        f"/portal/admin/accounts/{casey_id}/reactivate", follow_redirects=True
    )
    assert "Nothing changed: that account is already active." in reactivated.get_data(as_text=True)
    client.post(f"/portal/admin/accounts/{casey_id}/deactivate")
    again = client.post(f"/portal/admin/accounts/{casey_id}/deactivate", follow_redirects=True)
    assert "Nothing changed: that account is already deactivated." in again.get_data(as_text=True)
    assert len(audit_events(app, "account.deactivated")) == 1
    assert audit_events(app, "account.reactivated") == []
    assert get_clinician(app, casey_id).session_version == 2  # bumped once, by the first


def test_reset_2fa_is_audited_and_requires_enrolment_again(app: Flask) -> None:
    client = admin_client(app)
    casey_id, secret = create_clinician(app, email="casey@example.org")
    casey = app.test_client()
    sign_in(casey, "casey@example.org", DEFAULT_PASSWORD, secret)

    response = client.post(f"/portal/admin/accounts/{casey_id}/reset-2fa")
    assert response.headers["Location"] == ACCOUNTS
    stored = get_clinician(app, casey_id)
    assert stored.totp_secret is None and not stored.totp_confirmed
    [event] = audit_events(app, "account.2fa-reset")
    assert (event.actor_id, event.target_clinician_id) == (admin_id(app), casey_id)
    assert casey.get(PASSWORD).status_code == 302  # signed out
    again = casey.post(LOGIN, data={"email": "casey@example.org", "password": DEFAULT_PASSWORD})
    assert again.headers["Location"] == ENROL


def test_admin_cannot_deactivate_or_reset_themselves(app: Flask) -> None:
    client = admin_client(app)
    me = admin_id(app)
    client.post(f"/portal/admin/accounts/{me}/deactivate")
    client.post(f"/portal/admin/accounts/{me}/reset-2fa")
    assert get_clinician(app, me).active and get_clinician(app, me).totp_confirmed
    assert client.get(ACCOUNTS).status_code == 200
    assert audit_events(app, "account.deactivated") == []


def test_actions_on_a_missing_account_are_404(app: Flask) -> None:
    client = admin_client(app)
    assert client.post("/portal/admin/accounts/9999/deactivate").status_code == 404


def test_account_actions_need_a_csrf_token(tmp_path: Path, database_url: str) -> None:
    protected = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    try:
        _, secret = create_clinician(protected, email="ada@example.org", role="admin")
        casey_id, _ = create_clinician(protected, email="casey@example.org")
        client: FlaskClient = protected.test_client()
        token = csrf_token_from(client.get(LOGIN).get_data(as_text=True))
        client.post(
            LOGIN,
            data={"email": "ada@example.org", "password": DEFAULT_PASSWORD, "csrf_token": token},
        )
        # Sign-in starts a new session, so the next form carries a new token.
        token = csrf_token_from(client.get(TWO_FACTOR).get_data(as_text=True))
        code = unused_code(protected, "ada@example.org", secret or "")
        client.post(TWO_FACTOR, data={"code": code, "csrf_token": token})
        page = client.get(ACCOUNTS)
        assert page.status_code == 200
        assert client.post(f"/portal/admin/accounts/{casey_id}/deactivate").status_code == 400
        assert get_clinician(protected, casey_id).active
        token = csrf_token_from(page.get_data(as_text=True))
        response = client.post(
            f"/portal/admin/accounts/{casey_id}/deactivate", data={"csrf_token": token}
        )
        assert response.status_code == 302
        assert not get_clinician(protected, casey_id).active
    finally:
        protected.extensions["db_engine"].dispose()


def test_clinician_client_is_not_an_admin(app: Flask) -> None:
    assert clinician_client(app).get(ACCOUNTS).status_code == 403


def test_password_reset_gives_a_temporary_password_and_is_audited(app: Flask) -> None:
    client = admin_client(app)
    casey_id, secret = create_clinician(app, email="casey@example.org")
    casey = app.test_client()
    sign_in(casey, "casey@example.org", DEFAULT_PASSWORD, secret)

    html = client.post(f"/portal/admin/accounts/{casey_id}/reset-password").get_data(as_text=True)
    match = re.search(r'<p class="temporary-password"><code>([^<]+)</code>', html)
    assert match and "New password set" in html
    [event] = audit_events(app, "account.password-reset")
    assert (event.actor_id, event.target_clinician_id) == (admin_id(app), casey_id)
    assert casey.get(PASSWORD).status_code == 302  # the open session has ended

    old = casey.post(LOGIN, data={"email": "casey@example.org", "password": DEFAULT_PASSWORD})
    assert old.status_code == 200
    sign_in(casey, "casey@example.org", match.group(1), secret)
    assert casey.get("/portal/admin/accounts").headers["Location"] == PASSWORD


def test_admin_cannot_reset_their_own_password_here(app: Flask) -> None:
    client = admin_client(app)
    response = client.post(f"/portal/admin/accounts/{admin_id(app)}/reset-password")
    assert response.headers["Location"] == ACCOUNTS
    assert audit_events(app, "account.password-reset") == []
