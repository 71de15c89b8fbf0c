"""SQLAlchemy models. Models describe data; services decide and commit."""

from screening.models.audit import AuditEvent
from screening.models.clinician import Clinician, Role
from screening.models.note import Note
from screening.models.submission import Submission, SubmissionState

__all__ = ["AuditEvent", "Clinician", "Note", "Role", "Submission", "SubmissionState"]
