"""Friendly error pages with a reference id; no stack trace ever reaches a browser."""

from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    """Return the title and explanation for each status we render specially."""
    return {
        400: (_("Something was wrong with that request"), _("Please go back and try again.")),
        403: (_("You do not have access to this page"), _("Please sign in or go back.")),
        404: (_("We could not find that page"), _("The address may be mistyped or out of date.")),
        405: (_("That action is not allowed here"), _("Please go back and try again.")),
        413: (
            _("That was more than we can accept"),
            _("Please shorten your answers and try again."),
        ),
        429: (
            _("Too many attempts"),
            _("Please wait a few minutes and try again."),
        ),
        503: (
            _("We are having a temporary problem"),
            _("Nothing you saved earlier is lost. Please try again in a few minutes."),
        ),
    }


def render_error(status: int) -> tuple[str, int]:
    """Render the error page for a status code."""
    title, detail = _messages().get(
        status,
        (_("Something went wrong on our side"), _("Please try again in a few minutes.")),
    )
    reference = g.get("request_id", "-")
    return (
        render_template(
            "errors/error.html", status=status, title=title, detail=detail, reference=reference
        ),
        status,
    )


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, database outages and anything unexpected."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.code and error.code < 400:
            return error
        return render_error(error.code or 500)

    # A pool timeout (every connection busy) is an outage for the person waiting, too.
    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error: OperationalError | PoolTimeout):  # type: ignore[no-untyped-def]
        log.error(
            "database unavailable id=%s endpoint=%s: %s",
            g.get("request_id", "-"),
            request.endpoint,
            type(getattr(error, "orig", error)).__name__,
        )
        return render_error(ServiceUnavailable.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):  # type: ignore[no-untyped-def]
        log.exception(
            "unhandled error id=%s endpoint=%s", g.get("request_id", "-"), request.endpoint
        )
        return render_error(InternalServerError.code)
