"""What both benchmarks share: the bench database and its seeding, a configured environment,
sessions prepared over HTTP, wrk runs replaying them, and the machine's description."""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from cryptography.fernet import Fernet
from flask import Flask

from screening import create_app
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, unused_code
from tests.scale.live import (
    PROJECT_DIR,
    HttpPerson,
    path_of,
    server_environment,
    write_instance_config,
)

SERVER = "postgresql://postgres@127.0.0.1:5432"
# BENCH_DATABASE: another name, so two people on one machine each bench their own database.
DATABASE = os.environ.get("BENCH_DATABASE", "threshold_bench")
CONNECTIONS = 16  # = 2 workers × 8 threads
WRK_THREADS = 2
# Each worker gets its own listening socket and the kernel spreads wrk's keep-alive connections
# over them. Without it a gthread worker accepts greedily: in 6 runs all 16 connections landed
# on one worker 3 times, and the queue measured one core (118-155 req/s against 235-280).
SERVER_ARGS = ("--reuse-port",)
LUA = PROJECT_DIR / "bench" / "requests.lua"
WORK_DIR = Path(tempfile.gettempdir()) / DATABASE
ADMIN_EMAIL = "bench.admin@example.org"


@dataclass
class Measurement:
    """One wrk run."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    status_errors: int
    socket_errors: int


def log(message: str) -> None:
    """Progress on stderr, with the time, so a long run shows where it is."""
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Database, environment and seeding


def database_url(database: str) -> str:
    """The SQLAlchemy URL of one of the bench's databases."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"


def recreate_database(database: str) -> None:
    """Drop and create a dedicated bench database (never the app's or the tests')."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {database}")


def analyze(database: str) -> None:
    """Refresh planner statistics after a bulk load, as autovacuum eventually would, and
    write the load's dirty pages out now, so no checkpoint runs during a measurement."""
    with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        connection.execute("CHECKPOINT")


def cpu_busy_share(seconds: float) -> float:
    """The share of the machine's CPU time spent busy (not idle or waiting) over `seconds`."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields), idle

    total_before, idle_before = sample()
    time.sleep(seconds)
    total_after, idle_after = sample()
    total = max(1, total_after - total_before)
    return 1 - (idle_after - idle_before) / total


def settle(limit_seconds: float = 90, busy_below: float = 0.1) -> float:
    """Wait until the machine is quiet (after seeding, PostgreSQL and the kernel still write
    for a while); return the seconds waited. Measuring before that mixes their work in."""
    started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        if cpu_busy_share(1.0) < busy_below:
            break
    return time.monotonic() - started


def flask_cli(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    """Run `flask --app wsgi ARGS` with the bench environment; return its output."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def seed(env: dict[str, str], count: int, processes: int, first_seed: int) -> float:
    """Add `count` synthetic submissions using `processes` seed commands in parallel."""
    started = time.monotonic()
    shares = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
    running = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "dev",
                "seed",
                "--count",
                str(share),
                "--seed",
                str(first_seed + i),
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i, share in enumerate(shares)
        if share
    ]
    for process in running:
        output, _ = process.communicate(timeout=4 * 3600)
        if process.returncode != 0:
            raise RuntimeError(f"dev seed failed:\n{output}")
    analyze(env["DATABASE_URL"].rsplit("/", 1)[1])
    return time.monotonic() - started


@dataclass
class Bench:
    """A fresh, migrated bench database, the servers' environment and a signed-up admin."""

    env: dict[str, str]
    app: Flask
    admin_secret: str
    work: Path

    def staff_cookie(self, base_url: str) -> str:
        """Sign the admin in to Threshold; return the session cookie."""
        return signed_in_cookie(self.app, base_url, ADMIN_EMAIL, self.admin_secret)


def prepare(database: str = DATABASE, work: Path = WORK_DIR) -> Bench:
    """Recreate and migrate a bench database; build the servers' environment (rate limits off,
    as the bench opens many drafts from one address), a work folder and an admin with TOTP."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    instance = work / "instance"
    write_instance_config(instance, {"RATELIMIT_ENABLED": False})
    env = server_environment(
        database_url=database_url(database),
        instance=instance,
        secret_key=secrets.token_urlsafe(48),
        encryption_keys=Fernet.generate_key().decode(),
        blind_key=secrets.token_urlsafe(32),
        audit_keys=secrets.token_urlsafe(32),
        LOG_LEVEL="INFO",
        PYTHONPATH=str(PROJECT_DIR),
    )
    names = ("DATABASE_URL", "SECRET_KEY", "ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "AUDIT_KEYS")
    settings = {name: env[name] for name in (*names, "THRESHOLD_INSTANCE_PATH")}
    os.environ.update(settings)
    # Kept after the run so `python -m bench.profile` can open the same (synthetic) database.
    fd = os.open(work / "env.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(settings, handle)
    log(f"recreating {database} and migrating")
    recreate_database(database)
    flask_cli(env, "db", "upgrade")
    app = create_app()
    _, secret = create_clinician(app, email=ADMIN_EMAIL, name="Bench Admin", role="admin")
    assert secret
    return Bench(env, app, secret, work)


# ---------------------------------------------------------------------------------------
# Sessions prepared in Python, replayed by wrk


def session_cookie(person: HttpPerson) -> str:
    """The browser's cookie header, as wrk must send it."""
    return "; ".join(f"{name}={value}" for name, value in person.client.cookies.items())


def signed_in_cookie(app: Flask, base_url: str, email: str, secret: str) -> str:
    """Sign in through the real password and TOTP pages; return the session cookie."""
    person = HttpPerson(app, base_url)
    try:
        assert person.get("/portal/auth/login").status_code == 200
        response = person.post("/portal/auth/login", {"email": email, "password": DEFAULT_PASSWORD})
        assert path_of(response) == "/portal/auth/two-factor", response.text[:300]
        person.get("/portal/auth/two-factor")
        code = unused_code(app, email, secret)
        response = person.post("/portal/auth/two-factor", {"code": code})
        assert response.status_code == 302 and path_of(response).startswith("/portal")
        assert person.get("/portal/").status_code == 200
        return session_cookie(person)
    finally:
        person.close()


def write_requests(path: Path, rows: list[tuple[str, ...]]) -> Path:
    """Write the request list requests.lua replays (method, path, cookie, body and perhaps
    the If-None-Match of a returning browser)."""
    for row in rows:
        assert not any("\t" in field or "\n" in field for field in row)
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------
# wrk and the machine


def wrk(
    base_url: str,
    requests_file: Path,
    seconds: int,
    *,
    connections: int = CONNECTIONS,
    threads: int = WRK_THREADS,
    warmup: int = 2,
) -> Measurement:
    """Warm up, then measure the request list for `seconds`; refuse any error response."""
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file)}

    def run(duration: int) -> dict[str, Any]:
        command = [
            "wrk",
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA),
            base_url,
        ]
        result = subprocess.run(  # noqa: S603 - wrk with arguments built here
            command, env=env, capture_output=True, text=True, timeout=duration + 60, check=True
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if not lines:
            raise RuntimeError(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")
        return json.loads(lines[-1])

    settle(limit_seconds=10)
    if warmup:
        run(warmup)
    found = run(seconds)
    measured = Measurement(
        rps=found["rps"],
        p50_ms=found["p50_ms"],
        p99_ms=found["p99_ms"],
        requests=found["requests"],
        status_errors=found["status_errors"],
        socket_errors=found["socket_errors"],
    )
    if measured.status_errors or measured.socket_errors:
        raise RuntimeError(f"wrk saw errors on {requests_file.name}: {found}")
    return measured


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = proc_meminfo_gb()
    with psycopg.connect(f"{SERVER}/postgres") as connection:
        row = connection.execute("SHOW server_version").fetchone()
        pg_version = str(row[0]) if row else "?"
    wrk_version = subprocess.run(  # noqa: S603 - the wrk found on PATH, one fixed argument
        [shutil.which("wrk") or "wrk", "--version"], capture_output=True, text=True, check=False
    )
    import gunicorn

    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": f"{memory:.0f} GB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgresql": pg_version,
        "gunicorn": gunicorn.__version__,
        "wrk": (wrk_version.stdout or wrk_version.stderr).split(" [")[0].strip(),
    }


def proc_meminfo_gb() -> float:
    """Total memory in GB."""
    match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    return int(match.group(1)) / 1024 / 1024 if match else 0.0


def verdict(ok: bool) -> str:
    """Met or missed, for the table."""
    return "met" if ok else "**missed**"
