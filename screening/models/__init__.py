"""SQLAlchemy models. Models describe data; services decide and commit."""

from screening.models.audit import AuditEvent
from screening.models.calendar_feed import CalendarFeed
from screening.models.call_attempt import CallAttempt
from screening.models.clinician import Clinician, Role
from screening.models.disclosure import Disclosure
from screening.models.draft_progress import DraftProgress
from screening.models.note import Note
from screening.models.submission import Submission, SubmissionState
from screening.models.submission_count import SubmissionCount

__all__ = [
    "AuditEvent",
    "CalendarFeed",
    "CallAttempt",
    "Clinician",
    "Disclosure",
    "DraftProgress",
    "Note",
    "Role",
    "Submission",
    "SubmissionCount",
    "SubmissionState",
]
