"""The app's one idea of now: timezone-aware UTC, stored timestamps read back as UTC, and the
clinic's own zone (CLINIC_TIMEZONE) for what staff read and for which day it is at the clinic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def today() -> date:
    """Return today's date in UTC (questionnaire ages use it; staff dates use clinic_today)."""
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


def start_of_day(day: date, zone: tzinfo = UTC) -> datetime:
    """Return midnight at the start of a date in `zone` (UTC unless said), as UTC."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def parse_zone(name: str) -> ZoneInfo:
    """Return the IANA time zone called `name`; ValueError if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def clinic_zone() -> ZoneInfo:
    """Return the clinic's time zone (CLINIC_TIMEZONE, checked at start-up)."""
    return ZoneInfo(current_app.config["CLINIC_TIMEZONE"])


def clinic_now() -> datetime:
    """Return the current time on the clinic's clock."""
    return utcnow().astimezone(clinic_zone())


def clinic_today() -> date:
    """Return the clinic's date today: follow-ups are due, and overdue, by this date."""
    return clinic_now().date()


def days_ago(moment: datetime, now: datetime) -> int:
    """How many of the clinic's calendar days lie between `moment` and `now` (0: the same day)."""
    zone = now.tzinfo or UTC
    return (now.date() - as_utc(moment).astimezone(zone).date()).days
