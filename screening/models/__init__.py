"""SQLAlchemy models. Models describe data; services decide and commit."""

from screening.models.submission import Submission, SubmissionState

__all__ = ["Submission", "SubmissionState"]
