"""The counts ledger: after every kind of write it sums to what a fresh GROUP BY says.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set: the triggers that keep
submission_counts are written once per dialect (migration 0004).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from flask import Flask
from sqlalchemy import delete, event, func, select, update

from screening.cli import alembic_config
from screening.database import new_session
from screening.models import Clinician, Submission, SubmissionCount, SubmissionState
from screening.portal import counts, queue, service
from screening.retention import purge
from tests.factories import (
    INCOMPLETE,
    INELIGIBLE,
    NEEDS_REVIEW,
    URGENT,
    make_draft,
    make_submission,
    update_submission,
)
from tests.portal_helpers import clinician_client, create_clinician


def grouped_counts(app: Flask) -> dict[tuple[str, int | None], int]:
    """Count submitted screenings per (status, category rank) the slow way."""
    with app.app_context():
        db = new_session()
        try:
            rows = db.execute(
                select(Submission.status, Submission.category_rank, func.count())
                .where(Submission.state == SubmissionState.SUBMITTED)
                .group_by(Submission.status, Submission.category_rank)
            )
            return {(status, rank): number for status, rank, number in rows}
        finally:
            db.close()


def ledger_counts(app: Flask) -> dict[tuple[str, int | None], int]:
    """Read the counts the queue shows, from the ledger."""
    with app.app_context():
        db = new_session()
        try:
            return counts.read_counts(db)[0]
        finally:
            db.close()


def assert_ledger_matches(app: Flask) -> None:
    """The ledger and a fresh GROUP BY agree, cell by cell."""
    assert ledger_counts(app) == grouped_counts(app)


def test_counts_follow_submits_status_changes_edits_and_deletes(app: Flask) -> None:
    clinician_id, _secret = create_clinician(app, email="counts@example.org")
    make_draft(app)
    urgent = make_submission(app, **URGENT)
    ineligible = make_submission(app, **INELIGIBLE)
    review = make_submission(app, **NEEDS_REVIEW)
    eligible = make_submission(app)
    assert_ledger_matches(app)
    assert sum(ledger_counts(app).values()) == 4

    with app.app_context():
        db = new_session(write=True)
        try:
            actor = db.get(Clinician, clinician_id)
            submission = service.find_submitted(db, urgent)
            service.change_status(db, submission, "in-review", actor=actor, ip=None)
            service.change_status(db, submission, "contacted", actor=actor, ip=None)
            other = service.find_submitted(db, eligible)
            service.change_status(db, other, "closed", actor=actor, ip=None)
            # Changes that move no screening between cells leave the ledger alone.
            service.assign(db, other, clinician_id, actor=actor, ip=None)
        finally:
            db.close()
    assert_ledger_matches(app)

    # Writes outside the services count too: the triggers see every statement.
    update_submission(app, review, category_rank=0, triage_category="urgent-safety")
    update_submission(app, ineligible, state=SubmissionState.DRAFT)
    with app.app_context():
        db = new_session(write=True)
        try:
            db.execute(update(Submission).values(status="withdrawn"))
            db.execute(delete(Submission).where(Submission.public_id == eligible))
            db.commit()
        finally:
            db.close()
    assert_ledger_matches(app)
    assert ledger_counts(app) == {("withdrawn", 0): 2}


def test_a_rolled_back_change_leaves_the_counts_alone(app: Flask) -> None:
    public_id = make_submission(app, **URGENT)
    with app.app_context():
        db = new_session(write=True)
        try:
            db.execute(update(Submission).values(status="closed"))
            db.execute(delete(Submission).where(Submission.public_id == public_id))
            db.rollback()
        finally:
            db.close()
    assert_ledger_matches(app)
    assert ledger_counts(app) == {("new", 0): 1}


def test_counts_follow_the_retention_purge(app: Flask) -> None:
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=800)
    old_draft = make_draft(app)
    for status in ("closed", "not-a-fit", "withdrawn", "in-review"):
        public_id = make_submission(app, submitted_at=long_ago)
        update_submission(app, public_id, status=status, updated_at=long_ago)
    make_submission(app, **URGENT)
    update_submission(app, old_draft, updated_at=now - timedelta(days=400))
    with app.app_context():
        db = new_session(write=True)
        try:
            report = purge(db, now, draft_days=30, screening_days=365)
        finally:
            db.close()
    assert report.screenings == 3
    assert report.drafts == 1
    assert_ledger_matches(app)
    assert sum(ledger_counts(app).values()) == 2


def test_folding_keeps_the_counts_and_shrinks_the_ledger(app: Flask) -> None:
    ids = [make_submission(app, **URGENT), make_submission(app), make_submission(app)]
    for status in ("in-review", "contacted", "new", "closed"):
        for public_id in ids:
            update_submission(app, public_id, status=status)
    before = ledger_counts(app)
    with app.app_context():
        db = new_session()
        rows = db.scalar(select(func.count()).select_from(SubmissionCount))
        db.close()
        with new_session() as db:
            service.fold_submission_counts(db)
        db = new_session()
        folded_rows = db.scalar(select(func.count()).select_from(SubmissionCount))
        db.close()
    assert rows == 3 + 2 * 3 * 4
    assert folded_rows == len(before) == 2
    assert ledger_counts(app) == before == grouped_counts(app)


def test_the_queue_folds_a_long_ledger_and_shows_exact_counts(app: Flask) -> None:
    public_id = make_submission(app, **URGENT)
    make_submission(app)
    # Each round trip adds two rows; enough of them to pass the folding threshold.
    for _ in range(counts.FOLD_AFTER_ROWS // 4 + 1):
        update_submission(app, public_id, status="closed")
        update_submission(app, public_id, status="new")
    client = clinician_client(app)
    html = client.get("/portal/").data.decode()
    assert "1 urgent screening needs review" in html
    assert "Screenings 1 to 2 of 2" in html
    with app.app_context():
        db = new_session()
        assert db.scalar(select(func.count()).select_from(SubmissionCount)) == 2
        db.close()
    assert_ledger_matches(app)


def test_urgent_banner_counts_a_submit_at_once(app: Flask) -> None:
    client = clinician_client(app)
    assert "urgent screening" not in client.get("/portal/").data.decode()
    public_id = make_submission(app, **URGENT)
    assert "1 urgent screening needs review" in client.get("/portal/").data.decode()
    update_submission(app, public_id, status="contacted")
    assert "urgent screening" not in client.get("/portal/").data.decode()


def test_filtered_totals_from_the_counts_match_a_count_query(app: Flask) -> None:
    make_submission(app, **URGENT)
    reviewed = make_submission(app, **URGENT)
    make_submission(app, **INELIGIBLE)
    make_submission(app)
    update_submission(app, reviewed, status="in-review")
    filters = [
        queue.QueueFilter(),
        queue.QueueFilter(category="urgent-safety"),
        queue.QueueFilter(status="open"),
        queue.QueueFilter(status="in-review", sort="newest"),
        queue.QueueFilter(category="urgent-safety", status="open"),
        queue.QueueFilter(category="needs-review", status="closed"),
    ]
    with app.app_context():
        db = new_session()
        try:
            summary = queue.queue_summary(db)
            for f in filters:
                assert summary.count(f) == queue.count_matching(db, f, None), f
            assert summary.count(queue.QueueFilter(assigned="me")) is None
            assert summary.count(queue.QueueFilter(sort="follow-up")) is None
        finally:
            db.close()


def test_the_migration_counts_existing_screenings_and_downgrades(app: Flask) -> None:
    make_submission(app, **URGENT)
    make_submission(app)
    with app.app_context():
        config = alembic_config()
        command.downgrade(config, "0003b")
        db = new_session(write=True)
        try:
            db.execute(update(Submission).values(status="contacted"))
            db.commit()
        finally:
            db.close()
        command.upgrade(config, "head")
    assert_ledger_matches(app)
    assert sum(ledger_counts(app).values()) == 2
    make_submission(app, **URGENT)
    assert_ledger_matches(app)


def ranks_by_category(app: Flask) -> dict[str, int]:
    """Map each stored triage category to its stored rank."""
    with app.app_context():
        db = new_session()
        try:
            rows = db.execute(select(Submission.triage_category, Submission.category_rank))
            return dict(rows.all())
        finally:
            db.close()


def test_the_incomplete_rank_migration_moves_ranks_and_keeps_the_counts(app: Flask) -> None:
    for overrides in (URGENT, INCOMPLETE, INELIGIBLE, NEEDS_REVIEW, {}):
        make_submission(app, **overrides)
    now = {
        "urgent-safety": 0,
        "incomplete": 1,
        "likely-ineligible": 2,
        "needs-review": 3,
        "likely-eligible": 4,
    }
    assert ranks_by_category(app) == now
    with app.app_context():
        command.downgrade(alembic_config(), "0008")
    # The old order has no "incomplete": those become needs-review, a clinician looks anyway.
    before = {"urgent-safety": 0, "likely-ineligible": 1, "needs-review": 2, "likely-eligible": 3}
    assert ranks_by_category(app) == before
    assert_ledger_matches(app)
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    assert ranks_by_category(app) == {k: v for k, v in now.items() if k != "incomplete"}
    assert_ledger_matches(app)
    assert sum(ledger_counts(app).values()) == 5


def test_queue_header_and_totals_never_count_the_submissions_table(app: Flask) -> None:
    make_submission(app, **URGENT)
    make_submission(app)
    client = clinician_client(app)
    statements: list[str] = []

    def remember(_conn, _cursor, statement, _params, _context, _many) -> None:
        statements.append(" ".join(statement.lower().split()))

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", remember)
    try:
        for url in ("/portal/", "/portal/?category=urgent-safety&status=open", "/portal/?page=2"):
            assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    reading_submissions = [s for s in statements if "from submissions" in s]
    assert reading_submissions, "the page rows come from submissions"
    # Only the page query reads submissions: with LIMIT, never a count or a GROUP BY.
    for statement in reading_submissions:
        assert "count(" not in statement and "group by" not in statement, statement
        assert "limit" in statement, statement
