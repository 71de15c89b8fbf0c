"""The keys that sign the audit trail (AUDIT_KEYS): newest first, each known by a short id.

They live outside the database like ENCRYPTION_KEYS, so someone who can write the database
can neither forge a row nor recompute the chain after deleting one.
"""

from __future__ import annotations

import hashlib
import hmac


def key_id(key: bytes) -> str:
    """Name a key without revealing it: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:8]


class AuditKeys:
    """Sign with the newest key; verify with whichever key a row names."""

    def __init__(self, setting: str) -> None:
        keys = [part.strip().encode() for part in setting.split(",") if part.strip()]
        if not keys:
            raise ValueError("AUDIT_KEYS is empty")
        self.signing_id = key_id(keys[0])
        self.by_id = {key_id(key): key for key in keys}

    def sign(self, payload: bytes, with_id: str | None = None) -> str:
        """HMAC-SHA256 of `payload` under the named key (the newest by default)."""
        key = self.by_id[with_id or self.signing_id]
        return hmac.new(key, payload, hashlib.sha256).hexdigest()

    def knows(self, with_id: str | None) -> bool:
        """Whether a row signed with `with_id` can be checked with the keys configured."""
        return with_id is not None and with_id in self.by_id
