"""Re-encrypt every encrypted column under the newest key, in batches, resumably.

Rotation: prepend a new key to ENCRYPTION_KEYS (keep the old ones), restart, run
`flask --app wsgi keys rotate`, then drop the old keys once it reports completion. A
checkpoint in instance/ lets an interrupted run continue where it stopped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Column, Engine, Integer, Table, Text, select, update
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.sql.expression import TableClause

from screening.database import Base
from screening.security.crypto import FieldCipher
from screening.security.encrypted_types import EncryptedJSON, EncryptedText

BATCH_SIZE = 500


@dataclass
class RotationReport:
    """How many values each table had re-encrypted."""

    rows_by_table: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """All re-encrypted rows."""
        return sum(self.rows_by_table.values())


def encrypted_columns() -> dict[Table, list[Column]]:
    """Find every column stored through an encrypting type."""
    found: dict[Table, list[Column]] = {}
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedJSON | EncryptedText)]
        if columns:
            found[table] = columns
    return found


def _load_checkpoint(path: Path, key_id: str) -> dict[str, int]:
    if not path.exists():
        return {}
    saved = json.loads(path.read_text(encoding="utf-8"))
    # A checkpoint made for another newest key is stale: start over.
    return saved.get("done_up_to", {}) if saved.get("key_id") == key_id else {}


def _save_checkpoint(path: Path, key_id: str, done: dict[str, int]) -> None:
    path.write_text(json.dumps({"key_id": key_id, "done_up_to": done}), encoding="utf-8")


def _raw_table(table: Table, columns: list[Column]) -> TableClause:
    """A plain view of the table whose encrypted columns read and write the stored tokens."""
    return sql_table(
        table.name, sql_column("id", Integer), *[sql_column(c.name, Text) for c in columns]
    )


def rotate_all(
    engine: Engine,
    cipher: FieldCipher,
    checkpoint: Path,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """Re-encrypt every encrypted value under the newest key; resumable via `checkpoint`."""
    report = RotationReport()
    done = _load_checkpoint(checkpoint, cipher.primary_key_id)
    for table, columns in encrypted_columns().items():
        raw = _raw_table(table, columns)
        names = [c.name for c in columns]
        last_id = done.get(table.name, 0)
        count = 0
        while True:
            with engine.begin() as connection:
                rows = connection.execute(
                    select(raw.c.id, *[raw.c[name] for name in names])
                    .where(raw.c.id > last_id)
                    .order_by(raw.c.id)
                    .limit(BATCH_SIZE)
                ).all()
                if not rows:
                    break
                for row in rows:
                    values = {
                        name: cipher.rotate(row._mapping[name])
                        for name in names
                        if row._mapping[name] is not None
                    }
                    if values:
                        connection.execute(update(raw).where(raw.c.id == row.id).values(values))
                last_id = rows[-1].id
                count += len(rows)
            done[table.name] = last_id
            _save_checkpoint(checkpoint, cipher.primary_key_id, done)
            if progress:
                progress(table.name, count)
        report.rows_by_table[table.name] = count
    checkpoint.unlink(missing_ok=True)
    return report
