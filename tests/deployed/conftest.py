"""One deployed stack per test module: nginx (TLS) → gunicorn (production) → PostgreSQL, Redis.

Everything is set up the way docs/DEPLOY.md tells a deployer to: keys generated, migrations
and the first account through the `flask` CLI, nginx from deploy/nginx/threshold.conf.
With CI=true a missing nginx, openssl, Chromium, PostgreSQL, Redis or gunicorn fails the
tests; elsewhere they skip.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.deployed.stack import (
    DeployedGunicorn,
    Nginx,
    Site,
    create_database,
    drop_database,
    flask_cli,
    nginx_path,
    self_signed_certificate,
    three_free_ports,
)
from tests.scale.live import (
    gunicorn_available,
    postgres_available,
    redis_available,
    require_service,
    server_environment,
    write_instance_config,
)

STAFF_EMAIL = "casey@example.org"
STAFF_PASSWORD = "a long deployed passphrase"
# A Redis database of its own, and a key prefix per run, so counts start from zero.
REDIS_DATABASE = 9


def require_stack_services() -> None:
    """Fail in CI, skip elsewhere, when something the deployment needs is missing."""
    require_service(nginx_path() is not None, "nginx (apt-get install nginx)")
    require_service(shutil.which("openssl") is not None, "openssl")
    require_service(gunicorn_available(), "gunicorn")
    require_service(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    require_service(redis_available(), "Redis on 127.0.0.1:6379")


@dataclass
class Stack:
    """The running deployment: its public address and where its logs are."""

    url: str
    nginx: Nginx
    gunicorn: DeployedGunicorn
    env: dict[str, str]
    nginx_access_log: Path

    def logs(self) -> str:
        """Everything gunicorn, the app and nginx logged so far."""
        return (
            self.gunicorn.log_text()
            + self.nginx.error_log()
            + self.nginx_access_log.read_text(encoding="utf-8", errors="replace")
        )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start the deployment described in DEPLOY.md on loopback ports; stop it afterwards."""
    require_stack_services()
    folder = tmp_path_factory.mktemp("deployed")
    http_port, https_port, upstream_port = three_free_ports()
    public_url = f"https://localhost:{https_port}"
    database = f"threshold_deployed_{os.getpid()}"
    instance = folder / "instance"
    write_instance_config(instance, {"RATELIMIT_KEY_PREFIX": f"deployed-{secrets.token_hex(4)}"})
    env = server_environment(
        database_url=create_database(database),
        instance=instance,
        secret_key=secrets.token_urlsafe(48),
        encryption_keys=Fernet.generate_key().decode(),
        blind_key=secrets.token_urlsafe(32),
        audit_keys=secrets.token_urlsafe(32),
        THRESHOLD_ENV="production",
        LOG_LEVEL="INFO",
        PUBLIC_BASE_URL=public_url,
        PROXY_FIX_HOPS="1",
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:6379/{REDIS_DATABASE}",
        # A person in a test answers faster than the bot defence allows; everything else holds.
        MIN_FILL_SECONDS="0",
        URGENT_ESCALATION_EMAIL="on-call@example.org",
        # Production refuses the example clinic's contact details.
        CLINIC_PHONE="(669) 238-4410",
        CLINIC_EMAIL="hello@gilroy-kap.example",
        CLINIC_INTAKE_EMAIL="intake@gilroy-kap.example",
    )
    gunicorn = DeployedGunicorn(env, folder / "gunicorn.log", port=upstream_port)
    certificate, key = self_signed_certificate(folder, "localhost")
    nginx_folder = folder / "nginx"
    nginx_folder.mkdir()
    site = Site(
        http_port=http_port,
        https_port=https_port,
        upstream_port=upstream_port,
        certificate=certificate,
        certificate_key=key,
        access_log=nginx_folder / "threshold.access.log",
    )
    nginx = Nginx(nginx_folder, site)
    try:
        # gunicorn's workers load the app while the CLI migrates and makes the first account:
        # each of these takes seconds, and none needs the others until the first request.
        with ThreadPoolExecutor(max_workers=1) as pool:
            serving = pool.submit(gunicorn.start)
            flask_cli(env, "db", "upgrade")
            flask_cli(
                env,
                "clinician", "create", STAFF_EMAIL, "--name", "Casey Clinician", "--role", "admin",
                stdin=STAFF_PASSWORD + "\n",
            )  # fmt: skip
            nginx.start()
            serving.result()
        yield Stack(public_url, nginx, gunicorn, env, site.access_log)
    finally:
        nginx.stop()
        gunicorn.stop()
        drop_database(database)
