"""Small factories for database rows, built through the real services."""

from __future__ import annotations

from typing import Any

from flask import Flask

from screening.database import new_session
from screening.intake import service
from screening.models import Submission
from screening.questionnaire_registry import registry
from tests.questionnaire.factories import TODAY, clean_answers


def make_draft(app: Flask, answers: dict[str, Any] | None = None) -> int:
    """Create a draft holding `answers`; return its id."""
    with app.app_context():
        db = new_session(write=True)
        try:
            draft, _token = service.start_draft(db, registry().current, "en")
            draft.answers = answers or {}
            db.commit()
            return draft.id
        finally:
            db.close()


def make_submission(app: Flask, answers: dict[str, Any] | None = None, **fields: Any) -> int:
    """Create a submitted, triaged screening (like the wizard does); return its id."""
    with app.app_context():
        reg = registry()
        db = new_session(write=True)
        try:
            draft, _token = service.start_draft(db, reg.current, "en")
            full = answers if answers is not None else clean_answers()
            consent = {k: full[k] for k in ("consent-accuracy", "consent-privacy", "signature")}
            draft.answers = full
            service.submit_draft(
                db,
                reg.current,
                reg.rules,
                draft,
                consent,
                app.extensions["blind_index"],
                TODAY,
            )
            for name, value in fields.items():
                setattr(draft, name, value)
            db.commit()
            return draft.id
        finally:
            db.close()


def load_submission(app: Flask, submission_id: int) -> Submission:
    """Read a submission back (detached, attributes loaded)."""
    with app.app_context():
        db = new_session()
        try:
            return db.get(Submission, submission_id)
        finally:
            db.close()
