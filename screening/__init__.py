"""Threshold: intake and screening for ketamine-assisted psychotherapy clinics."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from screening import config as config_module
from screening import database
from screening.security.audit_keys import AuditKeys
from screening.security.crypto import BlindIndex, configure_cipher

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the Threshold application."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("THRESHOLD_INSTANCE_PATH", str(PROJECT_DIR / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_DIR / "templates"),
        static_folder=str(PROJECT_DIR / "static"),
    )
    load_configuration(app, test_config)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    trust_reverse_proxy(app)
    return app


def trust_reverse_proxy(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto from PROXY_FIX_HOPS proxies, so rate limits see clients.

    X-Forwarded-Host is not trusted: links come from PUBLIC_BASE_URL, and nginx passes a
    client's own X-Forwarded-Host through unchanged.
    """
    hops = int(app.config.get("PROXY_FIX_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def load_configuration(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply defaults, instance/config.py, the environment and test overrides, then check them."""
    instance_path = Path(app.instance_path)
    app.config.from_mapping(config_module.default_settings(instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config_module.settings_from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    production = app.config["THRESHOLD_ENV"] == "production"
    if production:
        config_module.check_production(app.config)
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    else:
        config_module.ensure_development_secrets(app.config, instance_path)
    app.config["PRODUCTION"] = production
    config_module.check_clinic_settings(app.config)
    keys = config_module.parse_encryption_keys(app.config["ENCRYPTION_KEYS"])
    app.extensions["field_cipher"] = configure_cipher(keys)
    app.extensions["blind_index"] = BlindIndex(app.config["BLIND_INDEX_KEY"])
    app.extensions["audit_keys"] = AuditKeys(app.config["AUDIT_KEYS"])


def configure_logging(app: Flask) -> None:
    """Log request ids and outcomes at the configured level; never request bodies."""
    from screening.logging_setup import init_logging

    init_logging(app)


def register_extensions(app: Flask) -> None:
    """Bind database, CSRF, rate limiting, translations, security headers and versioned
    static URLs."""
    from screening import i18n, static_files
    from screening.extensions import csrf, limiter
    from screening.questionnaire_registry import init_questionnaire
    from screening.security import headers

    database.init_app(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    i18n.init_app(app)
    headers.init_app(app)
    static_files.init_app(app)
    init_questionnaire(app)
    from screening.auth.sessions import init_app as init_staff_sessions

    init_staff_sessions(app)


def register_blueprints(app: Flask) -> None:
    """Mount the public site, the screening wizard, the staff portal and the health check."""
    from screening.admin.views import bp as admin_bp
    from screening.auth.views import bp as auth_bp
    from screening.health import bp as health_bp
    from screening.intake.views import bp as intake_bp
    from screening.portal.views import bp as portal_bp
    from screening.public.views import bp as public_bp

    app.register_blueprint(intake_bp, url_prefix="/screening")
    app.register_blueprint(auth_bp, url_prefix="/portal/auth")
    app.register_blueprint(admin_bp, url_prefix="/portal/admin")
    app.register_blueprint(portal_bp, url_prefix="/portal")
    app.register_blueprint(health_bp)
    # Last: the public site's /<slug> pages must not shadow anything above.
    app.register_blueprint(public_bp)


def register_errorhandlers(app: Flask) -> None:
    """Render every error as a friendly page with a reference id."""
    from screening.errors import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    """Add the flask CLI command groups."""
    from screening import cli
    from screening.auth.cli import clinician_cli
    from screening.devtools import dev_cli
    from screening.portal.cli import submissions_cli

    for command in (*cli.COMMANDS, clinician_cli, submissions_cli, dev_cli):
        app.cli.add_command(command)
