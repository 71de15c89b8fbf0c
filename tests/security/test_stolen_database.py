"""docs/SECURITY.md lists every database column as encrypted or not, and stays true.

Its table "What a stolen database file reveals" is what the clinic relies on when it judges a
lost backup; a column added to a model without a line there fails this test.
"""

from __future__ import annotations

import re
from pathlib import Path

from screening.database import Base
from screening.security.encrypted_types import EncryptedJSON, EncryptedText

SECURITY_MD = Path(__file__).resolve().parents[2] / "docs" / "SECURITY.md"
DOCUMENTED_ROW = re.compile(r"^\| `(\w+)\.(\w+)` \| ([^|]+?) \|", re.MULTILINE)


def documented_columns() -> dict[str, bool]:
    """Map `table.column` to whether SECURITY.md says it is encrypted."""
    section = SECURITY_MD.read_text(encoding="utf-8").split(
        "## What a stolen database file reveals", 1
    )[-1]
    section = section.split("\n## ", 1)[0]
    return {
        f"{table}.{column}": stored.strip() == "encrypted"
        for table, column, stored in DOCUMENTED_ROW.findall(section)
    }


def model_columns() -> dict[str, bool]:
    """Map `table.column` to whether the model stores it encrypted."""
    import screening.models  # noqa: F401 (registers every table on Base.metadata)

    return {
        f"{table.name}.{column.name}": isinstance(column.type, EncryptedJSON | EncryptedText)
        for table in Base.metadata.sorted_tables
        for column in table.columns
    }


def test_every_column_is_listed_in_security_md_as_encrypted_or_plain():
    documented = documented_columns()
    actual = model_columns()
    assert sorted(set(actual) - set(documented)) == [], "columns missing from SECURITY.md"
    assert sorted(set(documented) - set(actual)) == [], "SECURITY.md lists columns that are gone"
    wrong = {name for name, encrypted in actual.items() if documented[name] != encrypted}
    assert sorted(wrong) == [], "SECURITY.md says encrypted where it is not, or the reverse"


def test_the_queue_columns_that_reveal_health_information_are_listed_as_plain():
    documented = documented_columns()
    for name in ("phq9_total", "gad7_total", "triage_category", "status", "language"):
        assert documented[f"submissions.{name}"] is False
