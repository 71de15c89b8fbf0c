"""A step POST reads its draft once, under a row lock; writes after a commit read it again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from screening.database import new_session
from screening.intake import service
from screening.questionnaire_registry import registry
from tests.intake.wizard_driver import location, section_formdata, start
from tests.questionnaire.factories import clean_answers


@contextmanager
def draft_reads(app) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Collect every SELECT on the submissions table while the block runs."""
    seen: list[str] = []
    engine = app.extensions["db_engine"]

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM submissions" in statement:
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_saving_a_step_reads_the_draft_once(app, client):
    start(client)
    with draft_reads(app) as reads:
        response = client.post(
            "/screening/step/about-you", data=section_formdata(app, "about-you", clean_answers())
        )
    assert location(response) == "/screening/step/concerns"
    assert len(reads) == 1


def test_a_second_write_after_a_commit_reads_the_draft_again(app):
    with app.app_context():
        q = registry().current
        db = new_session(write=True)
        try:
            _, token = service.start_draft(db, q, "en")
            draft = service.find_draft(db, token, for_update=True)
            assert draft is not None
            about = q.section("about-you")
            with draft_reads(app) as reads:
                service.save_section(db, q, draft, about, {"full-name": "Alex Rivera"})
                assert reads == []
                service.keep_pending(db, draft, "concerns", {"goals": ["typed"]})
                assert len(reads) == 1
        finally:
            db.close()


def test_an_unlocked_read_is_read_again_under_the_lock_before_a_write(app):
    with app.app_context():
        q = registry().current
        db = new_session(write=True)
        try:
            _, token = service.start_draft(db, q, "en")
            draft = service.find_draft(db, token)
            assert draft is not None
            with draft_reads(app) as reads:
                service.keep_pending(db, draft, "about-you", {"full-name": ["Alex"]})
            assert len(reads) == 1
        finally:
            db.close()
