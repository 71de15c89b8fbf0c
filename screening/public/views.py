"""Public pages: Markdown content from the package or the clinic's instance/content/."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, session
from markupsafe import Markup

from screening.i18n import current_language
from screening.public.content import (
    CONTENT_DIR,
    Page,
    PageNotFound,
    clinic_key,
    clinic_tokens,
    list_pages,
    load_page,
)
from screening.public.page_cache import PageCache

bp = Blueprint("public", __name__)


def _content_options() -> dict[str, Any]:
    return {
        "package_dir": CONTENT_DIR,
        "override_dir": current_app.config["CONTENT_OVERRIDE_DIR"],
        "clinic": clinic_tokens(current_app.config),
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
    }


@bp.get("/")
def home() -> str:
    """Show the home page."""
    return page("home")


@bp.get("/<slug>")
def page(slug: str) -> str:
    """Show one content page, from the page cache when the request is like any other."""
    lang = current_language()
    options = _content_options()
    if request.args or "_flashes" in session:
        # ?lang= changes the session and the switch links; a flash belongs to one person.
        return render_page(slug, lang, options)
    settings = (slug, request.script_root, clinic_key(options["clinic"]))
    return page_cache().page(
        settings, lang, options["override_dir"], lambda: render_page(slug, lang, options)
    )


def page_cache() -> PageCache:
    """This app's cache of rendered pages, made on first use."""
    cache = current_app.extensions.get("public_page_cache")
    if cache is None:
        cache = PageCache(CONTENT_DIR, float(current_app.config["CONTENT_RECHECK_SECONDS"]))
        current_app.extensions["public_page_cache"] = cache
    return cache


def render_page(slug: str, lang: str, options: dict[str, Any]) -> str:
    """Render one content page in the site layout."""
    try:
        content = load_page(slug, lang, **options)
    except PageNotFound:
        abort(404)
    return render_template(
        # nh3 has sanitised the HTML (see screening/public/content.py): documented exception.
        "public/page.html",
        page=content,
        body=Markup(content.html),  # noqa: S704  # nosec B704
        active_slug=slug,
    )
