"""Language choice: ?lang= or the switch, remembered in the session, else Accept-Language.

Interface strings come from the gettext catalogs in ``screening/translations`` (``make
translations`` extracts them, ``make compile-translations`` builds the ``.mo`` files the app
reads); the questionnaire's own texts come from its definition. The language switch links to the
same page in the other language; on a screening step it submits the page's form instead, so
nothing typed is lost (see ``screening.intake.language.change_language``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale, refresh
from werkzeug.exceptions import HTTPException

from screening.extensions import babel

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
SESSION_KEY = "lang"
# Each language's name in its own language: the switch must be readable by whoever needs it.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}

log = logging.getLogger(__name__)


def current_language() -> str:
    """Return the interface language of this request ("en" outside one)."""
    return str(get_locale() or "en")


def select_locale() -> str:
    """Pick the interface language for this request."""
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():
        # CLI commands and background work (messages for staff, logs): the default language.
        return supported[0]
    asked = request.args.get("lang")
    if asked in supported:
        session[SESSION_KEY] = asked
        return asked
    remembered = session.get(SESSION_KEY)
    if remembered in supported:
        return remembered
    return request.accept_languages.best_match(supported) or supported[0]


def remember_language(lang: str) -> bool:
    """Use `lang` from now on (this request included); False if it is not offered."""
    if lang not in current_app.config["LANGUAGES"]:
        return False
    session[SESSION_KEY] = lang
    refresh()
    return True


def switch_url(lang: str) -> str:
    """Return the address of this page in `lang` (the switch's link), keeping its query."""
    path = request.script_root + request.path
    args = request.args.to_dict(flat=False)
    if request.method not in ("GET", "HEAD"):
        # A page rendered after a POST (a form with errors): link to the same address only if
        # it can be fetched; the query of a form submission is not worth keeping.
        args = {}
        try:
            current_app.url_map.bind_to_environ(request.environ).match(request.path, "GET")
        except HTTPException:
            path = request.script_root + "/"
    args[SESSION_KEY] = [lang]
    return f"{path}?{urlencode(args, doseq=True)}"


def compiled_catalogs_missing(languages: tuple[str, ...] | list[str]) -> list[str]:
    """Return the languages (other than English) whose compiled catalog is missing or stale."""
    missing = []
    for lang in languages:
        if lang == "en":
            continue
        source = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        compiled = source.with_suffix(".mo")
        if not compiled.is_file() or (
            source.is_file() and compiled.stat().st_mtime < source.stat().st_mtime
        ):
            missing.append(lang)
    return missing


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and expose the language to templates."""
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS_DIR),
    )
    stale = compiled_catalogs_missing(app.config["LANGUAGES"])
    if stale:
        # Pages would silently fall back to English for these languages.
        log.error(
            "compiled translations missing or older than messages.po for %s: "
            "run `make compile-translations`",
            ", ".join(stale),
        )

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {
            "current_lang": current_language(),
            "languages": app.config["LANGUAGES"],
            "language_names": LANGUAGE_NAMES,
            "language_switch_url": switch_url,
        }
