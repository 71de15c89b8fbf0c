"""Public pages: Markdown content from the package or the clinic's instance/content/."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_file,
    session,
)
from markupsafe import Markup
from werkzeug.security import safe_join

from screening.i18n import TRANSLATIONS_DIR, current_language
from screening.intake.reach import unfinished_risk_notice
from screening.public.content import (
    CONTENT_DIR,
    PHOTO_NAME_RE,
    PHOTO_TYPES,
    PHOTOS_FOLDER,
    SERVED_PAGES,
    Page,
    PageNotFound,
    clinic_tokens,
    list_pages,
    load_page,
    override_files,
)
from screening.questionnaire_registry import registry

bp = Blueprint("public", __name__)


def screening_minutes() -> int:
    """Return the time the screening takes, computed from the definition, in this language."""
    return registry().minutes[current_language()]


def _content_options() -> dict[str, Any]:
    return {
        "package_dir": CONTENT_DIR,
        "override_dir": current_app.config["CONTENT_OVERRIDE_DIR"],
        # The privacy notice says what the clinic sees of an unfinished risk screening.
        "clinic": {
            **clinic_tokens(current_app.config),
            "unfinished_risk_notice": unfinished_risk_notice(
                current_app.config["RISK_DRAFT_SURFACE_MINUTES"]
            ),
            "screening_minutes": str(screening_minutes()),
        },
    }


@bp.app_context_processor
def site_context() -> dict[str, Any]:
    """Give every template the clinic's details and the navigation."""
    config = current_app.config

    def nav_pages() -> list[Page]:
        return [p for p in list_pages(current_language(), **_content_options()) if p.slug != "home"]

    return {
        "clinic": {
            "name": config["CLINIC_NAME"],
            "phone": config["CLINIC_PHONE"],
            "phone_digits": re.sub(r"[^0-9+]", "", config["CLINIC_PHONE"]),
            "email": config["CLINIC_EMAIL"],
            "address": config["CLINIC_ADDRESS"],
        },
        # A function: only pages that show the public menu pay for building it.
        "nav_pages": nav_pages,
        "screening_minutes": screening_minutes(),
    }


@bp.get("/")
def home() -> Response:
    """Show the home page."""
    return page("home")


@bp.get("/<slug>")
def page(slug: str) -> Response:
    """Show one content page; a browser holding the same page gets a 304 without a render."""
    lang, options = current_language(), _content_options()
    # Read before rendering: the layout takes the flashed messages out of the session.
    if request.args or "_flashes" in session:
        # A flash is for one person once; ?lang= writes the session: neither is kept anywhere.
        response = make_response(render_page(slug, lang, options))
        response.cache_control.no_store = True
        return response
    response = current_app.response_class()
    response.set_etag(page_version(slug, lang, options))
    response.cache_control.no_cache = True
    if session:
        # A person with a session (a draft, a chosen language) keeps pages to themselves.
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    # The language comes from the session cookie or Accept-Language (Flask adds Cookie).
    response.vary.add("Accept-Language")
    if not request.if_none_match.contains_weak(response.get_etag()[0]):
        response.set_data(render_page(slug, lang, options))
    return response.make_conditional(request)


@bp.get(f"/{PHOTOS_FOLDER}/<name>")
def photo(name: str) -> Response:
    """Serve a photo a clinic's page shows, from its content folder's photos/ and nowhere else:
    a plain file name with an image extension, whose first bytes are that image type."""
    suffix = Path(name).suffix.lower()
    if not PHOTO_NAME_RE.fullmatch(name) or suffix not in PHOTO_TYPES:
        abort(404)
    folder = Path(current_app.config["CONTENT_OVERRIDE_DIR"], PHOTOS_FOLDER)
    path = safe_join(str(folder), name)  # None for any name that would leave the folder
    try:
        with open(path or "", "rb") as handle:
            head = handle.read(12)
    except OSError:
        abort(404)
    if not looks_like(head, PHOTO_TYPES[suffix]):
        abort(404)
    return send_file(path, mimetype=PHOTO_TYPES[suffix], max_age=3600)


def looks_like(head: bytes, mimetype: str) -> bool:
    """Return True if a file's first bytes are those of `mimetype` (JPEG, PNG or WebP)."""
    if mimetype == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if mimetype == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def page_version(slug: str, lang: str, options: dict[str, Any]) -> str:
    """Name everything the rendered page depends on, without rendering it: the files that ship
    with the code (pages, templates, catalogs, static files), the clinic's own page files
    (every page's menu shows every title), the language and the clinic's settings."""
    if slug not in SERVED_PAGES:
        abort(404)
    config = current_app.config
    shipped = (
        Path(current_app.root_path, current_app.template_folder or ""),
        TRANSLATIONS_DIR,
        Path(options["package_dir"]),
        Path(current_app.static_folder or ""),
    )
    release = (release_version if current_app.jinja_env.auto_reload else released_version)(*shipped)
    overrides = override_files(options["override_dir"], lang)
    key = repr((slug, lang, config["LANGUAGES"], options["clinic"], overrides, release))
    return hashlib.sha256(key.encode()).hexdigest()


# Pages, templates, compiled catalogs, and the static files whose versioned URLs a page holds.
SHIPPED_SUFFIXES = (".md", ".html", ".mo", ".css", ".js", ".svg")


def release_version(*folders: Path) -> str:
    """Digest every shipped file in `folders` by path, mtime and size."""
    files = [
        (str(path), path.stat().st_mtime_ns, path.stat().st_size)
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.suffix in SHIPPED_SUFFIXES
    ]
    return hashlib.sha256(repr(files).encode()).hexdigest()


# Shipped pages, templates and catalogs change only with a release, which restarts the
# processes; while Flask reloads templates (debug), they are listed on every request instead.
# The clinic's own pages (instance/content/) are looked at on every request: edits show at once.
released_version = functools.cache(release_version)


def render_page(slug: str, lang: str, options: dict[str, Any]) -> str:
    """Render one content page in the site layout."""
    try:
        content = load_page(slug, lang, **options)
    except PageNotFound:
        abort(404)
    # nh3 has sanitised the HTML (see screening/public/content.py): a documented exception.
    # Its own statement: on a line inside a longer call, bandit matches the nosec to that call.
    body = Markup(content.html)  # noqa: S704  # nosec B704
    return render_template("public/page.html", page=content, body=body, active_slug=slug)
