"""The second factor: enrolment with a QR code, TOTP codes without replays, recovery codes."""

from __future__ import annotations

import re
import time

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from screening.auth.service import LOCKOUT_THRESHOLD
from tests.auth.support import (
    ENROL,
    LOGIN,
    PASSWORD,
    RECOVERY,
    TWO_FACTOR,
    audit_events,
    get_clinician,
)
from tests.conftest import TotpClock
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, sign_in, unused_code

EMAIL = "clinician@example.org"


def password_step(client: FlaskClient, email: str = EMAIL) -> str:
    response = client.post(LOGIN, data={"email": email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return response.headers["Location"]


def enrol_and_get_codes(app: Flask, client: FlaskClient, clinician_id: int) -> list[str]:
    """Enrol a new account through the pages; return the recovery codes shown."""
    assert password_step(client) == ENROL
    secret = get_clinician(app, clinician_id).totp_secret
    assert secret
    response = client.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))


def test_unenrolled_account_is_sent_to_enrolment(app: Flask, client: FlaskClient) -> None:
    create_clinician(app, enrolled=False)
    assert password_step(client) == ENROL
    # The code page is not a way around enrolment.
    assert client.get(TWO_FACTOR).headers["Location"] == ENROL


def test_enrolment_shows_an_inline_svg_qr_code_and_the_text_secret(
    app: Flask, client: FlaskClient
) -> None:
    clinician_id, _ = create_clinician(app, enrolled=False)
    password_step(client)
    html = client.get(ENROL).get_data(as_text=True)
    secret = get_clinician(app, clinician_id).totp_secret
    assert secret
    assert "<svg" in html and 'class="qr-code"' in html
    assert "data:image" not in html and "<img" not in html
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert grouped in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert html.count("<h1") == 1
    assert "style=" not in html and "<script>" not in html


def test_enrolment_secret_is_stored_encrypted(app: Flask, client: FlaskClient) -> None:
    clinician_id, _ = create_clinician(app, enrolled=False)
    password_step(client)
    secret = get_clinician(app, clinician_id).totp_secret
    with app.app_context():
        from sqlalchemy import text

        from screening.database import new_session

        db = new_session()
        raw = db.execute(text("SELECT totp_secret FROM clinicians")).scalar_one()
        db.close()
    assert secret and secret not in raw


def test_wrong_enrolment_code_fails(app: Flask, client: FlaskClient) -> None:
    clinician_id, _ = create_clinician(app, enrolled=False)
    password_step(client)
    secret = get_clinician(app, clinician_id).totp_secret
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    response = client.post(ENROL, data={"code": wrong})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "That code did not match" in html
    assert 'aria-describedby="code-hint code-error"' in html
    assert not get_clinician(app, clinician_id).totp_confirmed
    assert client.get(PASSWORD).status_code == 302  # not signed in


def test_right_enrolment_code_signs_in_and_shows_recovery_codes(
    app: Flask, client: FlaskClient
) -> None:
    clinician_id, _ = create_clinician(app, enrolled=False)
    codes = enrol_and_get_codes(app, client, clinician_id)
    assert len(codes) == 10
    stored = get_clinician(app, clinician_id)
    assert stored.totp_confirmed
    # Only hashes are kept.
    assert stored.recovery_codes and len(stored.recovery_codes) == 10
    assert not set(codes) & set(stored.recovery_codes)
    assert client.get(PASSWORD).status_code == 200  # signed in
    assert [e.action for e in audit_events(app, "auth.2fa-enrolled")] == ["auth.2fa-enrolled"]


def test_totp_code_signs_in_and_is_audited(app: Flask, client: FlaskClient) -> None:
    clinician_id, secret = create_clinician(app)
    sign_in(client, EMAIL, DEFAULT_PASSWORD, secret)
    assert client.get(PASSWORD).status_code == 200
    [event] = [e for e in audit_events(app, "auth.2fa") if e.action == "auth.2fa"]
    assert (event.actor_id, event.outcome, event.detail) == (
        clinician_id,
        "success",
        {"method": "totp"},
    )
    assert get_clinician(app, clinician_id).last_login_at is not None


def test_third_sign_in_within_a_step_moves_the_server_clock_instead_of_waiting(
    app: Flask, totp_clock: TotpClock
) -> None:
    # Start mid-step so the wall clock cannot cross a step boundary during the test.
    mid_step = (int(time.time() // 30) + 0.5) * 30 - time.time()
    totp_clock.offset = mid_step
    start = int(totp_clock() // 30)
    clinician_id, secret = create_clinician(app)
    steps = []
    for _ in range(3):
        sign_in(app.test_client(), EMAIL, DEFAULT_PASSWORD, secret)
        steps.append(get_clinician(app, clinician_id).totp_last_timecode)
    assert steps == [start, start + 1, start + 2]
    # Step start+2 is only due a step later: the server's clock moved one step; nothing slept.
    assert totp_clock.offset == mid_step + 30


def test_totp_replay_is_rejected(app: Flask, client: FlaskClient) -> None:
    clinician_id, secret = create_clinician(app)
    assert secret
    code = unused_code(app, EMAIL, secret)
    password_step(client)
    assert client.post(TWO_FACTOR, data={"code": code}).status_code == 302
    client.post("/portal/auth/logout")
    # The same code again, from a fresh sign-in within its validity window.
    password_step(client)
    response = client.post(TWO_FACTOR, data={"code": code})
    assert response.status_code == 200
    assert "each code works once" in response.get_data(as_text=True)
    assert client.get(PASSWORD).status_code == 302
    replay = [e for e in audit_events(app, "auth.2fa") if e.outcome == "replay"]
    assert len(replay) == 1 and replay[0].actor_id == clinician_id


def test_wrong_totp_codes_count_towards_the_lockout(app: Flask, client: FlaskClient) -> None:
    clinician_id, secret = create_clinician(app)
    password_step(client)
    current = pyotp.TOTP(secret).now()
    wrong = "000000" if current != "000000" else "111111"
    for _ in range(LOCKOUT_THRESHOLD - 1):
        assert client.post(TWO_FACTOR, data={"code": wrong}).status_code == 200
    response = client.post(TWO_FACTOR, data={"code": wrong})
    assert response.headers["Location"] == LOGIN
    assert get_clinician(app, clinician_id).locked_until is not None
    assert len(audit_events(app, "auth.lockout")) == 1
    # The pending sign-in is gone: even a right code now starts over.
    assert client.post(TWO_FACTOR, data={"code": current}).headers["Location"] == LOGIN


def test_recovery_code_works_once(app: Flask, client: FlaskClient) -> None:
    clinician_id, _ = create_clinician(app, enrolled=False)
    codes = enrol_and_get_codes(app, client, clinician_id)
    client.post("/portal/auth/logout")

    assert password_step(client) == TWO_FACTOR
    response = client.post(RECOVERY, data={"code": codes[0]})
    assert response.status_code == 302 and not response.headers["Location"].startswith(LOGIN)
    assert client.get(PASSWORD).status_code == 200
    assert len(get_clinician(app, clinician_id).recovery_codes or []) == 9
    [used] = audit_events(app, "auth.recovery-code-used")
    assert used.actor_id == clinician_id and used.detail == {"remaining": 9}
    client.post("/portal/auth/logout")

    password_step(client)
    response = client.post(RECOVERY, data={"code": codes[0]})
    assert response.status_code == 200
    assert "did not work, or it was used already" in response.get_data(as_text=True)
    assert client.get(PASSWORD).status_code == 302


def test_code_pages_need_the_password_step_first(client: FlaskClient) -> None:
    for page in (TWO_FACTOR, RECOVERY, ENROL):
        response = client.post(page, data={"code": "123456"})
        assert response.headers["Location"] == LOGIN


def test_resubmitting_the_enrolment_form_keeps_the_person_signed_in(
    app: Flask, client: FlaskClient
) -> None:
    clinician_id, _ = create_clinician(app, enrolled=False)
    enrol_and_get_codes(app, client, clinician_id)
    # A browser refresh of the recovery-codes page posts the form again.
    response = client.post(ENROL, data={"code": "123456"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/portal")
    assert client.get(PASSWORD).status_code == 200
