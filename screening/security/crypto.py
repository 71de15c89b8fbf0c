"""Field encryption at rest and keyed blind indexes for exact search.

The first key in ENCRYPTION_KEYS encrypts; every key decrypts, so keys can be rotated by
prepending a new one and re-encrypting (see `flask keys rotate`). Keys come from the
environment, never from the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(RuntimeError):
    """A stored value could not be decrypted with any configured key."""


class FieldCipher:
    """Encrypt and decrypt column values with a MultiFernet over the configured keys."""

    def __init__(self, keys: list[bytes]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        self.primary_key_id = hashlib.sha256(keys[0]).hexdigest()[:8]

    def encrypt_text(self, value: str) -> str:
        """Encrypt a string to an ASCII token."""
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt_text(self, token: str) -> str:
        """Decrypt a token made by encrypt_text with any configured key."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise DecryptionError(
                "stored value cannot be decrypted with the configured keys"
            ) from error

    def encrypt_json(self, value: Any) -> str:
        """Encrypt any JSON-serialisable value."""
        return self.encrypt_text(json.dumps(value, separators=(",", ":"), sort_keys=True))

    def decrypt_json(self, token: str) -> Any:
        """Decrypt a token made by encrypt_json."""
        return json.loads(self.decrypt_text(token))

    def rotate(self, token: str) -> str:
        """Re-encrypt a token under the newest key."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as error:
            raise DecryptionError(
                "stored value cannot be decrypted with the configured keys"
            ) from error


_cipher: FieldCipher | None = None


def configure_cipher(keys: list[bytes]) -> FieldCipher:
    """Install the process-wide cipher used by encrypted columns."""
    global _cipher
    _cipher = FieldCipher(keys)
    return _cipher


def current_cipher() -> FieldCipher:
    """Return the configured cipher; encrypted columns cannot work without one."""
    if _cipher is None:
        raise RuntimeError("field encryption is not configured; create the app first")
    return _cipher


def normalise_email(value: str) -> str:
    """Lower-case and trim an email address so equal addresses index equally."""
    return value.strip().lower()


def normalise_phone(value: str) -> str:
    """Keep the digits of a phone number, dropping a leading US country code."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def normalise_name(value: str) -> str:
    """Fold case and whitespace so a name typed differently still matches exactly."""
    return " ".join(value.casefold().split())


class BlindIndex:
    """Keyed hashes (HMAC-SHA256) that allow exact search without storing the value."""

    def __init__(self, key: str) -> None:
        self._key = key.encode("utf-8")

    def digest(self, kind: str, normalised: str) -> str | None:
        """Return the hex HMAC of a normalised value, or None for an empty value."""
        if not normalised:
            return None
        message = f"{kind}:{normalised}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def email(self, value: str) -> str | None:
        """Index an email address."""
        return self.digest("email", normalise_email(value))

    def phone(self, value: str) -> str | None:
        """Index a phone number."""
        return self.digest("phone", normalise_phone(value))

    def name(self, value: str) -> str | None:
        """Index a full name."""
        return self.digest("name", normalise_name(value))


def token_digest(token: str) -> str:
    """Hash a bearer token (draft or resume) for storage; tokens are random, so no key is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
