"""`make bench-scale`: the clinician queue's first page at 1,000 and at 1,000,000 submissions on
PostgreSQL, and the peak memory of the CSV export of all of them.

1. its own database (`threshold_bench_scale`) recreated, 1,000 submissions seeded, the
   queue's p50 measured (one connection, the lowest of three 3 s wrk runs);
2. the rest seeded with two `flask dev seed` processes (timed), the queue measured again;
3. the export of every submission through `GET /portal/export.csv` (the serving worker's peak
   RSS growth) and through `flask submissions export` (its max RSS under /usr/bin/time -v);
4. the figures printed and written as the last section of docs/PERFORMANCE.md (replacing an
   earlier one).

    python -m bench.scale [--submissions 1000000] [--output docs/PERFORMANCE.md]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.common import (
    DATABASE as BENCH_DATABASE,
)
from bench.common import (
    SERVER_ARGS,
    Measurement,
    log,
    prepare,
    seed,
    settle,
    verdict,
    write_requests,
    wrk,
)
from bench.run import SCALE_HEADING
from tests.scale.live import PROJECT_DIR, GunicornServer

# Its own database and folder, so that `make bench` can run meanwhile without touching them.
DATABASE = f"{BENCH_DATABASE}_scale"
WORK_DIR = Path(tempfile.gettempdir()) / DATABASE
SMALL_QUEUE = 1_000
QUEUE_GROWTH_TARGET = 1.5
EXPORT_MEMORY_TARGET_MB = 150


def queue_latency(base_url: str, requests_file: Path, runs: int = 3) -> Measurement:
    """One connection's queue latency: the run with the lowest p50 of `runs` 3-second runs.

    The growth figure divides two of these taken minutes apart; the quietest run of each is
    the one least disturbed by what else the machine was doing."""
    found = [wrk(base_url, requests_file, 3, connections=1, threads=1) for _ in range(runs)]
    return min(found, key=lambda measured: measured.p50_ms)


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
        timeout=httpx.Timeout(3600.0, connect=10.0),
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
        "seconds": seconds,
        "peak_mb": proc_kb(busiest, "VmHWM") / 1024,
        "growth_mb": growth[busiest] / 1024,
    }


def export_through_cli(env: dict[str, str], target: Path) -> dict[str, float]:
    """Run the CLI export under /usr/bin/time -v; return its peak RSS and time."""
    time_tool = shutil.which("time") or "/usr/bin/time"
    started = time.monotonic()
    export = ["submissions", "export", "--format", "csv", "--output", str(target)]
    result = subprocess_run(
        [time_tool, "-v", sys.executable, "-m", "flask", "--app", "wsgi", *export], env
    )
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result)
    exported = re.search(r"Exported (\d+) screenings", result)
    return {
        "rows": int(exported.group(1)) if exported else -1,
        "seconds": time.monotonic() - started,
        "peak_mb": int(match.group(1)) / 1024 if match else -1,
    }


def subprocess_run(command: list[str], env: dict[str, str]) -> str:
    """Run a command in the project; return its stderr, or fail with its tail."""
    result = subprocess.run(  # noqa: S603 - /usr/bin/time and our own interpreter
        command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{command[2:]} failed:\n{result.stderr[-3000:]}")
    return result.stderr


def section(figures: dict[str, float], load: str) -> str:
    """The Markdown section with this run's figures."""
    growth = figures["queue_large"] / figures["queue_small"]
    queue_ok = verdict(growth <= QUEUE_GROWTH_TARGET)
    http, cli = figures["http_growth_mb"], figures["cli_peak_mb"]
    count = int(figures["submissions"])
    return f"""{SCALE_HEADING}

Measured by `make bench-scale` (bench/scale.py) on {datetime.now(UTC).strftime("%Y-%m-%d")}, load
average {load} when it started (other work on the machine slows every figure).

- **Seeding** {count:,} submissions: {figures["seed_seconds"] / 60:.1f} minutes (two
  `flask dev seed` processes, COPY per batch of 5,000).
- **Queue, first page**, one connection, p50 (the lowest of three 3 s runs):
  {figures["queue_small"]:.1f} ms at {SMALL_QUEUE:,} submissions, {figures["queue_large"]:.1f} ms at
  {count:,}: ×{growth:.2f} (target ≤ ×{QUEUE_GROWTH_TARGET}: {queue_ok}).
- **CSV export of all {count:,}**, target under {EXPORT_MEMORY_TARGET_MB} MB:
  `GET /portal/export.csv` {figures["http_rows"]:,.0f} rows in {figures["http_seconds"]:.0f} s,
  serving worker +{http:.0f} MB during the export (peak RSS {figures["http_peak_mb"]:.0f} MB):
  {verdict(http < EXPORT_MEMORY_TARGET_MB)}; `flask submissions export --format csv`
  {figures["cli_rows"]:,.0f} rows in {figures["cli_seconds"]:.0f} s, max RSS {cli:.0f} MB (whole
  process): {verdict(cli < EXPORT_MEMORY_TARGET_MB)}.
"""


def write_section(output: Path, text: str) -> None:
    """Replace (or add) the scale section at the end of docs/PERFORMANCE.md."""
    previous = output.read_text(encoding="utf-8") if output.exists() else "# Performance\n"
    if SCALE_HEADING in previous:
        previous = previous[: previous.index(SCALE_HEADING)]
    output.write_text(previous.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> None:
    """Run the scale benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--seed-processes", type=int, default=2)
    parser.add_argument("--output", type=Path, default=PROJECT_DIR / "docs" / "PERFORMANCE.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk (make bench-scale does this)")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    bench = prepare(DATABASE, WORK_DIR)
    figures: dict[str, float] = {"submissions": args.submissions}
    small = min(SMALL_QUEUE, args.submissions)
    seed_seconds = seed(bench.env, small, 1, first_seed=1)
    with ExitStack() as stack:
        server = GunicornServer(bench.env, WORK_DIR / "threshold.log", extra_args=SERVER_ARGS)
        stack.callback(server.stop)
        server.start()
        queue = write_requests(
            WORK_DIR / "queue.tsv", [("GET", "/portal/", bench.staff_cookie(server.url), "")]
        )
        log(f"queue at {small:,} submissions")
        figures["queue_small"] = queue_latency(server.url, queue).p50_ms
        log(f"queue p50 {figures['queue_small']:.1f} ms")

        remaining = args.submissions - small
        log(f"seeding {remaining:,} more with {args.seed_processes} processes")
        seed_seconds += seed(bench.env, remaining, args.seed_processes, first_seed=100)
        figures["seed_seconds"] = seed_seconds
        log(f"seeded {args.submissions:,} in {seed_seconds:.0f} s; quiet after {settle():.0f} s")
        # A fresh sign-in: the first one may be past its idle limit after the seeding.
        cookie = bench.staff_cookie(server.url)
        queue = write_requests(WORK_DIR / "queue.tsv", [("GET", "/portal/", cookie, "")])
        log(f"queue at {args.submissions:,} submissions")
        figures["queue_large"] = queue_latency(server.url, queue).p50_ms
        log(f"queue p50 {figures['queue_large']:.1f} ms")
        log("CSV export through the endpoint")
        http = export_through_endpoint(server, cookie)
        figures.update({f"http_{key}": value for key, value in http.items()})
        log(f"endpoint export {http}")
        server.stop()
    (WORK_DIR / "queue.tsv").unlink()  # it holds a live session cookie
    log("CSV export through the CLI")
    cli = export_through_cli(bench.env, WORK_DIR / "export.csv")
    (WORK_DIR / "export.csv").unlink(missing_ok=True)
    figures.update({f"cli_{key}": value for key, value in cli.items()})
    bench.app.extensions["db_engine"].dispose()
    text = section(figures, load)
    write_section(args.output, text)
    print(text)


if __name__ == "__main__":
    main()
