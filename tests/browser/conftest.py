"""Browser tests: the real app served on loopback, driven in Debian's Chromium by Playwright.

Playwright's own browser download does not work here, so the system Chromium is used. With
CI=true a missing Chromium fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from screening.config import PACKAGE_DIR
from screening.questionnaire.model import Questionnaire, load_definition
from tests.conftest import make_app

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


def chromium_path() -> str:
    """Find Debian's Chromium, failing in CI and skipping elsewhere when it is missing."""
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("Chromium is required in CI (apt-get install chromium)")
    pytest.skip("Chromium is not installed")


@pytest.fixture
def live_server(tmp_path: Path, database_url: str) -> Iterator[str]:
    """Serve a migrated app on a free loopback port; yield its base URL."""
    app = make_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch one headless Chromium for the session."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser context and page at phone width."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    tab = context.new_page()
    yield tab
    context.close()


def screenshot(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot for a person to look at (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def definition() -> Questionnaire:
    """Load the shipped questionnaire definition."""
    return load_definition(PACKAGE_DIR / "questionnaire" / "data" / "intake.yaml")
