"""A screening: a draft while the person answers, a submission once they send it."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from screening.clock import utcnow
from screening.database import Base
from screening.models.draft_progress import DraftProgress, EncryptedProgress
from screening.security.encrypted_types import EncryptedJSON

if TYPE_CHECKING:
    from screening.models.disclosure import Disclosure


class SubmissionState(enum.StrEnum):
    """Where a screening is in its life."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class Submission(Base):
    """One person's screening. Answers and contact details are encrypted at rest."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The only identifier that ever appears in a URL: random, so ids cannot be enumerated.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    state: Mapped[str] = mapped_column(String(16), default=SubmissionState.DRAFT)
    language: Mapped[str] = mapped_column(String(8), default="en")
    definition_version: Mapped[str] = mapped_column(String(32))
    rules_version: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Encrypted: every answer, plus wizard progress (which sections are done reveals answers).
    answers: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)
    progress: Mapped[DraftProgress] = mapped_column(EncryptedProgress, default=DraftProgress)
    contact: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    flags: Mapped[list[dict[str, Any]] | None] = mapped_column(EncryptedJSON)
    scores: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)

    # Plain on purpose: the clinician queue sorts and filters on these.
    triage_category: Mapped[str | None] = mapped_column(String(32))
    category_rank: Mapped[int | None] = mapped_column(Integer)
    phq9_total: Mapped[int | None] = mapped_column(Integer)
    gad7_total: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32), default="new")
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("clinicians.id"), index=True)
    # Who opened the screening first, and when an unopened urgent one was escalated (once).
    first_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A clinician id without a foreign key (migration 0008): clinicians are never deleted.
    first_opened_by_id: Mapped[int | None] = mapped_column(Integer)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Submitted for a person at risk before they sent it (they asked to be contacted, or left
    # it idle): in the queue now, and still open to them until they send it (migration 0010).
    unfinished: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # For the clinic's dashboard, plain so it never decrypts anyone (migration 0014): how many
    # of the steps everyone is shown the person has finished (conditional steps never count, so
    # the number says nothing about the answers), and how they heard of the clinic (an option
    # code; "other" for words of their own).
    furthest_step: Mapped[int | None] = mapped_column(Integer)
    referral_source: Mapped[str | None] = mapped_column(String(32))
    # When a clinician first logged an attempt to reach the person (a copy of the first
    # call_attempts row's time, so the dashboard reads it from an index, not 50,000 look-ups).
    first_call_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Every risk disclosure, oldest first; read only when a page shows the timeline.
    disclosures: Mapped[list[Disclosure]] = relationship(
        order_by="(Disclosure.disclosed_at, Disclosure.id)",
        lazy="select",
        viewonly=True,
    )

    # Keyed hashes for exact search; the values themselves live only in `contact`.
    email_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    name_index: Mapped[str | None] = mapped_column(String(64), index=True)

    # Hashes of bearer tokens; the tokens themselves are never stored.
    draft_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    resume_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The holder token a resume link replaced: that browser is told the screening was continued
    # on another device instead of being sent to the start with what it just typed lost.
    released_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    # The queue's filters and sorts each have a covering index (migrations 0003b, 0005): each
    # starts with what a filter fixes, then the order it gives (ending in `id`, the tie-break),
    # then the columns other filters test, so finding a page's ids never reads the encrypted
    # rows.
    __table_args__ = (
        Index(
            "ix_submissions_queue",
            "state", "category_rank", "submitted_at", "id", "status", "assignee_id",
        ),
        Index("ix_submissions_state_updated", "state", "updated_at"),
        Index(
            "ix_submissions_status_queue",
            "state", "status", "category_rank", "submitted_at", "id", "assignee_id",
        ),
        Index(
            "ix_submissions_assignee_queue",
            "state", "assignee_id", "category_rank", "submitted_at", "id", "status",
        ),
        Index(
            "ix_submissions_submitted",
            "state", "submitted_at", "id", "category_rank", "status", "assignee_id",
        ),
        Index(
            "ix_submissions_follow_up",
            "state", "follow_up_on", "category_rank", "submitted_at", "id", "status",
            "assignee_id",
        ),
        # The dashboard (migration 0014): the funnel by start time; outcomes, referrals and time
        # to first contact by sending time.
        Index("ix_submissions_started", "created_at", "state", "unfinished", "furthest_step"),
        Index(
            "ix_submissions_dashboard",
            "state", "submitted_at", "status", "referral_source", "first_call_at",
        ),
    )  # fmt: skip
