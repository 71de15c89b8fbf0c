"""The deployment of docs/DEPLOY.md on loopback: nginx with TLS, gunicorn, PostgreSQL, Redis.

nginx runs deploy/nginx/threshold.conf itself, with only the deployment-specific values
replaced (each replacement must match, so a rename in the file fails here instead of silently
in a deployment); gunicorn runs with the flags of DEPLOY.md section 3, read from the document.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from tests.scale.live import PROJECT_DIR, GunicornServer, free_port, stop_process_group

NGINX_CONF = PROJECT_DIR / "deploy" / "nginx" / "threshold.conf"
DEPLOY_DOC = PROJECT_DIR / "docs" / "DEPLOY.md"
DOC_BLOCK = re.compile(
    r"<!-- begin deploy/nginx/threshold\.conf -->\n```nginx\n(.*?)```\n"
    r"<!-- end deploy/nginx/threshold\.conf -->",
    re.DOTALL,
)
GUNICORN_BLOCK = re.compile(r"```sh\n(\.venv/bin/gunicorn wsgi:app \\\n.*?)```", re.DOTALL)
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
STARTUP_SECONDS = 15


def nginx_path() -> str | None:
    """Debian's nginx, wherever it is installed."""
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )


def documented_nginx_block() -> str:
    """The nginx configuration DEPLOY.md shows between its marker comments."""
    match = DOC_BLOCK.search(DEPLOY_DOC.read_text(encoding="utf-8"))
    assert match, "DEPLOY.md lost its deploy/nginx/threshold.conf markers"
    return match.group(1)


def documented_gunicorn_flags() -> list[str]:
    """The gunicorn command line of DEPLOY.md section 3, without the program and app."""
    match = GUNICORN_BLOCK.search(DEPLOY_DOC.read_text(encoding="utf-8"))
    assert match, "DEPLOY.md lost its gunicorn command"
    words = shlex.split(match.group(1).replace("\\\n", " "))
    assert words[:2] == [".venv/bin/gunicorn", "wsgi:app"], words[:2]
    return words[2:]


def replace_once(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace `old`, which must occur exactly `count` times."""
    found = text.count(old)
    assert found == count, f"expected {old!r} {count} time(s) in threshold.conf, found {found}"
    return text.replace(old, new)


@dataclass
class Site:
    """The deployment-specific values put into threshold.conf."""

    http_port: int
    https_port: int
    upstream_port: int
    certificate: Path
    certificate_key: Path
    access_log: Path
    server_name: str = "localhost"


def site_config(site: Site, text: str | None = None) -> str:
    """threshold.conf (or `text`) with this site's ports, name, certificate, upstream, paths."""
    text = NGINX_CONF.read_text(encoding="utf-8") if text is None else text
    text = replace_once(text, "listen 80;", f"listen 127.0.0.1:{site.http_port};")
    text = replace_once(text, "listen 443 ssl", f"listen 127.0.0.1:{site.https_port} ssl")
    text = replace_once(
        text, "server_name screening.example.org;", f"server_name {site.server_name};", count=2
    )
    text = replace_once(
        text,
        "/etc/letsencrypt/live/screening.example.org/fullchain.pem",
        str(site.certificate),
    )
    text = replace_once(
        text,
        "/etc/letsencrypt/live/screening.example.org/privkey.pem",
        str(site.certificate_key),
    )
    text = replace_once(text, "/var/log/nginx/threshold.access.log", str(site.access_log))
    text = replace_once(text, "alias /srv/threshold/app/static/;", f"alias {PROJECT_DIR}/static/;")
    return replace_once(
        text,
        "proxy_pass http://127.0.0.1:8000;",
        f"proxy_pass http://127.0.0.1:{site.upstream_port};",
    )


def nginx_main_config(folder: Path, site: Site) -> str:
    """The minimal frame nginx needs as a plain process: pid, temp paths and logs in `folder`."""
    # As root, nginx would hand its workers to `nobody`, who cannot enter pytest's tmp folders.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp_paths = "\n".join(
        f"    {name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"{temp_paths}\n"
        f"{site_config(site)}\n"
        "}\n"
    )


def self_signed_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """Make a one-day certificate and key for `name` with openssl."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return certificate, key


class Nginx:
    """nginx as a plain foreground process with a configuration in `folder`."""

    def __init__(self, folder: Path, site: Site) -> None:
        self.folder = folder
        self.site = site
        self.config = folder / "nginx.conf"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self, *extra: str) -> list[str]:
        """nginx with this prefix, configuration and error log."""
        binary = nginx_path()
        assert binary, "nginx is not installed"
        return [binary, "-p", str(self.folder), "-c", str(self.config), "-e",
                str(self.folder / "error.log"), *extra]  # fmt: skip

    def write_config(self) -> None:
        """Write the configuration and check it with `nginx -t`."""
        self.config.write_text(nginx_main_config(self.folder, self.site), encoding="utf-8")
        checked = subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, checked.stderr

    def start(self) -> Nginx:
        """Start nginx and wait until it accepts TLS connections."""
        self.write_config()
        with (self.folder / "nginx.out").open("ab") as out:
            self.process = subprocess.Popen(
                self.command("-g", "daemon off;"),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited early:\n{self.error_log()}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.site.https_port), timeout=1).close()
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not start:\n{self.error_log()}")

    def stop(self) -> None:
        """Stop nginx (fast shutdown); kill it if it does not stop."""
        if self.process is None:
            return
        process, self.process = self.process, None
        stop_process_group(process)

    def error_log(self) -> str:
        """What nginx wrote to its error log."""
        with contextlib.suppress(OSError):
            return (self.folder / "error.log").read_text(encoding="utf-8", errors="replace")
        return ""


class DeployedGunicorn(GunicornServer):
    """gunicorn with exactly the flags DEPLOY.md documents, bound to a free loopback port."""

    def command(self) -> list[str]:
        """DEPLOY.md's command line, with --bind moved to this server's port."""
        flags = documented_gunicorn_flags()
        bind = flags.index("--bind")
        flags[bind + 1] = f"127.0.0.1:{self.port}"
        return [sys.executable, "-m", "gunicorn", self.app_spec, *flags]


def create_database(name: str) -> str:
    """Create an empty PostgreSQL database; return the app's URL for it."""
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))  # fmt: skip
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    """Drop a database this suite created, closing whatever still connects to it."""
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))  # fmt: skip


def flask_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `flask --app wsgi ...` as a deployer does; return its output."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=PROJECT_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def three_free_ports() -> tuple[int, int, int]:
    """Three different free loopback ports (nginx plain HTTP, nginx HTTPS, gunicorn)."""
    ports: set[int] = set()
    while len(ports) < 3:
        ports.add(free_port())
    http, https, upstream = sorted(ports)
    return http, https, upstream
