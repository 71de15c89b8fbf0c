"""Admin pages are for admins only: anonymous people sign in first, clinicians get 403."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.portal_helpers import admin_client, clinician_client, create_clinician

ADMIN_GETS = [
    "/portal/admin/",
    "/portal/admin/accounts",
    "/portal/admin/accounts/invite",
    "/portal/admin/audit",
    "/portal/admin/dashboard",
]
ADMIN_POSTS = [
    "/portal/admin/accounts/invite",
    "/portal/admin/accounts/{id}/deactivate",
    "/portal/admin/accounts/{id}/reactivate",
    "/portal/admin/accounts/{id}/reset-2fa",
    "/portal/admin/accounts/{id}/reset-password",
]


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/portal/auth/login?next=/portal/admin")


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_anonymous_posts_are_sent_to_sign_in_without_a_next(
    app: Flask, client: FlaskClient, path: str
) -> None:
    clinician_id, _ = create_clinician(app, email="target@example.org")
    response = client.post(path.format(id=clinician_id))
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/auth/login"


@pytest.mark.parametrize("path", ADMIN_GETS)
def test_clinicians_are_forbidden(app: Flask, path: str) -> None:
    client = clinician_client(app)
    response = client.get(path)
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_clinicians_cannot_change_accounts(app: Flask, path: str) -> None:
    target_id, _ = create_clinician(app, email="target@example.org")
    client = clinician_client(app)
    response = client.post(
        path.format(id=target_id),
        data={"name": "Eve", "email": "eve@example.org", "role": "admin"},
    )
    assert response.status_code == 403


def test_admins_get_in(app: Flask) -> None:
    client = admin_client(app)
    for path in ADMIN_GETS[1:]:
        assert client.get(path).status_code == 200, path


def test_portal_navigation_shows_admin_links_only_to_admins(app: Flask) -> None:
    admin_html = admin_client(app).get("/portal/admin/accounts").get_data(as_text=True)
    assert 'href="/portal/admin/audit"' in admin_html
    assert "Signed in as Ada Admin" in admin_html
    assert 'action="/portal/auth/logout"' in admin_html
    clinician_html = clinician_client(app).get("/portal/auth/password").get_data(as_text=True)
    assert "/portal/admin/" not in clinician_html
    assert "Signed in as Casey Clinician" in clinician_html
