"""The app's one idea of now: timezone-aware UTC, and stored timestamps read back as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import overload


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC (ages, follow-up dates and file names all use it)."""
    return utcnow().date()


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """Read a stored timestamp as UTC (SQLite hands them back without a zone)."""
    if moment is None or moment.tzinfo:
        return moment
    return moment.replace(tzinfo=UTC)


def start_of_day(day: date) -> datetime:
    """Return midnight UTC at the start of a date."""
    return datetime.combine(day, time.min, tzinfo=UTC)
