"""Security headers on every response, and no-store on pages with health information."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

# Blueprints whose every page collects or shows health information.
NO_STORE_BLUEPRINTS = frozenset({"intake", "portal", "auth", "admin"})

# `same-origin`: our own pages get the full Referer, which Flask-WTF's HTTPS check
# (WTF_CSRF_SSL_STRICT) needs; other sites get nothing, not even the clinic's origin.
REFERRER_POLICY = "same-origin"
# Endpoints whose URL holds a bearer token (a resume link): no Referer at all, not even to us,
# so the token is never carried onward (the redirect they answer with included).
NO_REFERRER_ENDPOINTS = frozenset({"intake.resume", "portal.calendar_feed"})


def apply_headers(response: Response, *, production: bool) -> Response:
    """Set the headers that every response carries."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    if request.endpoint in NO_REFERRER_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
    else:
        response.headers["Referrer-Policy"] = REFERRER_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if production:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.blueprint in NO_STORE_BLUEPRINTS:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    production = bool(app.config.get("PRODUCTION"))

    @app.after_request
    def security_headers(response: Response) -> Response:
        return apply_headers(response, production=production)
