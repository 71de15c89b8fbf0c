"""A step POST reads its draft once, under the row lock it writes with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

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


def test_a_step_saved_with_next_reads_the_draft_once(app, client):
    path = start(client)
    with draft_reads(app) as reads:
        response = client.post(path, data=section_formdata(app, "concerns", clean_answers()))
    assert response.status_code == 302 and location(response) == "/screening/step/treatment-history"
    assert len(reads) == 1
    # FOR UPDATE exists on PostgreSQL only; SQLite's BEGIN IMMEDIATE serialises the write.
    if app.extensions["db_engine"].dialect.name == "postgresql":
        assert "FOR UPDATE" in reads[0]


def test_a_step_left_with_back_reads_the_draft_once(app, client):
    client.post(start(client), data=section_formdata(app, "concerns", clean_answers()))
    with draft_reads(app) as reads:
        response = client.post("/screening/step/treatment-history", data={"action": "back"})
    assert response.status_code == 302 and location(response) == "/screening/step/concerns"
    assert len(reads) == 1
