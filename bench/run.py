"""`make bench`: how fast Threshold serves its pages compared with a bare Flask app, and
whether the clinician queue and the CSV export stay fast at 100,000 submissions.

One run, about 10 minutes on the 2-core reference machine:

1. a dedicated PostgreSQL database (`threshold_bench`, recreated), migrated;
2. 1,000 synthetic submissions (`flask dev seed`), the queue's latency measured;
3. 99,000 more (two seed processes in parallel), then every page measured with wrk:
   bare Flask hello, a content page, a wizard step GET, a wizard step POST (validate,
   encrypt, save, redirect; a real session and CSRF token per draft), the queue's first page
   and a submission page (a clinician signed in through the real password + TOTP pages);
4. the CSV export of all 100,000: the serving worker's peak memory, and the CLI export's
   peak memory under /usr/bin/time -v;
5. docs/PERFORMANCE.md written with the table, the targets and the machine.

Every server is the same gunicorn shape (tests/scale/live.py: 2 workers × 8 threads,
gthread) on loopback; wrk uses as many connections as there are worker threads. wrk's
loops are bounded by their duration; every server is stopped at the end, even on failure.

    python -m bench.run [--submissions 100000] [--duration 10] [--output docs/PERFORMANCE.md]
"""

from __future__ import annotations

import argparse
import contextlib
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
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select

from screening import create_app
from screening.database import new_session
from screening.models import Submission, SubmissionState
from tests.intake.wizard_driver import section_formdata
from tests.portal_helpers import DEFAULT_PASSWORD, create_clinician, unused_code
from tests.questionnaire.factories import clean_answers
from tests.scale.live import (
    GUNICORN_ARGS,
    PROJECT_DIR,
    GunicornServer,
    HttpPerson,
    path_of,
    server_environment,
    write_instance_config,
)

SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "threshold_bench"
DATABASE_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
SMALL_QUEUE = 1_000
CONNECTIONS = 16  # = 2 workers × 8 threads
WRK_THREADS = 2
DRAFTS_FOR_POSTS = 32
SUBMISSION_PAGES = 200
# Each worker gets its own listening socket and the kernel spreads wrk's keep-alive connections
# over them. Without it a gthread worker accepts greedily: in 6 runs all 16 connections landed
# on one worker 3 times, and the queue measured one core (118-155 req/s against 235-280).
SERVER_ARGS = ("--reuse-port",)
LUA = PROJECT_DIR / "bench" / "requests.lua"
WORK_DIR = Path(tempfile.gettempdir()) / "threshold-bench"
ANALYSIS = PROJECT_DIR / "bench" / "analysis.md"

# Ratio to bare Flask's requests/s that each page must reach.
TARGETS = {
    "content": 0.5,
    "step_get": 0.35,
    "step_post": 0.2,
    "queue": 0.25,
    "submission": 0.25,
}
LABELS = {
    "hello": "bare Flask hello (baseline)",
    "content": "content page /what-is-kap",
    "step_get": "wizard step GET",
    "step_post": "wizard step POST (validate, encrypt, save, redirect)",
    "queue": "portal queue, first page",
    "submission": "portal submission page",
}
QUEUE_GROWTH_TARGET = 1.3
EXPORT_MEMORY_TARGET_MB = 150


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
# Database and seeding


def recreate_database() -> None:
    """Drop and create the dedicated bench database (never the app's or the tests')."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def analyze() -> None:
    """Refresh planner statistics after a bulk load, as autovacuum eventually would, and
    write the load's dirty pages out now, so no checkpoint runs during a measurement."""
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as connection:
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
        output, _ = process.communicate(timeout=1200)
        if process.returncode != 0:
            raise RuntimeError(f"dev seed failed:\n{output}")
    analyze()
    return time.monotonic() - started


# ---------------------------------------------------------------------------------------
# Sessions prepared in Python, replayed by wrk


def session_cookie(person: HttpPerson) -> str:
    """The browser's cookie header, as wrk must send it."""
    return "; ".join(f"{name}={value}" for name, value in person.client.cookies.items())


def draft_at_second_step(app: Flask, base_url: str) -> tuple[str, str]:
    """A draft with "about you" saved; return (cookie, the about-you POST body with CSRF)."""
    person = HttpPerson(app, base_url)
    try:
        answers = clean_answers()
        path = person.start()
        body = section_formdata(app, "about-you", answers)
        assert path_of(person.post(path, body)) == "/screening/step/concerns"
        assert person.get("/screening/step/concerns").status_code == 200
        fields = [*body.items(multi=True), ("csrf_token", person.csrf_token or "")]
        return session_cookie(person), str(httpx.QueryParams(fields))
    finally:
        person.close()


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


def write_requests(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    """Write the request list requests.lua replays (method, path, cookie, body)."""
    for row in rows:
        assert not any("\t" in field or "\n" in field for field in row)
    path.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    return path


def public_ids(app: Flask, limit: int) -> list[str]:
    """Some submitted screenings to open, spread over the table."""
    with app.app_context():
        db = new_session()
        try:
            return list(
                db.scalars(
                    select(Submission.public_id)
                    .where(Submission.state == SubmissionState.SUBMITTED)
                    .order_by(Submission.id)
                    .limit(limit * 50)
                )
            )[::50]
        finally:
            db.close()


# ---------------------------------------------------------------------------------------
# wrk


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

    settle(limit_seconds=30)
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


def queue_latency(base_url: str, requests_file: Path, runs: int = 3) -> Measurement:
    """One connection's queue latency: the run with the lowest p50 of `runs` 3-second runs.

    The growth figure divides two of these taken minutes apart; the quietest run of each is
    the one least disturbed by what else the machine was doing."""
    found = [wrk(base_url, requests_file, 3, connections=1, threads=1) for _ in range(runs)]
    return min(found, key=lambda measured: measured.p50_ms)


# ---------------------------------------------------------------------------------------
# Memory of the CSV export


def proc_kb(pid: int, field: str) -> int:
    """A memory figure (kB) from /proc/PID/status."""
    text = Path(f"/proc/{pid}/status").read_text()
    match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) if match else 0


def reset_peak(pid: int) -> None:
    """Reset a process's peak RSS (VmHWM) so the next peak is this export's alone."""
    # Where this is not permitted the peak covers the worker's whole life (an overestimate).
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def export_through_endpoint(server: GunicornServer, cookie: str) -> dict[str, float]:
    """Download /portal/export.csv; return rows, seconds and the workers' memory figures."""
    pids = server.worker_pids()
    before = {pid: proc_kb(pid, "VmRSS") for pid in pids}
    for pid in pids:
        reset_peak(pid)
    started = time.monotonic()
    size = lines = 0
    with httpx.stream(
        "GET",
        server.url + "/portal/export.csv",
        headers={"Cookie": cookie},
        timeout=httpx.Timeout(600.0, connect=10.0),
    ) as response:
        if response.status_code != 200:
            raise RuntimeError(f"export answered {response.status_code}")
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.monotonic() - started
    growth = {pid: proc_kb(pid, "VmHWM") - before[pid] for pid in pids}
    busiest = max(growth, key=lambda pid: growth[pid])
    return {
        "rows": lines - 1,  # minus the header; synthetic answers hold no line breaks
        "megabytes": size / 1e6,
        "seconds": seconds,
        "worker_peak_mb": proc_kb(busiest, "VmHWM") / 1024,
        "worker_growth_mb": growth[busiest] / 1024,
    }


def export_through_cli(env: dict[str, str], target: Path) -> dict[str, float]:
    """Run the CLI export under /usr/bin/time -v; return its peak RSS and time."""
    time_tool = shutil.which("time") or "/usr/bin/time"
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - /usr/bin/time and our own interpreter
        [
            time_tool,
            "-v",
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "submissions",
            "export",
            "--format",
            "csv",
            "--output",
            str(target),
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"CLI export failed:\n{result.stderr[-3000:]}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    exported = re.search(r"Exported (\d+) screenings", result.stderr)
    return {
        "rows": int(exported.group(1)) if exported else -1,
        "seconds": time.monotonic() - started,
        "peak_mb": int(match.group(1)) / 1024 if match else -1,
    }


# ---------------------------------------------------------------------------------------
# The report


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


def write_report(
    output: Path,
    results: dict[str, Measurement],
    queue_small: Measurement,
    queue_large: Measurement,
    export_http: dict[str, float],
    export_cli: dict[str, float],
    extra: dict[str, Any],
) -> str:
    """Write docs/PERFORMANCE.md and return the table for the terminal."""
    hello = results["hello"].rps
    rows = [
        "| page | requests/s | p50 ms | p99 ms | × bare Flask | target | |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for key, measured in results.items():
        ratio = measured.rps / hello
        target = TARGETS.get(key)
        rows.append(
            f"| {LABELS[key]} | {measured.rps:,.0f} | {measured.p50_ms:.1f} | "
            f"{measured.p99_ms:.1f} | {ratio:.2f} | "
            + (f"≥ {target:.2f} | {verdict(ratio >= target)} |" if target else "1.00 | |")
        )
    growth = queue_large.p50_ms / queue_small.p50_ms
    memory_ok = max(export_cli["peak_mb"], export_http["worker_growth_mb"]) < (
        EXPORT_MEMORY_TARGET_MB
    )
    table = "\n".join(rows)
    # The profiling notes are prose kept beside the bench, not measured by this run.
    analysis = ANALYSIS.read_text(encoding="utf-8").strip() + "\n\n"
    http_ok = verdict(export_http["worker_growth_mb"] < EXPORT_MEMORY_TARGET_MB)
    cli_ok = verdict(export_cli["peak_mb"] < EXPORT_MEMORY_TARGET_MB)
    export_rows = "\n".join(
        [
            f"| `GET /portal/export.csv` (admin), serving worker | {export_http['rows']:,.0f} "
            f"| {export_http['seconds']:.0f} s | {export_http['worker_peak_mb']:.0f} MB peak "
            f"RSS, +{export_http['worker_growth_mb']:.0f} MB during the export | {http_ok} |",
            f"| `flask submissions export --format csv` under `/usr/bin/time -v` "
            f"| {export_cli['rows']:,.0f} | {export_cli['seconds']:.0f} s "
            f"| {export_cli['peak_mb']:.0f} MB max RSS (whole process) | {cli_ok} |",
        ]
    )
    host = machine()
    command = " ".join(
        ["gunicorn APP --bind 127.0.0.1:PORT", *GUNICORN_ARGS, *SERVER_ARGS, "--timeout 60"]
    )
    text = (
        f"""# Performance

Measured by `make bench` (bench/run.py) on {extra["date"]}. Re-run it after changes that touch
the wizard, the portal queue or the export; it rewrites this file.

## Requests per second, against a bare Flask app served the same way

Every server: `{command}` on loopback, PostgreSQL {host["postgresql"]} on the same machine,
{extra["submissions"]:,} synthetic submissions in the database (`flask dev seed`), CSRF on,
application logging at INFO. wrk: {WRK_THREADS} threads, {CONNECTIONS} connections (one per
worker thread), {extra["duration"]} s per page after a 2 s warm-up; every response checked
(no 4xx/5xx, no socket errors). `--reuse-port` gives each worker its own socket, so wrk's
keep-alive connections are spread over both workers by the kernel; without it a gthread
worker can accept all 16 and leave the other core idle.

{table}

What each request does:
- **content page**: a Markdown page in the site layout, served from each process's page
  cache (screening/public/page_cache.py: rendered once per page, language, clinic settings
  and content version; the content files are looked at again at most once a second).
- **step GET**: loads the draft by its session token (hash lookup), decrypts answers and
  progress, builds the section's form from the definition and renders it.
- **step POST**: the same, plus CSRF check, validation, encryption of answers and progress,
  an UPDATE in its own transaction and a redirect. {DRAFTS_FOR_POSTS} drafts, each with its own
  session and CSRF token, posted round-robin.
- **queue**: the clinician's session check (one query), the first page of 25 in queue order
  (one query), counts per category and status from the trigger-kept ledger (migration 0004),
  over {extra["submissions"]:,} rows.
- **submission page**: decrypts one submission and its notes and appends a
  `submission.viewed` event to the hash-chained audit trail (a write per view, serialised
  by an advisory lock); {SUBMISSION_PAGES} different submissions opened round-robin.

## The queue as submissions grow

One connection, first page, p50 latency (the lowest of three 3 s runs at each size):
**{queue_small.p50_ms:.1f} ms** at {SMALL_QUEUE:,}
submissions, **{queue_large.p50_ms:.1f} ms** at {extra["submissions"]:,}: ×{growth:.2f}
(target ≤ ×{QUEUE_GROWTH_TARGET}: {verdict(growth <= QUEUE_GROWTH_TARGET)}).

## CSV export of every submission

| how | rows | time | peak memory | target < {EXPORT_MEMORY_TARGET_MB} MB |
|---|---:|---:|---:|---|
{export_rows}

Both stream: rows are read in batches (`yield_per`) and written as they are decrypted, so
memory does not grow with the number of submissions. Overall: {verdict(memory_ok)}.

{analysis}## Seeding

{extra["submissions"]:,} submissions through the real triage, encryption and blind indexes:
{extra["seed_seconds"]:.0f} s ({extra["seed_processes"]} `flask dev seed` processes).

## Machine

| | |
|---|---|
"""
        + "\n".join(f"| {key} | {value} |" for key, value in host.items())
        + f"""
| whole bench run | {extra["total_seconds"] / 60:.1f} minutes |
| load average when it started | {extra["load"]} (other work on the machine lowers every figure) |
"""
    )
    output.write_text(text, encoding="utf-8")
    summary = [table, ""]
    summary.append(
        f"queue p50 {queue_small.p50_ms:.1f} ms at {SMALL_QUEUE:,} -> "
        f"{queue_large.p50_ms:.1f} ms at {extra['submissions']:,}: x{growth:.2f}"
    )
    summary.append(
        f"CSV export: endpoint worker +{export_http['worker_growth_mb']:.0f} MB "
        f"(peak {export_http['worker_peak_mb']:.0f} MB), CLI max RSS "
        f"{export_cli['peak_mb']:.0f} MB, {export_cli['rows']:,.0f} rows"
    )
    return "\n".join(summary)


# ---------------------------------------------------------------------------------------


def main() -> None:
    """Run the whole benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--seed-processes", type=int, default=2)
    parser.add_argument("--output", type=Path, default=PROJECT_DIR / "docs" / "PERFORMANCE.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk (make bench does this)")
    began = time.monotonic()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    work = WORK_DIR
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    instance = work / "instance"
    # The bench instance: rate limits off (it opens many drafts from one address).
    write_instance_config(instance, {"RATELIMIT_ENABLED": False})
    env = server_environment(
        database_url=DATABASE_URL,
        instance=instance,
        secret_key=secrets.token_urlsafe(48),
        encryption_keys=Fernet.generate_key().decode(),
        blind_key=secrets.token_urlsafe(32),
        audit_keys=secrets.token_urlsafe(32),
        LOG_LEVEL="INFO",
    )
    settings = {
        k: env[k]
        for k in (
            "DATABASE_URL",
            "SECRET_KEY",
            "ENCRYPTION_KEYS",
            "BLIND_INDEX_KEY",
            "AUDIT_KEYS",
            "THRESHOLD_INSTANCE_PATH",
        )
    }
    os.environ.update(settings)
    # Kept after the run so `python -m bench.profile` can open the same (synthetic) database.
    fd = os.open(work / "env.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(settings, handle)
    results: dict[str, Measurement] = {}

    log(f"recreating {DATABASE} and migrating")
    recreate_database()
    flask_cli(env, "db", "upgrade")
    app = create_app()
    _, admin_secret = create_clinician(
        app, email="bench.admin@example.org", name="Bench Admin", role="admin"
    )
    assert admin_secret
    small = min(SMALL_QUEUE, args.submissions)
    seed_seconds = seed(env, small, 1, first_seed=1)

    with ExitStack() as stack:
        threshold = GunicornServer(env, work / "threshold.log", extra_args=SERVER_ARGS)
        stack.callback(threshold.stop)
        threshold.start()
        staff_cookie = signed_in_cookie(app, threshold.url, "bench.admin@example.org", admin_secret)
        queue_file = write_requests(work / "queue.tsv", [("GET", "/portal/", staff_cookie, "")])
        log(f"queue at {small:,} submissions")
        queue_small = queue_latency(threshold.url, queue_file)

        remaining = args.submissions - small
        log(f"seeding {remaining:,} more submissions with {args.seed_processes} processes")
        seed_seconds += seed(env, remaining, args.seed_processes, first_seed=100)
        log(f"seeded {args.submissions:,} in {seed_seconds:.0f} s")
        log(f"machine quiet after {settle():.0f} s")

        hello_env = {**env, "PYTHONPATH": str(PROJECT_DIR)}
        hello = GunicornServer(
            hello_env, work / "hello.log", app_spec="bench.hello:app", extra_args=SERVER_ARGS
        )
        stack.callback(hello.stop)
        hello.start()
        log("bare Flask hello")
        results["hello"] = wrk(
            hello.url, write_requests(work / "hello.tsv", [("GET", "/", "", "")]), args.duration
        )
        hello.stop()

        log("content page")
        results["content"] = wrk(
            threshold.url,
            write_requests(work / "content.tsv", [("GET", "/what-is-kap", "", "")]),
            args.duration,
        )
        drafts = [draft_at_second_step(app, threshold.url) for _ in range(DRAFTS_FOR_POSTS)]
        log("wizard step GET")
        results["step_get"] = wrk(
            threshold.url,
            write_requests(
                work / "step-get.tsv",
                [("GET", "/screening/step/concerns", cookie, "") for cookie, _ in drafts],
            ),
            args.duration,
        )
        log("wizard step POST")
        results["step_post"] = wrk(
            threshold.url,
            write_requests(
                work / "step-post.tsv",
                [("POST", "/screening/step/about-you", cookie, body) for cookie, body in drafts],
            ),
            args.duration,
        )
        # A fresh sign-in: the first one may be near its idle limit after the seeding.
        staff_cookie = signed_in_cookie(app, threshold.url, "bench.admin@example.org", admin_secret)
        log(f"queue at {args.submissions:,} submissions")
        queue_file = write_requests(work / "queue.tsv", [("GET", "/portal/", staff_cookie, "")])
        queue_large = queue_latency(threshold.url, queue_file)
        results["queue"] = wrk(threshold.url, queue_file, args.duration)
        log("submission page")
        results["submission"] = wrk(
            threshold.url,
            write_requests(
                work / "submission.tsv",
                [
                    ("GET", f"/portal/s/{public_id}", staff_cookie, "")
                    for public_id in public_ids(app, SUBMISSION_PAGES)
                ],
            ),
            args.duration,
        )
        log("CSV export through the endpoint")
        export_http = export_through_endpoint(threshold, staff_cookie)
        threshold.stop()

    log("CSV export through the CLI")
    export_cli = export_through_cli(env, work / "export.csv")
    (work / "export.csv").unlink(missing_ok=True)
    app.extensions["db_engine"].dispose()

    summary = write_report(
        args.output,
        results,
        queue_small,
        queue_large,
        export_http,
        export_cli,
        {
            "date": datetime.now(UTC).strftime("%Y-%m-%d"),
            "submissions": args.submissions,
            "duration": args.duration,
            "seed_seconds": seed_seconds,
            "seed_processes": args.seed_processes,
            "total_seconds": time.monotonic() - began,
            "load": load,
        },
    )
    for leftover in work.glob("*.tsv"):
        leftover.unlink()  # they hold live session cookies
    print(summary)
    log(f"wrote {args.output} in {(time.monotonic() - began) / 60:.1f} minutes")


if __name__ == "__main__":
    main()
