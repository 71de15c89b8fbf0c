"""Factories for database rows, built through the real services, and small readers.

Every screening is addressed by its public id (what URLs carry):

    public_id = make_submission(app, sober_driver="no")      # clean_answers() overrides
    public_id = make_submission(app, answers={...}, language="es", submitted_at=at(3))
    update_submission(app, public_id, status="closed")      # plain columns, set directly
    submission = load_submission(app, public_id)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from screening.database import new_session
from screening.intake import service as intake_service
from screening.models import AuditEvent, Note, Submission
from screening.questionnaire_registry import registry
from tests.questionnaire.factories import TODAY, clean_answers


def make_submission(
    app: Flask,
    *,
    language: str = "en",
    submitted_at: datetime | None = None,
    answers: dict[str, Any] | None = None,
    **overrides: Any,
) -> str:
    """Submit a screening through `submit_draft` (clean_answers by default); return its id."""
    with app.app_context():
        db = new_session(write=True)
        try:
            reg = registry()
            draft, _token = intake_service.start_draft(db, reg.current, language)
            draft.answers = clean_answers(**overrides) if answers is None else answers
            intake_service.submit_draft(
                db, reg.current, reg.rules, draft, {}, app.extensions["blind_index"], TODAY
            )
            if submitted_at is not None:
                draft.submitted_at = submitted_at
                db.commit()
            return draft.public_id
        finally:
            db.close()


def make_draft(app: Flask, **overrides: Any) -> str:
    """Leave a screening unsubmitted; return its public id."""
    with app.app_context():
        db = new_session(write=True)
        try:
            draft, _token = intake_service.start_draft(db, registry().current, "en")
            draft.answers = clean_answers(**overrides)
            db.commit()
            return draft.public_id
        finally:
            db.close()


def resume_token_at(
    app: Flask, section_id: str, answers: dict[str, Any], language: str = "en"
) -> str:
    """Answer every step before `section_id` as a person pressing Next would (answers
    without risk), through the wizard's service; return a resume link's token that opens
    the screening at that step. Browser tests start there instead of typing the steps again.
    """
    with app.app_context():
        db = new_session(write=True)
        try:
            q = registry().current
            draft, _token = intake_service.start_draft(db, q, language)
            for section in intake_service.wizard_steps(q, answers):
                if section.link_id == section_id:
                    return intake_service.issue_resume_token(db, draft, 1)
                given = {
                    i.link_id: answers[i.link_id] for i in section.items if i.link_id in answers
                }
                intake_service.save_section(db, q, draft, section, given)
            raise KeyError(f"no step {section_id} with these answers")
        finally:
            db.close()


def at(day: int, hour: int = 12) -> datetime:
    """A submission time in November 2026 (UTC)."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def load_submission(app: Flask, public_id: str) -> Submission:
    """Read a submission as stored now (plain and decrypted columns and its disclosure
    timeline loaded)."""
    with app.app_context():
        db = new_session()
        try:
            submission = db.scalars(
                select(Submission).where(Submission.public_id == public_id)
            ).one()
            _ = (submission.answers, submission.contact, submission.flags, submission.scores)
            _ = submission.disclosures
            return submission
        finally:
            db.close()


def audit_events(app: Flask, action: str) -> list[AuditEvent]:
    """Return the audit events with exactly this action, oldest first."""
    with app.app_context():
        db = new_session()
        try:
            return list(
                db.scalars(
                    select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
                )
            )
        finally:
            db.close()


def notes_of(app: Flask, public_id: str) -> list[Note]:
    """Return a submission's notes (decrypted), oldest first."""
    with app.app_context():
        db = new_session()
        try:
            submission_id = db.scalars(
                select(Submission.id).where(Submission.public_id == public_id)
            ).one()
            return list(
                db.scalars(
                    select(Note).where(Note.submission_id == submission_id).order_by(Note.id)
                )
            )
        finally:
            db.close()


# Overrides of clean_answers() that land a screening in each triage category.
URGENT = {
    "phq9-9": "LA6571-9",
    "safety_thoughts_now": False,
    "safety_plan": False,
    "safety_safe_now": True,
}
INCOMPLETE = {"diagnoses_any": None}  # a required contraindication question left unanswered
INELIGIBLE = {  # heard or saw things when sober, and they felt real at the time
    "psychotic_symptoms": True,
    "unusual_experiences_when": "other-times",
    "unusual_experiences_real": "seemed-real",
}
NEEDS_REVIEW = {"sober_driver": "no"}


def update_submission(app: Flask, public_id: str, **values: Any) -> None:
    """Set plain columns of a submission directly (assignee, follow-up date, status)."""
    with app.app_context():
        db = new_session(write=True)
        try:
            submission = db.scalars(
                select(Submission).where(Submission.public_id == public_id)
            ).one()
            for name, value in values.items():
                setattr(submission, name, value)
            db.commit()
        finally:
            db.close()


def expire_resume_link(app: Flask, days: int = 30) -> None:
    """Move the only draft's resume-link expiry `days` into the past."""
    with app.app_context():
        db = new_session(write=True)
        try:
            draft = db.scalars(select(Submission)).one()
            draft.resume_expires_at = draft.resume_expires_at - timedelta(days=days)
            db.commit()
        finally:
            db.close()
