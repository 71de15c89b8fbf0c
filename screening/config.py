"""Configuration: defaults, then instance/config.py, then the environment, then test overrides.

Production is selected with THRESHOLD_ENV=production. There the app refuses to start without
real secrets; in development missing secrets are generated once into instance/dev-secrets.json.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from screening.clock import parse_zone

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent

# Settings read from the environment as plain strings, and those parsed as integers.
STRING_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY",
    "AUDIT_KEYS",
    "CLINIC_NAME",
    "CLINIC_PHONE",
    "CLINIC_EMAIL",
    "CLINIC_ADDRESS",
    "CLINIC_CITY",
    "CLINIC_STATES",
    "CLINIC_INTAKE_EMAIL",
    "CLINIC_RESPONSE_DAYS",
    "CLINIC_TIMEZONE",
    "PUBLIC_BASE_URL",
    "QUESTIONNAIRE_PATH",
    "RULES_PATH",
    "QUESTIONNAIRE_OVERRIDES_PATH",
    "RATELIMIT_STORAGE_URI",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_SENDER",
    "URGENT_ESCALATION_EMAIL",
    "URGENT_WEBHOOK_URL",
    "LOG_LEVEL",
)
INT_SETTINGS = (
    "RESUME_LINK_DAYS",
    "DRAFT_RETENTION_DAYS",
    "DRAFT_IDLE_MINUTES",
    "SCREENING_RETENTION_DAYS",
    "SESSION_IDLE_MINUTES",
    "SESSION_ABSOLUTE_HOURS",
    "MAIL_PORT",
    "MAX_CONTENT_LENGTH",
    "MIN_FILL_SECONDS",
    "URGENT_ESCALATION_MINUTES",
    "RISK_DRAFT_SURFACE_MINUTES",
    "CALL_ATTEMPTS_BEFORE_WITHDRAW",
    "PROXY_FIX_HOPS",
    "DATABASE_POOL_SIZE",
    "DATABASE_MAX_OVERFLOW",
    "DATABASE_POOL_TIMEOUT",
    "AUDIT_CHAINS",
)
BOOL_SETTINGS = ("MAIL_USE_TLS", "RATELIMIT_ENABLED", "RATELIMIT_SINGLE_PROCESS")

MIN_SECRET_KEY_LENGTH = 32
# More chains than concurrent requests buy nothing, and each is one more tail to watch.
MAX_AUDIT_CHAINS = 64
# Secrets generated once into instance/dev-secrets.json outside production, and how.
DEVELOPMENT_SECRETS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(48),
    "ENCRYPTION_KEYS": lambda: Fernet.generate_key().decode(),
    "BLIND_INDEX_KEY": lambda: secrets.token_urlsafe(32),
    "AUDIT_KEYS": lambda: secrets.token_urlsafe(32),
}


# The example clinic's contact details: a person in distress must never be sent to them.
PLACEHOLDER_CLINIC_CONTACTS = {
    "CLINIC_PHONE": "(408) 555-0100",
    "CLINIC_EMAIL": "intake@example.org",
    "CLINIC_INTAKE_EMAIL": "intake@example.org",
}


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def default_settings(instance_path: Path) -> dict[str, Any]:
    """Return the built-in defaults, suitable for one clinic on one small server."""
    return {
        "THRESHOLD_ENV": "development",
        "DATABASE_URL": f"sqlite:///{instance_path / 'screening.sqlite3'}",
        # Database connections each process keeps, and how many more it may open at busy
        # times (a request holds one at a time: screening/database.py begin_write).
        "DATABASE_POOL_SIZE": 5,
        "DATABASE_MAX_OVERFLOW": 10,
        # Seconds a request waits for a free connection before it is answered with a 503.
        "DATABASE_POOL_TIMEOUT": 30,
        "CLINIC_NAME": "Threshold Ketamine-Assisted Psychotherapy",
        **PLACEHOLDER_CLINIC_CONTACTS,
        "CLINIC_ADDRESS": "Gilroy, California",
        "CLINIC_CITY": "Gilroy",
        # The states where the clinic's clinicians may treat, comma-separated: the questionnaire
        # names them, and triage flags a person who lives or would be elsewhere.
        "CLINIC_STATES": "California",
        "CLINIC_RESPONSE_DAYS": "3",
        # Staff read every time on the clinic's clock, and a follow-up is overdue by its date.
        "CLINIC_TIMEZONE": "America/Los_Angeles",
        # An urgent screening no clinician opened this long after it was sent is escalated to
        # the on-call address (and the webhook) by `flask notify escalate`.
        "URGENT_ESCALATION_EMAIL": "",
        "URGENT_ESCALATION_MINUTES": 30,
        "URGENT_WEBHOOK_URL": "",
        # A draft with a risk disclosure left idle this long enters the queue unfinished
        # (`flask notify escalate`); 0 turns that off, and the intro and privacy notice say so.
        "RISK_DRAFT_SURFACE_MINUTES": 60,
        # After this many attempts in a row that did not reach the person, the screening's page
        # suggests "Withdrawn – could not reach".
        "CALL_ATTEMPTS_BEFORE_WITHDRAW": 3,
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "QUESTIONNAIRE_PATH": str(PACKAGE_DIR / "questionnaire" / "data" / "intake.yaml"),
        "RULES_PATH": str(PACKAGE_DIR / "questionnaire" / "data" / "rules.yaml"),
        # A clinic's own words for a few questions (docs/QUESTIONNAIRE-OVERRIDES.md); optional.
        "QUESTIONNAIRE_OVERRIDES_PATH": str(instance_path / "questionnaire.overrides.yaml"),
        "CONTENT_OVERRIDE_DIR": str(instance_path / "content"),
        # Independent audit chains (docs/SECURITY.md): concurrent staff requests on PostgreSQL
        # append to different chains instead of queueing for one lock.
        "AUDIT_CHAINS": 8,
        "RESUME_LINK_DAYS": 7,
        "DRAFT_RETENTION_DAYS": 30,
        # A screening left open this long is closed in that browser (e.g. a shared computer);
        # the resume link still reopens it.
        "DRAFT_IDLE_MINUTES": 60,
        "SCREENING_RETENTION_DAYS": 730,
        "SESSION_IDLE_MINUTES": 15,
        "SESSION_ABSOLUTE_HOURS": 10,
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "MAIL_SERVER": "",
        "MAIL_PORT": 587,
        "MAIL_USE_TLS": True,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_SENDER": "threshold@example.org",
        "LOG_LEVEL": "INFO",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Redis down: count in this process's memory (and log a warning) instead of answering
        # every limited route with a 500; Flask-Limiter goes back to Redis when it answers.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_SCREENING_START": "60 per hour",
        "RATELIMIT_RESUME": "30 per hour",
        # Emailing a resume link: a few tries per address, so the form cannot be used to spam.
        "RATELIMIT_RESUME_EMAIL": "5 per hour",
        "RATELIMIT_SUBMIT": "30 per hour",
        # Calendar apps fetch a feed every 15 minutes to a few hours; this leaves room for a
        # few devices and stops anyone guessing tokens at speed.
        "RATELIMIT_CALENDAR_FEED": "30 per hour",
        "MIN_FILL_SECONDS": 45,
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (0: none).
        "PROXY_FIX_HOPS": 0,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=10),
        "BABEL_DEFAULT_LOCALE": "en",
        "LANGUAGES": ("en", "es"),
    }


def settings_from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Pick the known settings out of the environment, parsed to their types."""
    found: dict[str, Any] = {}
    for name in STRING_SETTINGS:
        if environ.get(name):
            found[name] = environ[name]
    for name in INT_SETTINGS:
        if environ.get(name):
            try:
                found[name] = int(environ[name])
            except ValueError as error:
                raise ConfigError(
                    f"{name} must be a whole number, got {environ[name]!r}"
                ) from error
    for name in BOOL_SETTINGS:
        if environ.get(name):
            found[name] = environ[name].strip().lower() in {"1", "true", "yes", "on"}
    if environ.get("THRESHOLD_ENV"):
        found["THRESHOLD_ENV"] = environ["THRESHOLD_ENV"].strip().lower()
    if environ.get("PORT") and "PUBLIC_BASE_URL" not in found:
        # `make run` serves on PORT; links in development must point where it listens.
        found["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{environ['PORT'].strip()}"
    return found


def ensure_development_secrets(config: dict[str, Any], instance_path: Path) -> None:
    """Fill missing secrets from instance/dev-secrets.json, creating it once with a warning."""
    needed = [k for k in DEVELOPMENT_SECRETS if not config.get(k)]
    if not needed:
        return
    secrets_file = instance_path / "dev-secrets.json"
    stored: dict[str, str] = {}
    if secrets_file.exists():
        stored = json.loads(secrets_file.read_text(encoding="utf-8"))
    missing = [name for name in DEVELOPMENT_SECRETS if name not in stored]
    stored |= {name: DEVELOPMENT_SECRETS[name]() for name in missing}
    if missing:
        instance_path.mkdir(parents=True, exist_ok=True)
        # Written owner-only: these keys decrypt every answer in the development database.
        fd = os.open(secrets_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(stored, handle, indent=2)
        log.warning(
            "Generated development secrets in %s. Set SECRET_KEY, ENCRYPTION_KEYS, "
            "BLIND_INDEX_KEY and AUDIT_KEYS in the environment for production.",
            secrets_file,
        )
    for name in needed:
        config[name] = stored[name]


def check_production(config: dict[str, Any]) -> None:
    """Refuse settings that would be unsafe with real health information."""
    problems = []
    if config.get("DEBUG"):
        problems.append("turn debug off (unset FLASK_DEBUG)")
    secret = config.get("SECRET_KEY") or ""
    if len(secret) < MIN_SECRET_KEY_LENGTH or secret in {"dev", "change-me", "secret"}:
        problems.append(
            f"set SECRET_KEY to a random value of at least {MIN_SECRET_KEY_LENGTH} characters"
        )
    if not config.get("ENCRYPTION_KEYS"):
        problems.append("set ENCRYPTION_KEYS (generate one with `flask --app wsgi keys generate`)")
    if not config.get("BLIND_INDEX_KEY"):
        problems.append("set BLIND_INDEX_KEY to a random value of at least 32 characters")
    if not str(config.get("PUBLIC_BASE_URL") or "").startswith("https://"):
        # Resume links and staff notices are built from it, never from the request's Host.
        problems.append("set PUBLIC_BASE_URL to the site's https:// address")
    audit_keys = [part.strip() for part in str(config.get("AUDIT_KEYS") or "").split(",")]
    if any(len(key) < MIN_SECRET_KEY_LENGTH for key in audit_keys):
        problems.append(
            "set AUDIT_KEYS to random values of at least 32 characters, comma-separated, newest "
            "first (python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    problems.extend(rate_limit_storage_problems(config))
    problems.extend(escalation_problems(config))
    problems.extend(placeholder_contact_problems(config))
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + ".")


def rate_limit_storage_problems(config: dict[str, Any]) -> list[str]:
    """Refuse in-memory rate limits in production unless one process is declared.

    The app cannot see how many workers gunicorn (or a second instance) runs, and in memory
    each process counts on its own, multiplying every limit; so shared storage is the default
    and counting in memory needs RATELIMIT_SINGLE_PROCESS=true, a promise made on purpose.
    """
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not config.get("RATELIMIT_ENABLED", True) or not storage.startswith("memory://"):
        return []
    if not config.get("RATELIMIT_SINGLE_PROCESS"):
        return [
            "set RATELIMIT_STORAGE_URI to a Redis every process shares (e.g. "
            "redis://127.0.0.1:6379/0): in-memory rate limits count separately in each "
            "gunicorn worker and each instance, so `--workers 4` allows four times every limit "
            "(only if exactly one process serves the app, set RATELIMIT_SINGLE_PROCESS=true "
            "instead)"
        ]
    if os.environ.get("WEB_CONCURRENCY", "1") != "1":
        return [
            "RATELIMIT_SINGLE_PROCESS=true but WEB_CONCURRENCY asks for several workers: set "
            "RATELIMIT_STORAGE_URI to a shared Redis (e.g. redis://127.0.0.1:6379/0)"
        ]
    return []


def placeholder_contact_problems(config: dict[str, Any]) -> list[str]:
    """Refuse the example clinic's phone and emails: people are told to call and write to them,
    and staff notices go to the intake address."""
    return [
        f"set {name} to the clinic's own (it is still the example {placeholder!r})"
        for name, placeholder in PLACEHOLDER_CLINIC_CONTACTS.items()
        if str(config.get(name) or "").strip() == placeholder
    ]


def escalation_problems(config: dict[str, Any]) -> list[str]:
    """Refuse production without somewhere to escalate unopened urgent screenings."""
    problems = []
    if "@" not in str(config.get("URGENT_ESCALATION_EMAIL") or ""):
        problems.append(
            "set URGENT_ESCALATION_EMAIL to the on-call address urgent screenings go to when no "
            "clinician opened them in time"
        )
    webhook = str(config.get("URGENT_WEBHOOK_URL") or "")
    if webhook and not webhook.startswith("https://"):
        problems.append("set URGENT_WEBHOOK_URL to an https:// address (or leave it unset)")
    if int(config.get("URGENT_ESCALATION_MINUTES", 30)) < 1:
        problems.append("set URGENT_ESCALATION_MINUTES to at least 1")
    return problems


def check_clinic_settings(config: dict[str, Any]) -> None:
    """Refuse a CLINIC_TIMEZONE that is not an IANA time zone name, a call-attempt rule
    that would suggest withdrawing a screening before anyone called, or no audit chain."""
    name = str(config.get("CLINIC_TIMEZONE") or "")
    try:
        parse_zone(name)
    except ValueError as error:
        raise ConfigError(
            f"CLINIC_TIMEZONE must be an IANA time zone name such as America/Los_Angeles, "
            f"got {name!r}"
        ) from error
    if int(config["CALL_ATTEMPTS_BEFORE_WITHDRAW"]) < 1:
        raise ConfigError("CALL_ATTEMPTS_BEFORE_WITHDRAW must be at least 1")
    if not 1 <= int(config["AUDIT_CHAINS"]) <= MAX_AUDIT_CHAINS:
        raise ConfigError(f"AUDIT_CHAINS must be from 1 to {MAX_AUDIT_CHAINS}")


def parse_encryption_keys(value: str) -> list[bytes]:
    """Split ENCRYPTION_KEYS (comma-separated Fernet keys, newest first) into keys."""
    keys = [part.strip().encode() for part in value.split(",") if part.strip()]
    if not keys:
        raise ConfigError("ENCRYPTION_KEYS is empty")
    for index, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError as error:
            raise ConfigError(
                f"ENCRYPTION_KEYS entry {index} is not a valid key; "
                "generate one with `flask --app wsgi keys generate`"
            ) from error
    return keys
