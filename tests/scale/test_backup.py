"""Backups that restore: a copy is only a backup once a fresh app has read a submission back
from it, decrypting with the same ENCRYPTION_KEYS (which are never inside the copy).

SQLite: `flask --app wsgi backup PATH` (online backup API). PostgreSQL: pg_dump, restored
with pg_restore into another database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from screening import create_app
from screening.backup import backup_sqlite
from screening.database import new_session
from screening.models import AuditEvent, Submission, SubmissionState
from tests.conftest import CREATED_APPS, TEST_KEY, make_app
from tests.intake.wizard_driver import complete_screening
from tests.questionnaire.factories import clean_answers
from tests.scale.conftest import on_postgres
from tests.scale.live import require_service

pytestmark = pytest.mark.scale

RESTORE_DATABASE = "threshold_restore_test"


def submitted(app) -> list[Submission]:  # type: ignore[no-untyped-def]
    """Every submitted screening in the app's database, decrypted."""
    with app.app_context():
        db = new_session()
        try:
            return list(
                db.scalars(select(Submission).where(Submission.state == SubmissionState.SUBMITTED))
            )
        finally:
            db.close()


def app_with_a_submission(tmp_path: Path, database_url: str, name: str):  # type: ignore[no-untyped-def]
    """An app whose database holds one submitted screening by `name`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = make_app(tmp_path, database_url)
    page = complete_screening(app, app.test_client(), clean_answers(full_name=name))
    assert page.status_code == 200
    return app


def test_sqlite_backup_restores_into_a_fresh_app_that_decrypts_it(tmp_path, sqlite_url):
    # On SQLite whichever database this run uses: scale tests run in make test-postgres.
    database_url = sqlite_url
    app = app_with_a_submission(tmp_path / "live", database_url, "Morgan Backup")
    source = Path(make_url(database_url).database or "")
    # A writer is mid-transaction while a backup runs: the copy must neither wait for it nor
    # contain its uncommitted row.
    writer = sqlite3.connect(source, isolation_level=None, timeout=5)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO submissions (public_id, state, language, definition_version, answers, "
        "progress, created_at, updated_at, status) VALUES ('uncommitted-row-0001', 'draft', "
        "'en', 'x', 'x', 'x', '2026-01-01', '2026-01-01', 'new')"
    )
    try:
        during = backup_sqlite(database_url, tmp_path / "during-a-write.sqlite3")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert during.submissions == 1
    with closing(sqlite3.connect(during.path)) as copy:
        ids = [row[0] for row in copy.execute("SELECT public_id FROM submissions")]
    assert "uncommitted-row-0001" not in ids and len(ids) == 1

    target = tmp_path / "backups"
    target.mkdir()
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backed up 1 submissions" in result.output
    (copy,) = target.glob("threshold-*.sqlite3")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert not list(target.glob(".*partial*")) and not list(target.glob("*-wal"))

    (tmp_path / "restored").mkdir()
    restored = make_app(tmp_path / "restored", f"sqlite:///{copy}")
    (row,) = submitted(restored)
    assert row.answers["full-name"] == "Morgan Backup"
    assert row.contact == {
        "name": "Morgan Backup",
        "email": "alex.rivera@example.com",
        "phone": "+1 408 555 0142",
        "method": "email",  # times to call are asked only of people who want a call or text
        "voicemail_ok": False,
    }
    # The backup itself is audited in the live database.
    with app.app_context():
        db = new_session()
        try:
            actions = list(db.scalars(select(AuditEvent.action)))
        finally:
            db.close()
    assert "database.backed-up" in actions


def test_sqlite_backup_will_not_overwrite_an_existing_file(tmp_path, sqlite_url):
    # On SQLite whichever database this run uses: scale tests run in make test-postgres.
    database_url = sqlite_url
    app = make_app(tmp_path, database_url)
    existing = tmp_path / "keep.sqlite3"
    existing.write_bytes(b"an older backup")
    result = app.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code == 2
    assert "already exists" in result.output
    assert existing.read_bytes() == b"an older backup"
    again = app.test_cli_runner().invoke(args=["backup", "--overwrite", str(existing)])
    assert again.exit_code == 0, again.output
    assert existing.read_bytes().startswith(b"SQLite format 3")


def test_backup_command_refuses_postgresql_and_points_at_pg_dump(tmp_path):
    os.environ["THRESHOLD_INSTANCE_PATH"] = str(tmp_path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-checks",
            "ENCRYPTION_KEYS": TEST_KEY,
            "BLIND_INDEX_KEY": "test-blind-index-key-0123456789abcdef",
            # Never connected to: the command refuses before touching the database.
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    CREATED_APPS.append(app)
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite3")])
    assert result.exit_code == 2
    assert "pg_dump" in result.output
    assert not (tmp_path / "x.sqlite3").exists()


def psql_url(database_url: str, database: str | None = None) -> str:
    """The libpq form of a SQLAlchemy URL (pg_dump and friends do not know +psycopg)."""
    url = make_url(database_url).set(drivername="postgresql")
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def test_postgres_pg_dump_restores_into_another_database_that_decrypts_it(tmp_path, database_url):
    if not on_postgres(database_url):
        pytest.skip("pg_dump and pg_restore: runs in make test-postgres")
    for tool in ("pg_dump", "pg_restore", "dropdb", "createdb"):
        require_service(bool(shutil.which(tool)), tool)
    app_with_a_submission(tmp_path / "live", database_url, "Jordan Dumped")
    dump = tmp_path / "threshold.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", psql_url(database_url)],
        check=True,
        timeout=120,
    )
    server = psql_url(database_url, "postgres")
    subprocess.run(
        ["dropdb", "--if-exists", "--force", f"--maintenance-db={server}", RESTORE_DATABASE],
        check=True,
        timeout=60,
    )
    subprocess.run(["createdb", f"--maintenance-db={server}", RESTORE_DATABASE], check=True)
    try:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={psql_url(database_url, RESTORE_DATABASE)}",
                str(dump),
            ],
            check=True,
            timeout=120,
        )
        restored_url = make_url(database_url).set(database=RESTORE_DATABASE).render_as_string(False)
        (tmp_path / "restored").mkdir()
        restored = make_app(tmp_path / "restored", restored_url)
        (row,) = submitted(restored)
        assert row.answers["full-name"] == "Jordan Dumped"
        assert row.contact and row.contact["name"] == "Jordan Dumped"
        restored.extensions["db_engine"].dispose()
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", f"--maintenance-db={server}", RESTORE_DATABASE],
            check=False,
            timeout=60,
        )
