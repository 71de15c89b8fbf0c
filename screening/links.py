"""Absolute links for pages and emails, always on PUBLIC_BASE_URL.

Never built from the request's Host or X-Forwarded-Host: those are whatever the client sent,
and a link a person copies (a resume link) or a clinician clicks (a notice) must not point at
a host an attacker chose.
"""

from __future__ import annotations

from typing import Any


def public_url(config: Any, path: str) -> str:
    """Return `path` (e.g. from url_for) as an absolute URL on PUBLIC_BASE_URL."""
    return str(config["PUBLIC_BASE_URL"]).rstrip("/") + "/" + path.lstrip("/")
