"""The database failing mid-screening: the person keeps what they typed, nothing is lost."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import make_app, one_connection_app
from tests.intake.wizard_driver import location, section_formdata, start_at
from tests.questionnaire.factories import clean_answers
from tests.scale.live import require_service


def test_locked_database_shows_503_with_answers_and_recovers(tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL outages are exercised by stopping the server in tests/scale")
    app = make_app(tmp_path, database_url, SQLITE_BUSY_TIMEOUT_MS=200)
    client = app.test_client()
    answers = clean_answers(full_name="Dana Outage")
    start_at(app, client, answers)  # contact details come last
    # Another process holds the write lock for longer than the app will wait: a real outage.
    blocker = sqlite3.connect(Path(database_url.removeprefix("sqlite:///")), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        page = client.post(
            "/screening/step/about-you", data=section_formdata(app, "about-you", answers)
        )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert page.status_code == 503
    html = page.data.decode()
    assert 'value="Dana Outage"' in html
    assert "press Next again" in html and "Reference:" in html
    again = client.post(
        "/screening/step/about-you", data=section_formdata(app, "about-you", answers)
    )
    assert location(again) == "/screening/review"


def test_every_connection_busy_is_a_503_with_answers_not_a_500(tmp_path, database_url):
    """A pool with no free connection: the person waits DATABASE_POOL_TIMEOUT, then gets the
    step back with what they typed, and Next works once a connection is free again."""
    app = one_connection_app(tmp_path, database_url)
    engine = app.extensions["db_engine"]
    client = app.test_client()
    answers = clean_answers(full_name="Dana Busy")
    start_at(app, client, answers)  # contact details come last
    body = section_formdata(app, "about-you", answers)
    held = engine.connect()  # the pool's only connection, busy elsewhere
    try:
        page = client.post("/screening/step/about-you", data=body)
        elsewhere = client.get("/healthz")
    finally:
        held.close()
    assert page.status_code == 503
    html = page.data.decode()
    assert 'value="Dana Busy"' in html and "Reference:" in html
    assert elsewhere.status_code == 503
    assert location(client.post("/screening/step/about-you", data=body)) == ("/screening/review")


@contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    """Make files unwritable even for root (chattr +i), as a failing or read-only disk is."""
    made = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True, check=False)
    if made.returncode != 0:
        subprocess.run(["chattr", "-i", *map(str, paths)], capture_output=True, check=False)
        require_service(False, f"chattr +i ({made.stderr.decode().strip()})")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


@pytest.fixture
def disk_folder() -> Iterator[Path]:
    """A folder on disk: tmpfs, where `make test` keeps test files, lets a connection that
    is already open go on writing to a file made immutable."""
    folder = Path(tempfile.mkdtemp(prefix="threshold-outage-", dir="/var/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_unwritable_sqlite_file_shows_503_with_answers_and_recovers(disk_folder, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("an unwritable file is a SQLite outage; PostgreSQL's is in tests/scale")
    database_url = f"sqlite:///{disk_folder / 'test.sqlite3'}"
    app = make_app(disk_folder, database_url)
    client = app.test_client()
    answers = clean_answers(full_name="Dana Readonly")
    start_at(app, client, answers)  # contact details come last
    body = section_formdata(app, "about-you", answers)
    database = Path(database_url.removeprefix("sqlite:///"))
    # The shared-memory index stays writable: SQLite maps it, and taking it away is a crash,
    # not an outage.
    with immutable(database, Path(f"{database}-wal")):
        page = client.post("/screening/step/about-you", data=body)
        health = client.get("/healthz")
    assert page.status_code == 503
    html = page.data.decode()
    assert 'value="Dana Readonly"' in html and "Reference:" in html
    assert health.status_code == 503 and health.get_json()["database"] == "read-only"
    assert location(client.post("/screening/step/about-you", data=body)) == ("/screening/review")
    assert client.get("/healthz").status_code == 200
