"""Draft progress is a typed value, stored as encrypted JSON and read back the same."""

from __future__ import annotations

from sqlalchemy import select, text

from screening.database import new_session
from screening.intake import service
from screening.models import DraftProgress, Submission
from screening.questionnaire_registry import registry


def test_progress_stored_before_it_was_typed_reads_with_defaults():
    assert DraftProgress.from_json({}) == DraftProgress()
    old = {"completed": ["about-you"], "pending": {"concerns": {"goals": ["typed"]}}}
    progress = DraftProgress.from_json(old)
    assert progress.completed == ("about-you",)
    assert progress.pending == {"concerns": {"goals": ["typed"]}}
    assert not progress.crisis_pending and progress.crisis_seen_at is None


def test_keeping_and_dropping_a_steps_input_leaves_other_steps_alone():
    progress = DraftProgress().with_pending("about-you", {"email": ["x"]})
    progress = progress.with_pending("concerns", {"goals": ["y"]})
    assert progress.with_pending("about-you", None).pending == {"concerns": {"goals": ["y"]}}


def test_progress_round_trips_through_the_encrypted_column(app):
    with app.app_context():
        db = new_session(write=True)
        try:
            draft, _token = service.start_draft(db, registry().current, "en")
            draft.progress = DraftProgress(
                completed=("about-you",),
                pending={"concerns": {"goals": ["kept"]}},
                crisis_pending=True,
            )
            db.commit()
            stored = db.execute(text("SELECT progress FROM submissions")).scalar_one()
            assert "kept" not in stored and "about-you" not in stored  # encrypted at rest
        finally:
            db.close()
        db = new_session()
        try:
            (read,) = db.scalars(select(Submission)).all()
            assert read.progress == DraftProgress(
                completed=("about-you",),
                pending={"concerns": {"goals": ["kept"]}},
                crisis_pending=True,
            )
        finally:
            db.close()
