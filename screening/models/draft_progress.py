"""Where a person is in the wizard, stored encrypted next to their answers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from screening.security.encrypted_types import EncryptedJSON

# What was typed on a step but not accepted yet: field name -> the values as typed.
RawInput = dict[str, list[str]]


@dataclass(frozen=True)
class DraftProgress:
    """Which steps are done, what was typed but not saved, and whether help is owed.

    Frozen: a change is a new value assigned to the column, which is how SQLAlchemy
    notices it (the encrypted JSON column does not track changes inside a value).
    """

    completed: tuple[str, ...] = ()
    pending: dict[str, RawInput] = field(default_factory=dict)
    crisis_pending: bool = False
    crisis_seen_at: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DraftProgress:
        """Read stored progress; keys a value lacks keep their defaults."""
        data = data or {}
        return cls(
            completed=tuple(data.get("completed", ())),
            pending={
                section: {name: list(values) for name, values in raw.items()}
                for section, raw in data.get("pending", {}).items()
            },
            crisis_pending=bool(data.get("crisis_pending", False)),
            crisis_seen_at=data.get("crisis_seen_at"),
        )

    def to_json(self) -> dict[str, Any]:
        """Return the value stored in the database."""
        return {
            "completed": list(self.completed),
            "pending": self.pending,
            "crisis_pending": self.crisis_pending,
            "crisis_seen_at": self.crisis_seen_at,
        }

    def with_pending(self, section_id: str, raw: RawInput | None) -> DraftProgress:
        """Return this progress with a step's unsaved input kept, or dropped when None."""
        pending = {key: value for key, value in self.pending.items() if key != section_id}
        if raw is not None:
            pending[section_id] = raw
        return replace(self, pending=pending)


class EncryptedProgress(EncryptedJSON):
    """A DraftProgress stored as encrypted JSON."""

    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        """Serialise and encrypt the progress on its way to the database."""
        return super().process_bind_param(value.to_json() if value is not None else None, dialect)

    def process_result_value(self, value: str | None, dialect: Any) -> DraftProgress | None:
        """Decrypt and read the progress on its way out of the database."""
        data = super().process_result_value(value, dialect)
        return DraftProgress.from_json(data) if data is not None else None
