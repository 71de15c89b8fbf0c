"""GET /healthz: is the app up, and can it read and write its database?"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def sqlite_files_writable(engine: Engine) -> bool:
    """Whether the SQLite database file (and its write-ahead log) can be opened for writing.

    A trivial query still succeeds when the file cannot be written (a full or read-only disk,
    a file made immutable), yet every save would fail: that is an outage for the wizard.
    Opening the files for update and closing them writes nothing.
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return True
    for path in (Path(database), Path(f"{database}-wal")):
        if not path.exists():
            continue
        try:
            path.open("r+b").close()
        except OSError:
            return False
    return True


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Answer 200 when the database answers a trivial query and can be written, else 503."""
    engine = current_app.extensions["db_engine"]
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("health check: database unreachable")
        return jsonify(status="unavailable", database="unreachable"), 503
    if not sqlite_files_writable(engine):
        log.warning("health check: database file not writable")
        return jsonify(status="unavailable", database="read-only"), 503
    return jsonify(status="ok", database="ok"), 200
