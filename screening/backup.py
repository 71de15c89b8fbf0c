"""Consistent backups of a SQLite database while the app keeps running.

`flask --app wsgi backup PATH` uses SQLite's online backup API: it copies one snapshot of the
database (a read transaction, so in WAL mode people can keep submitting meanwhile) into a
private temporary file beside PATH, checks the copy with `PRAGMA integrity_check`, makes it a
self-contained single file (no -wal beside it), flushes it to disk and only then renames it
into place. A reader of PATH therefore sees either no backup or a whole, checked one.

The copy holds answers encrypted exactly as the database does: restoring it needs the same
ENCRYPTION_KEYS, which are never part of a backup. PostgreSQL is backed up with pg_dump
(see docs/DEPLOY.md); this module refuses it rather than pretend.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from screening.clock import utcnow

BUSY_TIMEOUT_SECONDS = 30.0


class BackupRefused(RuntimeError):
    """The backup cannot be made this way; the message says what to do instead."""


@dataclass(frozen=True)
class BackupResult:
    """What was written."""

    path: Path
    size_bytes: int
    submissions: int | None


def sqlite_file(database_url: str) -> Path:
    """Return the SQLite file behind a database URL, or refuse any other database."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        raise BackupRefused(
            "this is a PostgreSQL database: back it up with pg_dump, e.g. "
            "`pg_dump --format=custom --file=threshold.dump DBNAME` "
            "(restore with pg_restore; see docs/DEPLOY.md)"
        )
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(f"backups of {url.get_backend_name()} databases are not supported")
    if not url.database or url.database == ":memory:":
        raise BackupRefused("an in-memory SQLite database has nothing on disk to back up")
    return Path(url.database)


def default_name() -> str:
    """A sortable file name for a backup made now (UTC)."""
    return f"threshold-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.sqlite3"


def resolve_target(target: Path, *, overwrite: bool) -> Path:
    """A directory gets a timestamped file inside it; an existing file needs `overwrite`."""
    if target.is_dir():
        target = target / default_name()
    if target.exists() and not overwrite:
        raise BackupRefused(f"{target} already exists; choose another name or pass --overwrite")
    if not target.parent.is_dir():
        raise BackupRefused(f"the folder {target.parent} does not exist")
    return target


def backup_sqlite(database_url: str, target: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the live SQLite database to `target` (a file, or a folder for a dated file)."""
    source_path = sqlite_file(database_url)
    if not source_path.exists():
        raise BackupRefused(f"the database file {source_path} does not exist")
    target = resolve_target(target, overwrite=overwrite)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    # Owner-only from the first byte: the copy is as sensitive as the database itself.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        submissions = _copy(source_path, partial)
        _fsync(partial)
        os.replace(partial, target)
        _fsync_directory(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise
    return BackupResult(target, target.stat().st_size, submissions)


def _copy(source_path: Path, destination: Path) -> int | None:
    """Online-backup `source_path` into `destination`, check it, and count submissions."""
    # closing(): a sqlite3 connection's own `with` ends a transaction, it does not close.
    with (
        contextlib.closing(sqlite3.connect(source_path, timeout=BUSY_TIMEOUT_SECONDS)) as source,
        contextlib.closing(sqlite3.connect(destination)) as copy,
    ):
        # pages=-1: the whole database in one step, from one read snapshot. A stepwise
        # copy would restart every time another process writes, and might never finish.
        source.backup(copy, pages=-1)
        # A backup should be one file: leave WAL mode so no -wal file is needed beside it
        # (the app turns WAL back on when it opens a restored copy).
        copy.execute("PRAGMA journal_mode=DELETE")
        result = copy.execute("PRAGMA integrity_check").fetchone()
        if not result or result[0] != "ok":
            raise BackupRefused(f"the copy failed its integrity check: {result}")
        try:
            row = copy.execute("SELECT count(*) FROM submissions WHERE state = 'submitted'")
        except sqlite3.OperationalError:
            return None  # not migrated yet: nothing to count
        return int(row.fetchone()[0])


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(path: Path) -> None:
    # The rename is durable only once the directory entry is on disk too.
    with contextlib.suppress(OSError):
        _fsync(path)
