"""What the queue says about attempts to reach each person: "2 attempts, last: no answer,
yesterday 4:10 PM".

One query for a page's rows, over ix_call_attempts_submission (submission, time, outcome):
the index alone answers it, and no call note is read or decrypted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.models import CallAttempt


@dataclass(frozen=True)
class CallSummary:
    """How many attempts were made, and the outcome and time of the latest."""

    count: int
    last_outcome: str
    last_at: datetime


def call_summaries(db: Session, submission_ids: Iterable[int]) -> dict[int, CallSummary]:
    """Summarise the call attempts of these screenings (those with none are left out)."""
    ids = list(submission_ids)
    if not ids:
        return {}
    counts: dict[int, int] = {}
    latest: dict[int, tuple[str, datetime]] = {}
    rows = db.execute(
        select(CallAttempt.submission_id, CallAttempt.outcome, CallAttempt.created_at)
        .where(CallAttempt.submission_id.in_(ids))
        .order_by(CallAttempt.submission_id, CallAttempt.created_at)
    )
    for submission_id, outcome, created_at in rows:
        counts[submission_id] = counts.get(submission_id, 0) + 1
        latest[submission_id] = (outcome, created_at)
    return {sid: CallSummary(counts[sid], *latest[sid]) for sid in counts}
