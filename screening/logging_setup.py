"""Logging that carries request ids and outcomes, and never health information or tokens."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request
from flask.logging import default_handler

log = logging.getLogger("screening.request")

# Bearer tokens travel in these paths; access logs must not keep them.
TOKEN_IN_PATH = re.compile(r"(/resume/|/calendar/)[^\s?/\"]+")


class RedactTokens(logging.Filter):
    """Replace resume tokens in log messages (e.g. the development server's access log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the formatted message without the token."""
        message = record.getMessage()
        if "/resume/" in message or "/calendar/" in message:
            record.msg = TOKEN_IN_PATH.sub(r"\1[redacted]", message)
            record.args = None
        return True


def init_logging(app: Flask) -> None:
    """Set levels, redact access logs and log one line per request by endpoint, not path."""
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    package_logger = logging.getLogger("screening")
    package_logger.setLevel(level)
    if not package_logger.handlers:
        # Under gunicorn nothing else gives this logger a handler, and Python's last-resort
        # handler drops everything below WARNING: the request lines would be lost. Flask's
        # handler writes to the server's error stream (stderr, so journald under systemd).
        package_logger.addHandler(default_handler)
    # Flask-Limiter warns here when Redis stops answering and it falls back to memory; like
    # ours, its logger has no handler under gunicorn, and the warning must reach the log.
    limiter_logger = logging.getLogger("flask-limiter")
    if default_handler not in limiter_logger.handlers:
        limiter_logger.addHandler(default_handler)
    logging.getLogger("werkzeug").addFilter(RedactTokens())

    @app.before_request
    def start_timer() -> None:
        g.request_id = uuid.uuid4().hex[:12]
        g.request_started = time.perf_counter()

    @app.after_request
    def log_outcome(response):  # type: ignore[no-untyped-def]
        started = g.get("request_started")
        elapsed_ms = (time.perf_counter() - started) * 1000 if started else 0.0
        # The endpoint name, never the path or query: paths can hold tokens.
        log.info(
            "request id=%s method=%s endpoint=%s status=%s ms=%.1f",
            g.get("request_id", "-"),
            request.method,
            request.endpoint or "-",
            response.status_code,
            elapsed_ms,
        )
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        return response
