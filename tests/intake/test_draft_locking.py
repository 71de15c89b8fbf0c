"""Every write to a draft first reads it again under a row lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from screening.database import new_session
from screening.intake import service
from screening.questionnaire_registry import registry


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
