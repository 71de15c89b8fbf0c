"""The bulk seeder: rows encrypted in batches and written with COPY (PostgreSQL) or
executemany (SQLite) decrypt and show in the queue; copies of a seeded answer set for new
people triage exactly as stored; a sample stores what submit_draft stores."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from flask import Flask, current_app
from markupsafe import escape
from sqlalchemy import select

from screening.database import new_session
from screening.devtools import seed_submissions
from screening.intake import service
from screening.models import DraftProgress, Submission, SubmissionState
from screening.questionnaire.triage import triage_response
from screening.questionnaire_registry import registry
from tests.portal.test_seed import stored
from tests.portal_helpers import admin_client


def test_bulk_seeded_rows_decrypt_and_fill_the_queue(app: Flask) -> None:
    with app.app_context():
        reg = registry()
        db = new_session(write=True)
        try:
            created = seed_submissions(
                db,
                reg.current,
                reg.rules,
                current_app.extensions["blind_index"],
                count=50,
                rng=random.Random(11),
                batch_size=20,  # two full batches and a partial one
                distinct=15,  # and 35 copies for new people
            )
        finally:
            db.close()
    assert created == 50
    rows = stored(app)
    assert len(rows) == 50
    assert all(row.contact["email"].endswith("@example.org") for row in rows)
    assert all(row.answers["email"] == row.contact["email"] for row in rows)
    assert len({row.public_id for row in rows}) == 50
    assert len({row.contact["email"] for row in rows}) > 40
    assert len({row.contact["name"] for row in rows}) > 30
    today = datetime.now(UTC).date()
    with app.app_context():
        reg = registry()
        blind_index = current_app.extensions["blind_index"]
        for row in rows:
            again = triage_response(reg.current, reg.rules, row.answers, today)
            assert row.triage_category == again.category
            assert [flag["id"] for flag in row.flags] == [flag.id for flag in again.flags]
            assert row.phq9_total == (
                again.scores["phq9"].total if "phq9" in again.scores else None
            )
            assert row.contact["name"] == row.answers["full-name"] == row.answers["signature"]
            assert row.email_index == blind_index.email(row.contact["email"])
            assert row.name_index == blind_index.name(row.contact["name"])

    page = admin_client(app).get("/portal/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Screenings 1 to 25 of 50" in html
    with app.app_context():
        db = new_session()
        try:
            first_page = list(
                db.scalars(
                    select(Submission)
                    .order_by(Submission.category_rank, Submission.submitted_at, Submission.id)
                    .limit(25)
                )
            )
            names = [str(escape(row.contact["name"])) for row in first_page]
        finally:
            db.close()
    assert all(name in html for name in names)


# What submitting decides; the rest (ids, times, workflow) is made up per row on purpose.
SUBMITTED_COLUMNS = (
    "answers", "contact", "email_index", "phone_index", "name_index", "flags", "scores",
    "triage_category", "category_rank", "phq9_total", "gad7_total", "rules_version",
    "definition_version", "state", "language",
)  # fmt: skip


def test_a_sample_of_seeded_rows_stores_what_submit_draft_stores(app: Flask) -> None:
    with app.app_context():
        reg = registry()
        q, blind_index = reg.current, current_app.extensions["blind_index"]
        db = new_session(write=True)
        try:
            seed_submissions(
                db, q, reg.rules, blind_index, count=30, rng=random.Random(5), distinct=10
            )
            today = datetime.now(UTC).date()
            consent_ids = {item.link_id for item in service.consent_section(q).items}
            for seeded in db.scalars(select(Submission).order_by(Submission.id)).all()[::3]:
                draft = Submission(
                    public_id=f"again-{seeded.id}",
                    state=SubmissionState.DRAFT,
                    language=seeded.language,
                    definition_version=q.version,
                    answers={k: v for k, v in seeded.answers.items() if k not in consent_ids},
                    progress=DraftProgress(completed=seeded.progress.completed),
                )
                db.add(draft)
                consent = {k: v for k, v in seeded.answers.items() if k in consent_ids}
                service.submit_draft(db, q, reg.rules, draft, consent, blind_index, today)
                for name in SUBMITTED_COLUMNS:
                    assert getattr(draft, name) == getattr(seeded, name), name
                assert draft.progress == seeded.progress
                assert seeded.progress.completed == tuple(
                    s.link_id for s in service.wizard_steps(q, seeded.answers)
                )
        finally:
            db.close()
