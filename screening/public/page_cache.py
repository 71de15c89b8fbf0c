"""Whole public pages, rendered once per language and content version instead of per request.

A content page is the same for everyone who asks for it in the same language: the layout,
the navigation and the Markdown only change when a clinic edits a file or its settings. So the
finished HTML is kept per (page, language, settings, content version) in this process, and the
layout is rendered again only when one of those changes.

The content version is the modification time of every file a page or the menu could come from.
Checking it costs about 40 `stat` calls, so each process does it at most once every
``CONTENT_RECHECK_SECONDS`` (default 1 s): an edited page shows within a second. Nothing about a
person is cached: requests that carry a query string or a flashed message are rendered as usual.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path

from screening.public.content import PAGES, candidate_files

# Entries: pages (10) × languages × settings; a new content version empties the cache.
MAX_ENTRIES = 256


class PageCache:
    """Rendered pages of one app, thread-safe, emptied whenever the content files change."""

    def __init__(self, package_dir: Path, recheck_seconds: float) -> None:
        self.package_dir = package_dir
        self.recheck_seconds = recheck_seconds
        self._pages: dict[Hashable, str] = {}
        self._versions: dict[tuple[str, str | None], tuple[float, tuple[int, ...]]] = {}
        self._lock = threading.Lock()

    def page(
        self, key: Hashable, lang: str, override_dir: str | None, render: Callable[[], str]
    ) -> str:
        """Return the cached HTML for `key`, calling `render` when it is missing or stale."""
        full_key = (key, lang, override_dir, self.content_version(lang, override_dir))
        html = self._pages.get(full_key)
        if html is None:
            html = render()
            with self._lock:
                if len(self._pages) >= MAX_ENTRIES:
                    self._pages.clear()
                self._pages[full_key] = html
        return html

    def content_version(self, lang: str, override_dir: str | None) -> tuple[int, ...]:
        """The files' modification times, looked at again once `recheck_seconds` have passed."""
        now = time.monotonic()
        checked = self._versions.get((lang, override_dir))
        if checked is not None and now - checked[0] < self.recheck_seconds:
            return checked[1]
        version = tuple(
            _mtime_ns(path)
            for slug in PAGES
            for path, _ in candidate_files(slug, lang, self.package_dir, override_dir)
        )
        with self._lock:
            if checked is not None and checked[1] != version:
                # Old versions can never be asked for again: free them.
                self._pages = {
                    k: v
                    for k, v in self._pages.items()
                    if (k[1], k[2]) != (lang, override_dir) or k[3] == version
                }
            self._versions[(lang, override_dir)] = (now, version)
        return version


def _mtime_ns(path: Path) -> int:
    """The file's modification time, or -1 when it does not exist."""
    try:
        return os.stat(path).st_mtime_ns
    except (FileNotFoundError, NotADirectoryError):
        return -1
