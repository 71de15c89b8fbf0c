"""Calls and messages to a person about their screening: one row per attempt to reach them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from screening.clock import utcnow
from screening.database import Base
from screening.security.encrypted_types import EncryptedText


class CallAttempt(Base):
    """One attempt to reach the person: its outcome, an optional note (encrypted) and the
    follow-up date it set, if any."""

    __tablename__ = "call_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    clinician_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A code from screening.portal.workflow.CALL_OUTCOMES: plain, so the queue reads it cheaply.
    outcome: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    next_follow_up_on: Mapped[date | None] = mapped_column(Date)

    # The queue reads every attempt of its 25 rows by this index, never the notes.
    __table_args__ = (
        Index("ix_call_attempts_submission", "submission_id", "created_at", "outcome"),
    )
