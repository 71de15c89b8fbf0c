"""Two requests on the same draft, interleaved step by step (PostgreSQL suite only).

On PostgreSQL a writing request reads the draft under its row lock (find_draft for_update):
otherwise the later of two saves would write back stale answers and the earlier step would
silently disappear, or a tab still open on a step would rewrite a screening another tab has
already sent. SQLite cannot interleave like this (BEGIN IMMEDIATE serialises
write requests); over HTTP both databases are covered by test_concurrent_submissions.py.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import select, text

from screening.database import new_session
from screening.intake import service
from screening.models import DraftProgress, Submission, SubmissionState
from screening.questionnaire.triage import RuleSet
from screening.questionnaire_registry import registry
from tests.conftest import make_app
from tests.questionnaire.factories import clean_answers

pytestmark = [pytest.mark.scale, pytest.mark.postgres]


@pytest.fixture
def pg_app(tmp_path, database_url):  # type: ignore[no-untyped-def]
    """An app on this run's PostgreSQL database."""
    if not database_url.startswith("postgresql"):
        pytest.skip("interleaved transactions on one draft: runs in make test-postgres")
    return make_app(tmp_path, database_url)


def new_draft(app) -> str:  # type: ignore[no-untyped-def]
    """A draft with every step answered; return its session token."""
    with app.app_context():
        db = new_session(write=True)
        try:
            q = registry().current
            draft, token = service.start_draft(db, q, "en")
            draft.answers = clean_answers()
            draft.progress = DraftProgress(
                completed=tuple(s.link_id for s in service.wizard_steps(q, clean_answers()))
            )
            db.commit()
            return token
        finally:
            db.close()


def section_answers(section_id: str, **overrides: object) -> dict[str, object]:
    """The factory's answers for one section, with overrides."""
    q = registry().current
    ids = {item.link_id for item in q.section(section_id).items}
    return {k: v for k, v in clean_answers(**overrides).items() if k in ids}


def test_two_saves_at_once_keep_both_steps(pg_app):
    token = new_draft(pg_app)
    with pg_app.app_context():
        q = registry().current
        first, second = new_session(write=True), new_session(write=True)
        try:
            tab_a = service.find_draft(first, token, for_update=True)
            assert tab_a is not None

            def save_concerns() -> None:
                """Tab B: waits for tab A's lock, then reads what tab A saved."""
                with pg_app.app_context():
                    tab_b = service.find_draft(second, token, for_update=True)
                    assert tab_b is not None
                    concerns = section_answers("concerns", goals="Saved by tab B")
                    service.save_section(second, q, tab_b, q.section("concerns"), concerns)

            other = threading.Thread(target=save_concerns)
            other.start()
            wait_for_a_lock_waiter(pg_app)
            about = section_answers("about-you", full_name="Saved By Tab A")
            service.save_section(first, q, tab_a, q.section("about-you"), about)
            other.join(timeout=10)
        finally:
            first.close()
            second.close()
        check = new_session()
        try:
            draft = service.find_draft(check, token)
            assert draft is not None
            assert draft.answers["full-name"] == "Saved By Tab A"
            assert draft.answers["goals"] == "Saved by tab B"
        finally:
            check.close()


def test_a_tab_writing_after_another_tab_submitted_finds_no_draft(pg_app):
    token = new_draft(pg_app)
    with pg_app.app_context():
        reg = registry()
        q, rules = reg.current, reg.rules
        assert isinstance(rules, RuleSet)
        stale_tab, sending_tab = new_session(write=True), new_session(write=True)
        try:
            sending = service.find_draft(sending_tab, token, for_update=True)
            assert sending is not None
            late: list[Submission | None] = []
            other = threading.Thread(
                target=lambda: late.append(service.find_draft(stale_tab, token, for_update=True))
            )
            other.start()
            wait_for_a_lock_waiter(pg_app)
            service.submit_draft(
                sending_tab,
                q,
                rules,
                sending,
                {"consent-accuracy": True, "consent-privacy": True, "signature": "Alex Rivera"},
                pg_app.extensions["blind_index"],
                date(2026, 11, 27),
            )
            other.join(timeout=10)
            assert late == [None]
        finally:
            stale_tab.close()
            sending_tab.close()
        check = new_session()
        try:
            (row,) = check.scalars(select(Submission)).all()
            assert row.state == SubmissionState.SUBMITTED
            assert row.answers["full-name"] == "Alex Rivera"
        finally:
            check.close()


def wait_for_a_lock_waiter(app) -> None:  # type: ignore[no-untyped-def]
    """Let the other request reach the row lock before this one commits."""
    for _ in range(50):
        if lock_waiters(app):
            return
        time.sleep(0.02)


def lock_waiters(app) -> int:  # type: ignore[no-untyped-def]
    """Return how many connections to this database wait for a row lock."""
    with app.extensions["db_engine"].connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()


def test_one_resume_link_used_twice_at_once_opens_the_draft_once(pg_app):
    new_draft(pg_app)
    with pg_app.app_context():
        db = new_session(write=True)
        link = service.issue_resume_token(db, db.scalars(select(Submission)).one(), 7)
        db.close()
        first, second = new_session(write=True), new_session(write=True)
        got: list[Submission | None] = []
        try:
            draft = service.resumable_draft(first, link, for_update=True)
            assert draft is not None
            other = threading.Thread(target=lambda: got.append(try_link(pg_app, second, link)))
            other.start()
            wait_for_a_lock_waiter(pg_app)
            service.take_over(first, draft)
            other.join(timeout=10)
        finally:
            first.close()
            second.close()
    assert got == [None]


def try_link(app, db, link: str):  # type: ignore[no-untyped-def]
    """Use a resume link in another thread, as a second request would."""
    with app.app_context():
        draft = service.resumable_draft(db, link, for_update=True)
        if draft is not None:
            service.take_over(db, draft)
        return draft
