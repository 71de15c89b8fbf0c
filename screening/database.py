"""Engine, declarative base and the one-session-per-request helper.

SQLite runs in WAL mode with a busy timeout; write requests open their transaction with
BEGIN IMMEDIATE so two writers queue for the lock instead of failing on upgrade.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, MetaData, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# How long a SQLite writer waits for the write lock before the person gets "try again" (503).
# SQLite's busy handler is not first-come first-served: under a long burst one writer can wait
# far longer than the average (a 200-at-once run saw one person pass 10 s), so allow 30 s, the
# same as waiting for a pool connection and well inside gunicorn's 60 s timeout.
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
P = ParamSpec("P")
R = TypeVar("R")

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Turn on WAL, foreign keys and a busy timeout, and take over transaction control."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own implicit BEGIN cannot be IMMEDIATE; issue BEGIN ourselves instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(
    url: str,
    *,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_timeout: float = 30,
) -> Engine:
    """Create an engine for SQLite or PostgreSQL with the settings this app relies on."""
    pool = {"pool_size": pool_size, "max_overflow": max_overflow, "pool_timeout": pool_timeout}
    # hide_parameters: SQL errors in logs must never carry values, even encrypted ones.
    if url.startswith("sqlite"):
        in_memory = make_url(url).database in (None, "", ":memory:")
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout_ms / 1000},
            hide_parameters=True,
            **({} if in_memory else pool),  # an in-memory database has one connection
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **pool)


def init_app(app: Flask) -> None:
    """Create the engine and session factories and close the request session on teardown."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        busy_timeout_ms=app.config.get("SQLITE_BUSY_TIMEOUT_MS", SQLITE_BUSY_TIMEOUT_MS),
        pool_size=app.config["DATABASE_POOL_SIZE"],
        max_overflow=app.config["DATABASE_MAX_OVERFLOW"],
        pool_timeout=app.config["DATABASE_POOL_TIMEOUT"],
    )
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions["db_write_sessions"] = sessionmaker(
        bind=engine.execution_options(sqlite_immediate=True), expire_on_commit=False
    )
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """Return this request's session, opening a write-ready one for state-changing methods."""
    if "db_session" not in g:
        wants_write = has_request_context() and request.method in WRITE_METHODS
        factory = "db_write_sessions" if wants_write else "db_sessions"
        g.db_session = current_app.extensions[factory]()
    return g.db_session


def new_session(*, write: bool = False) -> Session:
    """Open a session outside a request (CLI commands, background work); the caller closes it."""
    factory = "db_write_sessions" if write else "db_sessions"
    return current_app.extensions[factory]()


def begin_write(db: Session) -> None:
    """Make the session's transaction a writer (BEGIN IMMEDIATE on SQLite) if it is not one.

    A transaction that only read is ended first rather than upgraded: SQLite can refuse the
    upgrade under load. Loaded objects stay loaded (expire_on_commit is off), and the request
    keeps its one connection.
    """
    if db.in_transaction():
        if db.connection().get_execution_options().get("sqlite_immediate"):
            return
        db.commit()
    db.connection(execution_options={"sqlite_immediate": True})


def transaction(
    service: Callable[Concatenate[Session, P], R],
) -> Callable[Concatenate[Session, P], R]:
    """Commit the session a service is given when it returns; roll back when it raises."""

    @functools.wraps(service)
    def run(db: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = service(db, *args, **kwargs)
        except BaseException:
            db.rollback()
            raise
        db.commit()
        return result

    return run


def close_session(_error: BaseException | None = None) -> None:
    """Roll back anything uncommitted and return the connection to the pool."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
