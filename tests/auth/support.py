"""Small data helpers for the auth and admin tests: read and change rows directly."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from screening.database import new_session
from screening.models import AuditEvent, Clinician

LOGIN = "/portal/auth/login"
TWO_FACTOR = "/portal/auth/two-factor"
RECOVERY = "/portal/auth/recovery"
ENROL = "/portal/auth/enrol"
LOGOUT = "/portal/auth/logout"
PASSWORD = "/portal/auth/password"


def audit_events(app: Flask, prefix: str = "") -> list[AuditEvent]:
    """Return the audit events whose action starts with `prefix`, oldest first."""
    with app.app_context():
        db = new_session()
        try:
            return list(
                db.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.action.startswith(prefix))
                    .order_by(AuditEvent.id)
                )
            )
        finally:
            db.close()


def get_clinician(app: Flask, clinician_id: int) -> Clinician:
    """Load an account as it is stored now."""
    with app.app_context():
        db = new_session()
        try:
            clinician = db.get(Clinician, clinician_id)
            assert clinician is not None
            # Touch the encrypted columns so they are loaded before the session closes.
            _ = (clinician.totp_secret, clinician.recovery_codes)
            return clinician
        finally:
            db.close()


def update_clinician(app: Flask, clinician_id: int, **values: Any) -> None:
    """Change stored columns of an account directly (e.g. to move a lockout into the past)."""
    with app.app_context():
        db = new_session(write=True)
        try:
            clinician = db.get(Clinician, clinician_id)
            assert clinician is not None
            for name, value in values.items():
                setattr(clinician, name, value)
            db.commit()
        finally:
            db.close()


def location(response: Any) -> str:
    """Return a redirect's target path (and query)."""
    return str(response.headers["Location"])
