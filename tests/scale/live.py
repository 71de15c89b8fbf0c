"""Real servers for the scale tests and the benchmark: gunicorn on loopback, and a person
driving the wizard over HTTP with a cookie jar.

    with GunicornServer(env, tmp_path / "a.log") as server:
        person = HttpPerson(app, server.url)
        person.start()
        ...

`GunicornServer` always stops its process group, even when the test fails; its log is kept in
a file so a failure can show what the server said. `require_service` fails under CI=true and
skips elsewhere when PostgreSQL, Redis or gunicorn is missing (the tests/browser pattern).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from tests.intake.wizard_driver import STEP_PREFIX, consent_formdata, section_formdata

PROJECT_DIR = Path(__file__).resolve().parents[2]
POSTGRES_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379"
# One deployment shape for every live test and the benchmark: 2 workers × 8 threads.
# As docs/DEPLOY.md recommends. Without --no-control-socket every instance a test starts
# would bind the same control socket path (~/.gunicorn/gunicorn.ctl).
GUNICORN_ARGS = (
    "--workers",
    "2",
    "--worker-class",
    "gthread",
    "--threads",
    "8",
    "--no-control-socket",
)
STARTUP_SECONDS = 30
REQUEST_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
# One TLS context for every person: building one loads the CA bundle, 31 ms of CPU each time,
# which was 12 s of the two 200-at-once runs. (The servers here speak plain HTTP.)
TLS_CONTEXT = httpx.create_ssl_context()


def in_ci() -> bool:
    """Whether this run is CI, where a missing service is a failure, not a skip."""
    return os.environ.get("CI", "").lower() == "true"


def require_service(available: bool, what: str) -> None:
    """Fail in CI, skip elsewhere, when a service a test needs is not there."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available")


def postgres_available() -> bool:
    """Whether the local PostgreSQL server accepts connections."""
    return _port_open("127.0.0.1", 5432)


def redis_available() -> bool:
    """Whether the local Redis answers PING."""
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except Exception:
        return False


def gunicorn_available() -> bool:
    """Whether gunicorn is installed in this interpreter's environment."""
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def _port_open(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=2):
        return True
    return False


def free_port() -> int:
    """Return a loopback port nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started in its own process group (SIGTERM, then SIGKILL after 10 s)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def write_instance_config(instance: Path, settings: dict[str, Any]) -> Path:
    """Write settings the environment cannot carry (booleans, limits) as instance/config.py."""
    instance.mkdir(parents=True, exist_ok=True)
    lines = [f"{name} = {value!r}" for name, value in settings.items()]
    path = instance / "config.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def server_environment(
    *,
    database_url: str,
    instance: Path,
    secret_key: str,
    encryption_keys: str,
    blind_key: str,
    audit_keys: str,
    **extra: str,
) -> dict[str, str]:
    """Build the environment a gunicorn instance is started with."""
    env = {
        key: value
        for key, value in os.environ.items()
        # A parent test process's settings must not leak into the server.
        if key not in {"TEST_DATABASE_URL", "FLASK_DEBUG"}
    }
    env.update(
        {
            "THRESHOLD_ENV": "development",
            "THRESHOLD_INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret_key,
            "ENCRYPTION_KEYS": encryption_keys,
            "BLIND_INDEX_KEY": blind_key,
            "AUDIT_KEYS": audit_keys,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


class GunicornServer:
    """A gunicorn process serving `app_spec` on a loopback port, stopped on exit."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        *,
        app_spec: str = "wsgi:app",
        port: int | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.app_spec = app_spec
        self.port = port or free_port()
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        """The command line (shown in the benchmark report too)."""
        return [
            sys.executable,
            "-m",
            "gunicorn",
            self.app_spec,
            "--bind",
            f"127.0.0.1:{self.port}",
            *GUNICORN_ARGS,
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            *self.extra_args,
        ]

    def start(self, health_path: str = "/healthz") -> GunicornServer:
        """Start the server and wait until `health_path` answers 200."""
        return self.launch().wait_until_healthy(health_path)

    def launch(self) -> GunicornServer:
        """Start the server process without waiting for it (several then load at once)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends the workers too
            )
        return self

    def wait_until_healthy(self, health_path: str = "/healthz") -> GunicornServer:
        """Wait until the launched server's `health_path` answers 200."""
        assert self.process is not None, "launch() the server first"
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + health_path, timeout=2).status_code == 200:
                    return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"gunicorn did not become healthy:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes (children of the arbiter)."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in children.read_text().split()]
        return []

    def stop(self) -> None:
        """Stop the arbiter and its workers; kill them if they do not stop in time."""
        if self.process is None:
            return
        process, self.process = self.process, None
        stop_process_group(process)

    def log_tail(self, lines: int = 80) -> str:
        """The last lines the server logged."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        """Everything the server logged so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> GunicornServer:
        return self.start() if self.process is None else self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.stop()


class RetryStaleKeepAlive(httpx.HTTPTransport):
    """Send a request again, once, when a reused keep-alive connection closed unanswered.

    gunicorn closes an idle keep-alive connection after its `--keep-alive` seconds; a request
    the client writes on it at that same moment gets no response at all: the connection
    closes ("Server disconnected without sending a response") or, when the request was
    already in the server's socket buffer, is reset ("Connection reset by peer"). The server
    never handled it. A browser does not show this to the person: Chromium resends a request
    once when a reused connection closes or resets before the response headers arrive
    (HttpNetworkTransaction::ShouldResendRequest), and nginx (docs/DEPLOY.md) opens a new
    upstream connection per request, so gunicorn behind it never meets the race. This
    transport does what Chromium does, and only that: on a fresh connection, after response
    headers, or for any other error, the failure still fails the test.
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`; resend it once if a reused connection closed before answering."""
        events: list[str] = []

        def trace(event: str, _info: dict[str, Any]) -> None:
            events.append(event)

        request.extensions = {**request.extensions, "trace": trace}
        try:
            return super().handle_request(request)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            # httpcore reports connection.connect_tcp.* only when it opens a new connection.
            reused = not any(event.startswith("connection.connect_tcp.") for event in events)
            answered = "http11.receive_response_headers.complete" in events
            closed_unanswered = not isinstance(error, httpx.RemoteProtocolError) or (
                "without sending a response" in str(error)
            )
            if not reused or answered or not closed_unanswered:
                raise
        request.extensions = {k: v for k, v in request.extensions.items() if k != "trace"}
        return super().handle_request(request)


def path_of(response: httpx.Response) -> str:
    """The path a redirect points at."""
    return urlsplit(response.headers["location"]).path


class WizardError(AssertionError):
    """The server answered a step in a way a person could not continue from."""


class HttpPerson:
    """One person with their own browser (cookie jar) going through the wizard over HTTP.

    `base_urls` may name several instances: each request goes to the next one in turn, which
    is what a load balancer without sticky sessions does.
    """

    def __init__(self, app: Flask, *base_urls: str) -> None:
        self.app = app
        self.base_urls = list(base_urls)
        self._turn = 0
        self.client = httpx.Client(
            timeout=REQUEST_TIMEOUT,
            follow_redirects=False,
            transport=RetryStaleKeepAlive(verify=TLS_CONTEXT),
        )
        self.csrf_token: str | None = None
        self.statuses: list[int] = []

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    def url(self, path: str) -> str:
        """The absolute URL of `path` on the instance whose turn it is."""
        base = self.base_urls[self._turn % len(self.base_urls)]
        self._turn += 1
        return base + path

    def get(self, path: str) -> httpx.Response:
        """GET a page, remembering the form's CSRF token when there is one."""
        response = self.client.get(self.url(path))
        self._note(response)
        return response

    def post(self, path: str, data: MultiDict | dict[str, Any] | None = None) -> httpx.Response:
        """POST a form (with the CSRF token last seen) as a browser would."""
        fields = list(MultiDict(data or {}).items(multi=True))
        if self.csrf_token and not any(name == "csrf_token" for name, _ in fields):
            fields.append(("csrf_token", self.csrf_token))
        body = httpx.QueryParams(fields)
        response = self.client.post(
            self.url(path),
            content=str(body).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        self._note(response)
        return response

    def _note(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)
        if "text/html" in response.headers.get("content-type", ""):
            match = CSRF_FIELD.search(response.text)
            if match:
                self.csrf_token = match.group(1)

    def expect_redirect(self, response: httpx.Response, what: str) -> str:
        """Return where a 302 points, or fail saying what the server answered instead."""
        if response.status_code != 302:
            raise WizardError(
                f"{what}: expected 302, got {response.status_code}: {response.text[:500]}"
            )
        return path_of(response)

    def start(self) -> str:
        """Open the intro (for a CSRF token), start a screening; return the first step path."""
        intro = self.get("/screening/")
        if intro.status_code != 200:
            raise WizardError(f"intro answered {intro.status_code}")
        return self.expect_redirect(self.post("/screening/start"), "start")

    def answer_steps(self, answers: dict[str, Any], path: str, *, read_pages: bool = True) -> str:
        """Answer each step from `answers` until the wizard leaves the steps; return where.

        With `read_pages` every step is fetched before it is posted, like a browser following
        the redirect; without, only the POSTs are sent.
        """
        for _ in range(40):
            if not path.startswith(STEP_PREFIX):
                return path
            if read_pages:
                page = self.get(path)
                if page.status_code != 200:
                    raise WizardError(f"GET {path} answered {page.status_code}")
                if "Continue with the screening" in page.text:
                    path = self.expect_redirect(self.post(f"{path}/continue"), "crisis continue")
                    continue
            section_id = path.removeprefix(STEP_PREFIX)
            data = section_formdata(self.app, section_id, answers)
            path = self.expect_redirect(self.post(path, data), f"POST {path}")
        raise WizardError("the wizard did not finish in 40 steps")

    def submit(self, name: str = "Alex Rivera") -> httpx.Response:
        """Read the review page and send the screening with consent."""
        review = self.get("/screening/review")
        if review.status_code != 200:
            raise WizardError(f"review answered {review.status_code}")
        return self.post("/screening/review", consent_formdata(self.app, name))

    def complete(self, answers: dict[str, Any], *, read_pages: bool = True) -> httpx.Response:
        """Go from the intro to the submit response (a 302 to /screening/done on success)."""
        path = self.answer_steps(answers, self.start(), read_pages=read_pages)
        if path != "/screening/review":
            raise WizardError(f"the steps ended at {path}, not the review page")
        return self.submit(str(answers.get("full-name", "Alex Rivera")))


def wait_for(check: Any, seconds: float, what: str) -> None:
    """Poll `check()` until it is true, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


def pg_cluster_version() -> str:
    """The Debian PostgreSQL cluster version (the one directory in /etc/postgresql)."""
    versions = sorted(os.listdir("/etc/postgresql"))
    if len(versions) != 1:
        raise RuntimeError(f"expected one PostgreSQL version in /etc/postgresql, got {versions}")
    return versions[0]


def pg_ctlcluster(action: str, *args: str) -> None:
    """Start or stop the local cluster the way Debian does (without systemd)."""
    tool = shutil.which("pg_ctlcluster") or "/usr/bin/pg_ctlcluster"
    subprocess.run(
        [tool, "--skip-systemctl-redirect", pg_cluster_version(), "main", action, *args],
        check=True,
        capture_output=True,
        timeout=60,
    )
