"""Clinic staff who sign in to the portal."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from screening.clock import utcnow
from screening.database import Base
from screening.security.encrypted_types import EncryptedJSON, EncryptedText


class Role(enum.StrEnum):
    """What a staff account may do."""

    CLINICIAN = "clinician"
    ADMIN = "admin"


class Clinician(Base):
    """A staff account: argon2id password, TOTP second factor, server-side session version."""

    __tablename__ = "clinicians"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16), default=Role.CLINICIAN)
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str | None] = mapped_column(EncryptedText)
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last accepted TOTP time step: a code for the same or an earlier step is a replay.
    totp_last_timecode: Mapped[int | None] = mapped_column(Integer)
    recovery_codes: Mapped[list[Any] | None] = mapped_column(EncryptedJSON)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set for invited accounts: their temporary password was seen by an admin.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout, deactivation and 2FA reset: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_admin(self) -> bool:
        """Whether the account may reach admin pages."""
        return self.role == Role.ADMIN
