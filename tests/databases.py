"""The test run's databases: an empty, migrated one for every test, made without migrating.

SQLite: a new file is a copy of one migrated once per process. PostgreSQL (TEST_DATABASE_URL):
migrations run once; after that the database is emptied by deleting its rows for the next test,
unless a test changed the schema itself (a downgrade, a dropped table), which sends it back to
DROP SCHEMA and the migrations.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable
from graphlib import TopologicalSorter
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url

# Everything migrations leave in the schema: columns, indexes, constraints, triggers,
# functions and the Alembic revision. Equal after a test means emptied tables give a fresh
# database. (From the catalogs: information_schema's views take ten times as long.)
SCHEMA_FINGERPRINT = """
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
  SELECT concat_ws(':', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod),
                   a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) AS item
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace
  UNION ALL SELECT conname || ':' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
  UNION ALL SELECT proname || ':' || md5(prosrc)
    FROM pg_proc WHERE pronamespace = 'public'::regnamespace
  UNION ALL SELECT 'revision:' || version_num FROM alembic_version
) AS schema
"""
TABLES = """
SELECT quote_ident(tablename) FROM pg_tables
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
"""
# (referencing, referenced) table pairs.
FOREIGN_KEYS = """
SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
WHERE contype = 'f' AND connamespace = 'public'::regnamespace AND conrelid <> confrelid
"""
RESTART_SEQUENCES = """
SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)
FROM pg_sequences WHERE schemaname = 'public'
"""
# The schema each PostgreSQL database had right after `db upgrade` in this process.
_migrated_schema: dict[str, str] = {}
# PostgreSQL databases emptied by TRUNCATE for the test about to build its app.
_emptied_at_head: set[str] = set()
# One pooled connection per PostgreSQL test database, for emptying it between tests.
_admin_engines: dict[str, Engine] = {}
# PostgreSQL databases set to commit without waiting for the disk flush, in this process.
_unsynced: set[str] = set()
# The SQLite file migrated once in this process, copied for every new SQLite database.
_migrated_sqlite: list[Path] = []


def fresh_database_url(folder: Path) -> str:
    """An empty database: this run's PostgreSQL one when set, else a new SQLite file in `folder`."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{folder / 'test.sqlite3'}"
    reset_postgres(url)
    return url


def schema_fingerprint(connection: Connection) -> str | None:
    """A digest of the public schema, or None when Alembic never ran here."""
    if connection.scalar(text("SELECT to_regclass('public.alembic_version')")) is None:
        return None
    return connection.scalar(text(SCHEMA_FINGERPRINT))


def reset_postgres(url: str) -> None:
    """Empty the test database: delete its rows when its schema is as migrated here, else
    drop it all."""
    with admin_engine(url).begin() as connection:
        # A connection left mid-transaction by an earlier test (e.g. an unread streamed
        # export) would make the TRUNCATE or DROP wait forever: end it, and never wait long.
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        connection.execute(text("SET lock_timeout = '10s'"))
        if url not in _unsynced:
            unsync_commits(connection)
            _unsynced.add(url)
        migrated = _migrated_schema.get(url)
        if migrated is not None and schema_fingerprint(connection) == migrated:
            empty_tables(connection)
            _emptied_at_head.add(url)
        else:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            _migrated_schema.pop(url, None)
            _emptied_at_head.discard(url)


def admin_engine(url: str) -> Engine:
    """The process's one connection for emptying a PostgreSQL test database: a new
    connection per test costs a server process each time (checked before use, so a
    restarted server gets a fresh one)."""
    if url not in _admin_engines:
        from screening.database import make_engine

        _admin_engines[url] = make_engine(url, pool_size=1, max_overflow=0)
    return _admin_engines[url]


def unsync_commits(connection: Connection) -> None:
    """Let this throwaway database's commits return before the disk flush (new connections).

    A test commits dozens of times; each flush costs 8–10 ms on this machine's disk and about
    1 ms without. Only what a crash of the server would keep changes, which no test relies on.
    """
    name = connection.scalar(text("SELECT quote_ident(current_database())"))
    connection.execute(text(f"ALTER DATABASE {name} SET synchronous_commit = off"))


def empty_tables(connection: Connection) -> None:
    """Delete every row, children before parents, and restart the sequences: a fresh database.

    (TRUNCATE does the same with new files for every table and index: ten times as long.)
    """
    tables = connection.scalars(text(TABLES)).all()
    order = TopologicalSorter({table: set() for table in tables})
    for referencing, referenced in connection.execute(text(FOREIGN_KEYS)):
        order.add(referenced, referencing)
    children_first = list(order.static_order())
    # Twice: a trigger on a first-round delete (the submission counts) may have written to a
    # table emptied before it.
    for table in children_first + children_first:
        connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (a name the catalog quoted)
    connection.execute(text(RESTART_SEQUENCES))


def note_migrated(url: str) -> None:
    """Remember a PostgreSQL database's schema after `db upgrade`, to TRUNCATE it next time."""
    if make_url(url).get_backend_name() != "postgresql":
        return
    with admin_engine(url).connect() as connection:
        fingerprint = schema_fingerprint(connection)
    if fingerprint is not None:
        _migrated_schema[url] = fingerprint


def already_migrated(url: str, migrate_template: Callable[[str], None]) -> bool:
    """Whether a new app on `url` can skip `db upgrade`: an SQLite file now copied from the
    migrated template, or a PostgreSQL database emptied at head for this test (once: a
    second app on it in the same test runs `db upgrade`, which finds nothing to do)."""
    if url in _emptied_at_head:
        _emptied_at_head.remove(url)
        return True
    return copy_migrated_sqlite(url, migrate_template)


def copy_migrated_sqlite(url: str, migrate_template: Callable[[str], None]) -> bool:
    """Fill a new SQLite file from the process's migrated one; False when not applicable."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    target = Path(parsed.database)
    if target.exists():
        return False
    if not _migrated_sqlite:
        template = Path(tempfile.mkdtemp(prefix="threshold-migrated-")) / "migrated.sqlite3"
        migrate_template(f"sqlite:///{template}")
        _migrated_sqlite.append(template)
    with sqlite3.connect(_migrated_sqlite[0]) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return True
