"""Clinician notes on a submission, encrypted at rest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from screening.clock import utcnow
from screening.database import Base
from screening.security.encrypted_types import EncryptedText


class Note(Base):
    """One entry in a submission's notes timeline."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("clinicians.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[str] = mapped_column(EncryptedText)

    __table_args__ = (Index("ix_notes_submission_created", "submission_id", "created_at"),)
