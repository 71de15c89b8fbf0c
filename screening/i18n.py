"""Language choice: ?lang= or the switch, remembered in the session, else Accept-Language."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request, session

from screening.extensions import babel

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    """Pick the interface language for this request."""
    supported = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked in supported:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in supported:
        return remembered
    return request.accept_languages.best_match(supported) or supported[0]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector and expose the language to templates."""
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS_DIR),
    )

    @app.context_processor
    def language_context() -> dict[str, object]:
        from flask_babel import get_locale

        return {"current_lang": str(get_locale() or "en"), "languages": app.config["LANGUAGES"]}
