"""SQLAlchemy column types that encrypt on write and decrypt on read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from screening.security.crypto import current_cipher


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON value stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        """Encrypt the value on its way to the database."""
        if value is None:
            return None
        return current_cipher().encrypt_json(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        """Decrypt the value on its way out of the database."""
        if value is None:
            return None
        return current_cipher().decrypt_json(value)


class EncryptedText(TypeDecorator[str]):
    """A string stored as a Fernet token."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        """Encrypt the value on its way to the database."""
        if value is None:
            return None
        return current_cipher().encrypt_text(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        """Decrypt the value on its way out of the database."""
        if value is None:
            return None
        return current_cipher().decrypt_text(value)
