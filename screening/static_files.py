"""Static file URLs that change when the file does.

nginx lets browsers keep static files for a week (DEPLOY.md): without this, a returning
visitor or clinician would keep the previous release's stylesheet and scripts for up to a week
after an upgrade. Every `url_for("static", ...)` gets `?v=` from the file's modification time
and size, read when the URL is built (one stat, no cache to go stale).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask


def init_app(app: Flask) -> None:
    """Add the version of the file to every static URL the app builds."""

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            values["v"] = file_version(app.static_folder or "", values["filename"])


def file_version(folder: str, filename: str) -> str:
    """A short token that changes whenever the file is replaced (empty when it is missing)."""
    try:
        found = os.stat(os.path.join(folder, filename))
    except OSError:
        return ""
    stamp = f"{found.st_mtime_ns}:{found.st_size}".encode()
    return hashlib.blake2s(stamp, digest_size=6).hexdigest()
