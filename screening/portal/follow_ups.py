"""A clinician's follow-ups due: their screenings whose follow-up date is today or past, by the
clinic's date, oldest date first (urgent first within a date). Finished screenings are left
out, as they are from "overdue". The rows are the queue's rows, read the same way.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from screening.models import Submission, SubmissionState
from screening.portal.queue import QueueRow, read_rows, rows_query
from screening.portal.workflow import FINISHED_STATUSES

# Like a page of the queue: only so many rows' contact details are decrypted at once (one
# more is read to know that there are more).
FOLLOW_UPS_SHOWN = 50


def follow_ups_due(db: Session, clinician_id: int, today: date) -> list[QueueRow]:
    """List the screenings assigned to this clinician with a follow-up due by `today` (at most
    FOLLOW_UPS_SHOWN + 1)."""
    query = (
        rows_query()
        .where(
            Submission.state == SubmissionState.SUBMITTED,
            Submission.assignee_id == clinician_id,
            Submission.follow_up_on <= today,
            Submission.status.not_in(FINISHED_STATUSES),
        )
        .order_by(
            Submission.follow_up_on,
            Submission.category_rank,
            Submission.submitted_at,
            Submission.id,
        )
        .limit(FOLLOW_UPS_SHOWN + 1)
    )
    return read_rows(db, query, today)
