"""Public pages: Markdown content from the package or the clinic's instance/content/."""

from __future__ import annotations

import re
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    session,
)
from markupsafe import Markup

from screening.i18n import current_language
from screening.intake.reach import unfinished_risk_notice
from screening.public.content import (
    CONTENT_DIR,
    Page,
    PageNotFound,
    clinic_tokens,
    list_pages,
    load_page,
)

bp = Blueprint("public", __name__)


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
    }


@bp.get("/")
def home() -> Response:
    """Show the home page."""
    return page("home")


@bp.get("/<slug>")
def page(slug: str) -> Response:
    """Show one content page; a browser holding the same page gets a 304 instead."""
    # Read before rendering: the layout takes the flashed messages out of the session.
    personal = request.args or "_flashes" in session
    response = make_response(render_page(slug, current_language(), _content_options()))
    if personal:
        # A flash is for one person once; ?lang= writes the session: neither is kept anywhere.
        response.cache_control.no_store = True
        return response
    # The ETag hashes the page as rendered, so an edited file, a clinic setting, the
    # language or a new release each give a new one.
    response.add_etag()
    response.cache_control.no_cache = True
    if session:
        # A person with a session (a draft, a chosen language) keeps pages to themselves.
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    # The language comes from the session cookie or Accept-Language (Flask adds Cookie).
    response.vary.add("Accept-Language")
    return response.make_conditional(request)


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
