"""Shared fixtures: an app on a fresh, migrated database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), a client, a CLI runner and small helpers."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket
from sqlalchemy.engine import make_url

from screening import create_app
from screening.auth import totp
from tests.databases import already_migrated, fresh_database_url, note_migrated

TEST_KEY = Fernet.generate_key().decode()
TEST_AUDIT_KEY = "test-audit-key-0123456789abcdef-0123456789"
# Every app a test builds, so its connection pool is closed when the test ends.
CREATED_APPS: list[Flask] = []


@pytest.fixture(autouse=True)
def dispose_created_apps() -> Iterator[None]:
    """Close the database pools of apps the test created (PostgreSQL warns otherwise)."""
    yield
    while CREATED_APPS:
        CREATED_APPS.pop().extensions["db_engine"].dispose()


class TotpClock:
    """The wall clock plus an offset that tests move forward instead of waiting for a step."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture(autouse=True)
def totp_clock(monkeypatch: pytest.MonkeyPatch) -> TotpClock:
    """The clock the server checks TOTP codes against in this test (the wall clock at first)."""
    clock = TotpClock()
    monkeypatch.setattr(totp, "clock", clock)
    return clock


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Return the database this test runs on, emptied."""
    return fresh_database_url(tmp_path)


@pytest.fixture(scope="module")
def module_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the database a test module's shared app runs on, emptied once for the module."""
    return fresh_database_url(tmp_path_factory.mktemp("module-database"))


# Tests that ask for neither fixture never touch the run's database.
DATABASE_FIXTURES = {"database_url", "module_database_url"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that never touch the run's database `no_database`."""
    for item in items:
        if not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.no_database)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database, whatever TEST_DATABASE_URL says (for SQLite-only checks)."""
    return f"sqlite:///{tmp_path / 'own.sqlite3'}"


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept for the whole run, shared by every app a test creates.

    Each app has a Jinja environment of its own, and compiling the templates a test renders
    took about a third of the suite's CPU. A template is reused only while its source is
    unchanged (Jinja checks its checksum) and by an environment that compiles the same way.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        key = self.get_cache_key(name, filename) + compile_settings(environment)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def compile_settings(environment: Environment) -> str:
    """What changes the code an environment compiles a template to."""
    return repr(
        (
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            environment.optimized,
            environment.is_async,
            sorted(environment.extensions),
            getattr(environment, "newstyle_gettext", None),
        )
    )


COMPILED_TEMPLATES = SharedBytecodeCache()


def make_app(tmp_path: Path, database_url: str, **overrides: object) -> Flask:
    """Create a migrated app in a throwaway instance folder."""
    return build_app(tmp_path, database_url, overrides, copy_migrated=True)


def build_app(
    tmp_path: Path, database_url: str, overrides: dict[str, object], *, copy_migrated: bool
) -> Flask:
    """Create an app; migrate its database unless (when allowed) a migrated one was copied
    or emptied for it (tests/databases.py)."""
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    os.environ["THRESHOLD_INSTANCE_PATH"] = str(instance)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-checks",
        "ENCRYPTION_KEYS": TEST_KEY,
        "BLIND_INDEX_KEY": "test-blind-index-key-0123456789abcdef",
        "AUDIT_KEYS": TEST_AUDIT_KEY,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MIN_FILL_SECONDS": 0,
        # Cheap hashing keeps the suite fast; production uses argon2-cffi's RFC 9106 profile.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8192,
        "ARGON2_PARALLELISM": 1,
        "SERVER_NAME": None,
        # The test client's host: absolute links (resume links) then reach the same cookie jar.
        "PUBLIC_BASE_URL": "http://localhost",
    }
    config.update(overrides)
    migrated = copy_migrated and already_migrated(database_url, migrate_template)
    app = create_app(config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    CREATED_APPS.append(app)
    if not migrated:
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        note_migrated(database_url)
    return app


def migrate_template(database_url: str) -> None:
    """Migrate the database new SQLite test databases are copied from."""
    folder = Path(make_url(database_url).database or "").parent
    previous = os.environ.get("THRESHOLD_INSTANCE_PATH")
    build_app(folder, database_url, {}, copy_migrated=False)
    CREATED_APPS.pop().extensions["db_engine"].dispose()
    if previous is not None:
        os.environ["THRESHOLD_INSTANCE_PATH"] = previous


def one_connection_app(tmp_path: Path, database_url: str, **overrides: object) -> Flask:
    """An app whose pool holds one connection and waits 1 s for it: a request that needs a
    second connection, or finds the one busy, fails instead of being served."""
    app = make_app(
        tmp_path,
        database_url,
        DATABASE_POOL_SIZE=1,
        DATABASE_MAX_OVERFLOW=0,
        DATABASE_POOL_TIMEOUT=1,
        **overrides,
    )
    engine = app.extensions["db_engine"]
    assert (engine.pool.size(), engine.pool.timeout()) == (1, 1)
    return app


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Flask:
    """An application on an empty, migrated database."""
    return make_app(tmp_path, database_url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for the app."""
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch Debian's Chromium once for the run: a second sync Playwright in the same thread
    (tests/deployed after tests/browser) fails with "Sync API inside the asyncio loop"."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


def csrf_token_from(html: str) -> str:
    """Pull the CSRF token out of a rendered form."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in page"
    return match.group(1)
