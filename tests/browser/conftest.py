"""Browser tests: the real app served on loopback, driven in Debian's Chromium by Playwright.

Playwright's own browser download does not work here, so the system Chromium is used. With
CI=true a missing Chromium fails the run instead of skipping it. Screenshots (and the print
view's PDF) are for a person to look at and assert nothing: they are taken only under
`make screenshots` (SCREENSHOTS=1), into tests/browser/screenshots/.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from screening.config import PACKAGE_DIR
from screening.questionnaire.model import Questionnaire, load_definition
from tests.conftest import CREATED_APPS, make_app

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
# Each full-page screenshot costs a quarter of a second: a CI run takes none.
TAKE_SCREENSHOTS = os.environ.get("SCREENSHOTS") == "1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390px", "1280px"])


# Debian's Chromium builds, the headless shell first: it is what Playwright itself runs for
# headless tests, without the full browser's window machinery (which once hung for good
# closing a context, see close_contexts), and it runs these tests a fifth faster here.
CHROMIUM_BUILDS = ("chromium-headless-shell", "chromium")


def chromium_path() -> str:
    """Find Debian's Chromium, failing in CI and skipping elsewhere when it is missing."""
    installed = [path for path in map(shutil.which, CHROMIUM_BUILDS) if path]
    found = os.environ.get("CHROMIUM_PATH") or next(iter(installed), None)
    if found:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("Chromium is required in CI (apt-get install chromium-headless-shell)")
    pytest.skip("Chromium is not installed")


@dataclass
class LiveApp:
    """A served app: its base URL and the app object, for seeding data through services."""

    url: str
    app: Flask


@pytest.fixture(scope="module")
def live_app_config() -> dict[str, object]:
    """Settings of a module's live app beyond the tests' own: a module overrides this."""
    return {}


@pytest.fixture(scope="module")
def live_app(
    tmp_path_factory: pytest.TempPathFactory,
    module_database_url: str,
    live_app_config: dict[str, object],
) -> Iterator[LiveApp]:
    """Serve one migrated app (CSRF on) for a whole test module; yield its URL and app."""
    folder = tmp_path_factory.mktemp("live")
    app = make_app(folder, module_database_url, WTF_CSRF_ENABLED=True, **live_app_config)
    # It outlives each test: dispose of its pool at the end of the module, not of the test.
    CREATED_APPS.remove(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Links in pages (resume links) are built from PUBLIC_BASE_URL: this server's address.
    app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveApp(app.config["PUBLIC_BASE_URL"], app)
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session", autouse=True)
def axe_page_list() -> Iterator[None]:
    """At the end of the run, list every page axe-core checked (git-ignored folder)."""
    yield
    from tests.browser.checks import AXE_CHECKED

    if AXE_CHECKED:
        SCREENSHOTS.mkdir(exist_ok=True)
        listing = "\n".join(AXE_CHECKED)
        (SCREENSHOTS / "axe-pages.txt").write_text(f"{len(AXE_CHECKED)} pages\n{listing}\n")


@pytest.fixture
def phone(browser) -> Iterator[Callable[..., Any]]:  # type: ignore[no-untyped-def]
    """Open tabs the way a person on a phone meets the site: each in its own context at phone
    width, en-US, with JavaScript unless `javascript=False`; other options (a signed-in
    `storage_state`) pass through. A step that hangs fails in 5 s; all close after the test.
    """
    contexts = []

    def open_tab(*, javascript: bool = True, **options: Any):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            viewport=PHONE, locale="en-US", java_script_enabled=javascript, **options
        )
        context.set_default_timeout(5000)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    close_contexts(contexts)


@pytest.fixture
def device(browser) -> Iterator[Callable[..., Any]]:  # type: ignore[no-untyped-def]
    """Open a browser of its own (a device) at a given size; other options (a signed-in
    `storage_state`) pass through; all close after the test."""
    contexts = []

    def open_device(size: dict[str, int], *, javascript: bool = True, **options: Any):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            viewport=size,
            locale="en-US",
            java_script_enabled=javascript,
            permissions=["clipboard-read", "clipboard-write"] if javascript else [],
            **options,
        )
        context.set_default_timeout(5000)
        contexts.append(context)
        return context

    yield open_device
    close_contexts(contexts)


def close_contexts(contexts: list[Any]) -> None:
    """Close each context once its pages have loaded: Chromium can hang for good disposing of
    a context whose page is still navigating (a test that ends on a click that navigates)."""
    for context in contexts:
        for tab in context.pages:
            # Closed or stuck: closing the context is all that is left.
            with contextlib.suppress(PlaywrightError):
                tab.wait_for_load_state("load")
        context.close()


@pytest.fixture
def page(phone) -> object:  # type: ignore[no-untyped-def]
    """A fresh phone-width page with JavaScript."""
    return phone()


def screenshot(tab, name: str, *, desktop: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Under `make screenshots`, save `name`-<width>.png of the whole page, and at desktop
    width too when asked."""
    if not TAKE_SCREENSHOTS:
        return
    SCREENSHOTS.mkdir(exist_ok=True)
    width = tab.viewport_size["width"]
    tab.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    if desktop:
        original = tab.viewport_size
        tab.set_viewport_size(DESKTOP)
        tab.screenshot(path=str(SCREENSHOTS / f"{name}-{DESKTOP['width']}.png"), full_page=True)
        tab.set_viewport_size(original)


@functools.cache
def definition() -> Questionnaire:
    """Load the shipped questionnaire definition (once: every step of a walk asks for it)."""
    return load_definition(PACKAGE_DIR / "questionnaire" / "data" / "intake.yaml")


@dataclass
class Staff:
    """Accounts and screenings seeded into a live app for the portal pages."""

    admin_email: str
    admin_secret: str
    newcomer_email: str
    newcomer_id: int
    urgent_id: str
    routine_id: str
    spanish_id: str


@pytest.fixture(scope="module")
def staff(live_app: LiveApp) -> Staff:
    """Create an admin, a clinician still to set up 2FA, and three submitted screenings."""
    from tests.factories import make_submission
    from tests.portal_helpers import create_clinician
    from tests.questionnaire.factories import SEVERAL_DAYS

    app = live_app.app
    _, secret = create_clinician(app, email="ada@example.org", name="Ada Admin", role="admin")
    newcomer_id, _ = create_clinician(
        app, email="newcomer@example.org", name="Noor Newcomer", enrolled=False
    )
    assert secret
    urgent = make_submission(
        app,
        full_name="Jordan Urgent-Example",
        voicemail_ok=False,
        **{
            "phq9-9": SEVERAL_DAYS,
            "safety-thoughts-now": True,
            "safety-plan": False,
            "safety-safe-now": True,
        },
    )
    routine = make_submission(app, voicemail_ok=True)
    spanish = make_submission(app, language="es", full_name="María José Ejemplo")
    return Staff(
        "ada@example.org", secret, "newcomer@example.org", newcomer_id, urgent, routine, spanish
    )


def sign_in(tab, base_url: str, app: Flask, email: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the real password and two-step pages, as a person does."""
    from tests.portal_helpers import DEFAULT_PASSWORD, unused_code

    tab.goto(f"{base_url}/portal/auth/login")
    tab.fill("#email", email)
    tab.fill("#password", DEFAULT_PASSWORD)
    tab.click("main form button[type=submit]")
    tab.fill("#code", unused_code(app, email, secret))
    tab.click("main form button[type=submit]")
    assert "/portal/auth/" not in tab.url, tab.url


@pytest.fixture(scope="module")
def admin_state(browser, live_app: LiveApp, staff: Staff) -> dict:  # type: ignore[no-untyped-def]
    """Sign the admin in through the forms once; return the browser state to reuse."""
    context = browser.new_context()
    tab = context.new_page()
    sign_in(tab, live_app.url, live_app.app, staff.admin_email, staff.admin_secret)
    state = context.storage_state()
    close_contexts([context])
    return state
