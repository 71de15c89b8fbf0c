"""Urgent screenings nobody has tried to call lately: they come back to the top of the queue
and of "My follow-ups today" until someone reaches the person or moves the screening on.

An urgent screening still New or In review surfaces when no call attempt has been logged in
the last URGENT_ESCALATION_MINUTES (the same window after which an unopened one is escalated,
screening.escalation): since it was sent if nobody has tried yet, else since the latest
attempt. An attempt that reached the person ends it, whatever the status says.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import exists, or_
from sqlalchemy.orm import Session

from screening.models import CallAttempt, Submission, SubmissionState
from screening.portal.queue import QueueRow, read_rows, rows_query
from screening.portal.workflow import OPEN_STATUSES, REACHED
from screening.questionnaire.flags import CATEGORIES, URGENT

# Enough to start calling; the urgent banner links to all of them (the urgent filter).
UNCALLED_SHOWN = 10


def uncalled_urgent(
    db: Session,
    now: datetime,
    window: timedelta,
    today: date,
    *,
    for_clinician: int | None = None,
) -> list[QueueRow]:
    """List the urgent screenings with no call attempt within `window` of `now`, longest
    waiting first; `for_clinician` keeps the ones assigned to them or to nobody."""
    # In UTC: SQLite keeps timestamps as UTC text, and compares a clinic-zone bound as text.
    cutoff = (now - window).astimezone(UTC)
    recent_or_reached = exists().where(
        CallAttempt.submission_id == Submission.id,
        or_(CallAttempt.created_at > cutoff, CallAttempt.outcome == REACHED),
    )
    query = rows_query().where(
        Submission.state == SubmissionState.SUBMITTED,
        Submission.category_rank == CATEGORIES.index(URGENT),
        Submission.status.in_(OPEN_STATUSES),
        Submission.submitted_at <= cutoff,
        ~recent_or_reached,
    )
    if for_clinician is not None:
        query = query.where(
            or_(Submission.assignee_id == for_clinician, Submission.assignee_id.is_(None))
        )
    query = query.order_by(Submission.submitted_at, Submission.id).limit(UNCALLED_SHOWN)
    rows = read_rows(db, query, today)
    # The longest without a call first: one tried an hour ago waits less than one never tried.
    return sorted(rows, key=lambda row: row.last_tried_at or now)


def uncalled_for(rows: list[QueueRow], now: datetime) -> dict[str, timedelta]:
    """How long each of these screenings has gone without a call attempt, by public id."""
    return {row.public_id: now - (row.last_tried_at or now) for row in rows}
