"""Retention: delete abandoned drafts and old screenings of people who never became clients.

Run daily (see docs/SECURITY.md for the cron/systemd line). Each run leaves one audit event
with counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from screening.models import AuditEvent, Submission, SubmissionState
from screening.portal.workflow import FINISHED_STATUSES
from screening.security.audit import record

# FINISHED_STATUSES end a screening without the person becoming a client; this one may not.
CONVERTED_STATUS = "evaluation-booked"
STATUS_CHANGED = "submission.status-changed"


@dataclass(frozen=True)
class PurgeReport:
    """What one purge deleted."""

    drafts: int
    screenings: int


def _ever_converted(db: Session, submission_ids: list[int]) -> set[int]:
    """Return the ids whose status history ever reached an evaluation booking."""
    converted: set[int] = set()
    for start in range(0, len(submission_ids), 500):
        chunk = submission_ids[start : start + 500]
        events = db.execute(
            select(AuditEvent.submission_id, AuditEvent.detail).where(
                AuditEvent.action == STATUS_CHANGED, AuditEvent.submission_id.in_(chunk)
            )
        )
        for submission_id, detail in events:
            if detail and detail.get("to") == CONVERTED_STATUS:
                converted.add(submission_id)
    return converted


def purge(db: Session, now: datetime, *, draft_days: int, screening_days: int) -> PurgeReport:
    """Delete expired drafts and finished, unconverted screenings; audit the counts."""
    draft_cutoff = now - timedelta(days=draft_days)
    drafts = db.execute(
        delete(Submission).where(
            Submission.state == SubmissionState.DRAFT, Submission.updated_at < draft_cutoff
        )
    ).rowcount
    screening_cutoff = now - timedelta(days=screening_days)
    candidates = list(
        db.scalars(
            select(Submission.id).where(
                Submission.state == SubmissionState.SUBMITTED,
                Submission.status.in_(FINISHED_STATUSES),
                Submission.updated_at < screening_cutoff,
                Submission.submitted_at < screening_cutoff,
            )
        )
    )
    keep = _ever_converted(db, candidates)
    doomed = [i for i in candidates if i not in keep]
    for start in range(0, len(doomed), 500):
        db.execute(delete(Submission).where(Submission.id.in_(doomed[start : start + 500])))
    record(
        db,
        "retention.purged",
        detail={"drafts": drafts, "screenings": len(doomed), "kept_converted": len(keep)},
    )
    db.commit()
    return PurgeReport(drafts=drafts, screenings=len(doomed))
