"""Helpers for tests of staff pages: make accounts and sign in through the real pages.

clinician_id, secret = create_clinician(app)
sign_in(client, "clinician@example.org", "correct horse battery staple", secret)
client = admin_client(app)      # a fresh client signed in as a new admin
"""

from __future__ import annotations

import itertools
from urllib.parse import urlsplit

import pyotp
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.auth import service, totp
from screening.database import new_session
from screening.models import Clinician

DEFAULT_PASSWORD = "correct horse battery staple"
_account_numbers = itertools.count(1)


def create_clinician(
    app: Flask,
    email: str = "clinician@example.org",
    name: str = "Casey Clinician",
    role: str = "clinician",
    password: str = DEFAULT_PASSWORD,
    enrolled: bool = True,
) -> tuple[int, str | None]:
    """Create an account through the service layer; return its id and TOTP secret (if enrolled)."""
    with app.app_context():
        db = new_session(write=True)
        try:
            clinician = service.create_clinician(
                db, email=email, name=name, password=password, role=role
            )
            secret = None
            if enrolled:
                secret = totp.new_secret()
                clinician.totp_secret = secret
                clinician.totp_confirmed = True
            db.commit()
            return clinician.id, secret
        finally:
            db.close()


def unused_code(app: Flask, email: str, secret: str) -> str:
    """Return a valid TOTP code for the step after the account's last one, moving the server's
    clock (tests.conftest.TotpClock) forward a step when that code is not due yet."""
    generator = pyotp.TOTP(secret)
    with app.app_context():
        db = new_session()
        try:
            last = db.scalars(
                select(Clinician.totp_last_timecode).where(
                    Clinician.email == service.normalise_email(email)
                )
            ).first()
        finally:
            db.close()
    clock = totp.clock
    current = int(clock() // generator.interval)
    step = current if last is None or last < current else last + 1
    # The server accepts one step either side of its now: a later step needs a later now.
    if step > current + 1:
        clock.offset += (step - 1 - current) * generator.interval  # type: ignore[attr-defined]
    return generator.generate_otp(step)


def sign_in(client: FlaskClient, email: str, password: str, totp_secret: str | None) -> None:
    """Sign in through the real password and TOTP pages; assert it lands in the portal."""
    app = client.application
    with app.test_request_context():
        login_url = url_for("auth.login")
        two_factor_url = url_for("auth.two_factor")
    response = client.post(login_url, data={"email": email, "password": password})
    assert response.status_code == 302, f"password step failed ({response.status_code})"
    assert urlsplit(response.headers["Location"]).path == two_factor_url, response.headers[
        "Location"
    ]
    assert totp_secret, "the account has no TOTP secret: create it with enrolled=True"
    code = unused_code(app, email, totp_secret)
    response = client.post(two_factor_url, data={"code": code})
    assert response.status_code == 302, f"TOTP step failed ({response.status_code})"
    landing = urlsplit(response.headers["Location"]).path
    assert landing.startswith("/portal") and not landing.startswith("/portal/auth/login"), landing


def signed_in_client(app: Flask, role: str) -> FlaskClient:
    """Return a fresh test client signed in as a newly created account with this role."""
    number = next(_account_numbers)
    email = f"{role}-{number}@example.org"
    name = f"{'Ada Admin' if role == 'admin' else 'Casey Clinician'} {number}"
    _, secret = create_clinician(app, email=email, name=name, role=role)
    client = app.test_client()
    sign_in(client, email, DEFAULT_PASSWORD, secret)
    return client


def admin_client(app: Flask) -> FlaskClient:
    """Return a fresh test client signed in as a newly created admin."""
    return signed_in_client(app, "admin")


def clinician_client(app: Flask) -> FlaskClient:
    """Return a fresh test client signed in as a newly created clinician."""
    return signed_in_client(app, "clinician")
