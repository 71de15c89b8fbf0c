"""Fixtures for the scale tests: a migrated app on this run's database (the test side, used to
count and decrypt rows) and gunicorn instances serving that same database with the same keys.

Tests here need gunicorn, and some need PostgreSQL and Redis: with CI=true a missing service
fails the test; elsewhere it skips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import TEST_AUDIT_KEY, TEST_KEY, make_app
from tests.scale.live import (
    GunicornServer,
    gunicorn_available,
    postgres_available,
    require_service,
    server_environment,
    write_instance_config,
)

SECRET_KEY = "scale-test-secret-key-long-enough-for-the-checks"
BLIND_INDEX_KEY = "scale-test-blind-index-key-0123456789abcdef"

StartServers = Callable[..., list[GunicornServer]]


def on_postgres(database_url: str) -> bool:
    """Whether this run's database is PostgreSQL."""
    return database_url.startswith("postgresql")


@pytest.fixture
def live_app(tmp_path: Path, database_url: str) -> Flask:
    """A migrated app on this run's database, with the keys the servers get too."""
    require_service(gunicorn_available(), "gunicorn")
    if on_postgres(database_url):
        require_service(postgres_available(), "PostgreSQL")
    return make_app(
        tmp_path,
        database_url,
        SECRET_KEY=SECRET_KEY,
        BLIND_INDEX_KEY=BLIND_INDEX_KEY,
    )


@pytest.fixture
def start_servers(tmp_path: Path, database_url: str, live_app: Flask) -> Iterator[StartServers]:
    """Start gunicorn instances on the live app's database; every one is stopped afterwards.

        servers = start_servers(2, settings={"RATELIMIT_ENABLED": False}, MIN_FILL_SECONDS="0")

    `settings` become the instances' instance/config.py (for values the environment cannot
    carry); keyword arguments become environment variables.
    """
    with ExitStack() as stack:

        def start(
            count: int = 1, *, settings: dict[str, Any] | None = None, **env: str
        ) -> list[GunicornServer]:
            instance = tmp_path / "server-instance"
            write_instance_config(instance, settings or {})
            environment = server_environment(
                database_url=database_url,
                instance=instance,
                secret_key=SECRET_KEY,
                encryption_keys=TEST_KEY,
                blind_key=BLIND_INDEX_KEY,
                audit_keys=TEST_AUDIT_KEY,
                **env,
            )
            servers = []
            for _ in range(count):
                number = len(list(tmp_path.glob("gunicorn-*.log"))) + 1
                server = GunicornServer(environment, tmp_path / f"gunicorn-{number}.log")
                stack.callback(server.stop)
                servers.append(server.launch())
            # Launched together: each takes seconds to load the app, and none waits for another.
            return [server.wait_until_healthy() for server in servers]

        yield start
