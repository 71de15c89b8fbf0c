"""The append-only audit trail: who did what, when, from where. Never answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from screening.clock import utcnow
from screening.database import Base


class AuditEvent(Base):
    """One audited action, only ever inserted; `hash` signs it and chains it to the one before
    in its chain (several chains let concurrent requests append without waiting on each other)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("clinicians.id"))
    action: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    # No foreign key on purpose: retention deletes submissions, and audit rows must not change.
    submission_id: Mapped[int | None] = mapped_column(Integer)
    target_clinician_id: Mapped[int | None] = mapped_column(ForeignKey("clinicians.id"))
    ip: Mapped[str | None] = mapped_column(String(64))
    # Ids, counts and codes only (e.g. {"status": "contacted"}); never answers or names.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    # HMAC-SHA256 under the AUDIT_KEYS key named by key_id (NULL: a plain SHA-256 written
    # before keyed signing, until `flask audit resign`).
    hash: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(8))
    # Which chain (0 to AUDIT_CHAINS - 1) the row links into; rows from before chains are in 0.
    chain: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")

    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_action_at", "action", "at"),
        Index("ix_audit_events_submission", "submission_id"),
        # Each chain's head and its verification order.
        Index("ix_audit_events_chain_id", "chain", "id"),
    )
