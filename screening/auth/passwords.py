"""Password hashing (argon2id) and the password policy for staff accounts.

The cost parameters come from the app config (ARGON2_TIME_COST, ARGON2_MEMORY_COST,
ARGON2_PARALLELISM), defaulting to argon2-cffi's RFC 9106 profile. Raising them takes effect
for each account at its next successful sign-in (see `needs_rehash`).
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import DEFAULT_MEMORY_COST, DEFAULT_PARALLELISM, DEFAULT_TIME_COST, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context, has_request_context
from flask_babel import gettext

MIN_LENGTH = 12
MAX_LENGTH = 256
# Letters and digits that cannot be confused with each other when read aloud or copied.
READABLE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """Return the argon2id hasher for the configured cost parameters."""
    config = current_app.config if has_app_context() else {}
    return _hasher(
        int(config.get("ARGON2_TIME_COST", DEFAULT_TIME_COST)),
        int(config.get("ARGON2_MEMORY_COST", DEFAULT_MEMORY_COST)),
        int(config.get("ARGON2_PARALLELISM", DEFAULT_PARALLELISM)),
    )


@cache
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost, parallelism).hash(secrets.token_urlsafe(24))


def dummy_hash() -> str:
    """Return a hash of a random password with the current parameters (for unknown accounts)."""
    current = hasher()
    return _dummy_hash(current.time_cost, current.memory_cost, current.parallelism)


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, spend the same time on a dummy and fail."""
    target = stored_hash if stored_hash else dummy_hash()
    try:
        matched = hasher().verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(matched) and bool(stored_hash)


def needs_rehash(stored_hash: str) -> bool:
    """Whether a hash was made with other parameters than the current ones."""
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def _(message: str, **values: object) -> str:
    """Translate in a request; the CLI (no request, no chosen language) gets the English."""
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message


def password_problems(password: str, email: str | None = None) -> list[str]:
    """Return what is wrong with a new password under the policy (empty when acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(_("Use at least %(num)d characters.", num=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(num)d characters.", num=MAX_LENGTH))
    if email and password.strip().casefold() == email.strip().casefold():
        problems.append(_("Do not use your email address as your password."))
    return problems


def readable_code(groups: int) -> str:
    """Return `groups` groups of 5 readable random characters (about 25 bits each), dash-joined."""
    return "-".join(
        "".join(secrets.choice(READABLE_ALPHABET) for _ in range(5)) for _ in range(groups)
    )


def generate_temporary_password() -> str:
    """Return a random, readable password (about 98 bits) to hand to a new account once."""
    return readable_code(4)
