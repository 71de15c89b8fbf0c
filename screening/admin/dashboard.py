"""The clinic dashboard's numbers: counts over many screenings, never anything about one.

Every query reads plain columns only (category rank, status, times, `furthest_step`,
`referral_source`, `first_call_at`), never an answer, and reads an index only (migrations
0003b, 0005, 0014; docs/PERFORMANCE-dashboard.md has the plans and timings). Weeks and
months are the clinic's own (CLINIC_TIMEZONE): their edges are computed here, across
daylight-saving changes, and handed to the database as plain UTC bounds, so SQLite and
PostgreSQL bucket the same way.

Counts from 1 to 4 are shown as "< 5" (`is_small`): a number that small can point at a person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from screening.clock import start_of_day
from screening.models import Submission, SubmissionState
from screening.questionnaire.flags import CATEGORIES

# Below this a count is shown as "< 5": small cells can identify someone.
SMALL_COUNT = 5
WEEKS = 26
# Six months, like the 26 weeks: each month costs a pass over another ~8,000 index entries
# at 100,000 screenings a year.
MONTHS = 6
# The four outcomes the issue asks for, in workflow order.
OUTCOME_STATUSES = ("contacted", "evaluation-booked", "not-a-fit", "withdrawn")
# Percentiles of the time to first contact (median and 90th); a week needs SMALL_COUNT
# contacted screenings for them to be shown.
PERCENTILES = (50, 90)


def is_small(count: int) -> bool:
    """True for a count that must be shown as "< 5" (0 is shown: it points at nobody)."""
    return 0 < count < SMALL_COUNT


def week_edges(now: datetime, zone: tzinfo, weeks: int = WEEKS) -> list[datetime]:
    """Return the UTC starts of the clinic's last `weeks` weeks (Monday midnight on the clinic's
    clock, this week last), followed by next Monday's: `weeks + 1` edges."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    return [start_of_day(first + timedelta(weeks=n), zone) for n in range(weeks + 1)]


def month_edges(now: datetime, zone: tzinfo, months: int = MONTHS) -> list[datetime]:
    """Return the UTC starts of the clinic's last `months` calendar months (this one last),
    followed by next month's: `months + 1` edges."""
    today = now.astimezone(zone).date()
    index = today.year * 12 + today.month - 1 - (months - 1)
    days = [date(n // 12, n % 12 + 1, 1) for n in range(index, index + months + 1)]
    return [start_of_day(day, zone) for day in days]


def bucket(column: Any, edges: Sequence[datetime]) -> ColumnElement[Any]:
    """Return which interval between `edges` a time falls in (0, 1, ...), as SQL; the caller
    keeps rows to [edges[0], edges[-1]). Edges are bound as parameters, so both databases
    compare the stored UTC times with UTC bounds."""
    return case(*((column < edge, n) for n, edge in enumerate(edges[1:-1])), else_=len(edges) - 2)


def in_window(column: Any, edges: Sequence[datetime]) -> ColumnElement[bool]:
    """True for a time inside the edges' whole span."""
    return and_(column >= edges[0], column < edges[-1])


def local_days(edges: Sequence[datetime], zone: tzinfo) -> list[date]:
    """Return each interval's first day on the clinic's clock (for the labels)."""
    return [edge.astimezone(zone).date() for edge in edges[:-1]]


@dataclass(frozen=True)
class Series:
    """Counts per interval for one thing counted (a category, a status)."""

    key: str
    counts: list[int]


@dataclass(frozen=True)
class Periods:
    """Counts per interval (weeks or months) for several things counted."""

    starts: list[date]
    series: list[Series]


def submitted(edges: Sequence[datetime]) -> ColumnElement[bool]:
    """Submitted screenings sent within the edges (unfinished ones too: they are in the queue)."""
    return and_(
        Submission.state == SubmissionState.SUBMITTED, in_window(Submission.submitted_at, edges)
    )


def periods(
    db: Session, edges: Sequence[datetime], zone: tzinfo, key: Any, keys: Sequence[Any]
) -> tuple[list[date], dict[Any, list[int]]]:
    """Count submitted screenings per interval and per value of `key` (one GROUP BY over
    ix_submissions_submitted, read from the index alone)."""
    slot = bucket(Submission.submitted_at, edges).label("slot")
    query = select(slot, key, func.count()).where(submitted(edges)).group_by(slot, key)
    counts = {value: [0] * (len(edges) - 1) for value in keys}
    for index, value, number in db.execute(query):
        if value in counts:
            counts[value][index] = number
    return local_days(edges, zone), counts


def weekly_by_category(db: Session, now: datetime, zone: tzinfo) -> Periods:
    """Screenings sent per week of the last 26, by triage category."""
    starts, counts = periods(
        db, week_edges(now, zone), zone, Submission.category_rank, range(len(CATEGORIES))
    )
    return Periods(starts, [Series(CATEGORIES[rank], counts[rank]) for rank in counts])


@dataclass(frozen=True)
class Referrals:
    """How people sent in the last six months heard of the clinic: option code -> count
    (None: not answered, or sent before the column existed and not refreshed)."""

    since: datetime
    counts: dict[str | None, int]


def monthly(db: Session, now: datetime, zone: tzinfo) -> tuple[Periods, Referrals]:
    """Screenings sent per month of the last six, by where they stand now (the four outcomes),
    and by how they heard of the clinic: one pass over ix_submissions_dashboard for both."""
    edges = month_edges(now, zone)
    slot = bucket(Submission.submitted_at, edges).label("slot")
    query = (
        select(slot, Submission.status, Submission.referral_source, func.count())
        .where(submitted(edges))
        .group_by(slot, Submission.status, Submission.referral_source)
    )
    outcomes = {status: [0] * (len(edges) - 1) for status in OUTCOME_STATUSES}
    sources: Counter[str | None] = Counter()
    for index, status, source, number in db.execute(query):
        if status in outcomes:
            outcomes[status][index] += number
        sources[source] += number
    series = [Series(status, outcomes[status]) for status in OUTCOME_STATUSES]
    return Periods(local_days(edges, zone), series), Referrals(edges[0], dict(sources))


@dataclass(frozen=True)
class Funnel:
    """How far screenings started since `since` came: `reached[n]` finished step n + 1."""

    since: datetime
    started: int
    reached: list[int]
    sent: int


def funnel(db: Session, since: datetime, steps: int) -> Funnel:
    """Count the screenings started since `since` by how far they came, from the plain
    `furthest_step` (ix_submissions_started); a sent screening finished every step."""
    sent_now = and_(
        Submission.state == SubmissionState.SUBMITTED, Submission.unfinished.is_(False)
    ).label("sent")
    query = (
        select(sent_now, Submission.furthest_step, func.count())
        .where(Submission.created_at >= since)
        .group_by(sent_now, Submission.furthest_step)
    )
    started = sent = 0
    reached = [0] * steps
    for was_sent, furthest, number in db.execute(query):
        started += number
        if was_sent:
            sent += number
        done = steps if was_sent else min(furthest or 0, steps)
        for step in range(done):
            reached[step] += number
    return Funnel(since, started, reached, sent)


@dataclass(frozen=True)
class ResponseWeek:
    """Time to first contact for screenings sent in one week."""

    start: date
    contacted: int
    waiting: int
    # Hours at each of PERCENTILES; None when fewer than SMALL_COUNT were contacted.
    hours: dict[int, int | None]


def hours_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """Whole hours from `earlier` to `later`, as SQL (the databases differ in date arithmetic)."""
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", later - earlier) / 3600), Integer)
    return cast((func.julianday(later) - func.julianday(earlier)) * 24, Integer)


def percentile(histogram: Counter[int], percent: int) -> int:
    """Return the nearest-rank `percent`th percentile of a histogram of whole hours."""
    total = sum(histogram.values())
    rank = max(1, -(-percent * total // 100))  # ceil(percent/100 * total) in integers
    seen = 0
    for hours in sorted(histogram):
        seen += histogram[hours]
        if seen >= rank:
            return hours
    raise ValueError("empty histogram")


def first_contact(db: Session, now: datetime, zone: tzinfo) -> list[ResponseWeek]:
    """Per week of the last 26: how long screenings sent that week waited for the first call
    attempt logged (any outcome: the clinic reached out), and how many still wait.

    `first_call_at` is the first call_attempts row's time, kept on the screening: finding it
    per screening here cost one index look-up each, 50,000 at 100,000 screenings."""
    edges = week_edges(now, zone)
    slot = bucket(Submission.submitted_at, edges).label("slot")
    waited = hours_between(
        Submission.first_call_at, Submission.submitted_at, db.get_bind().dialect.name
    ).label("waited")
    query = select(slot, waited, func.count()).where(submitted(edges)).group_by(slot, waited)
    histograms: list[Counter[int]] = [Counter() for _ in edges[:-1]]
    waiting = [0] * (len(edges) - 1)
    for index, hours, number in db.execute(query):
        if hours is None:
            waiting[index] += number
        else:
            histograms[index][max(hours, 0)] += number
    weeks = []
    for start, histogram, still in zip(local_days(edges, zone), histograms, waiting, strict=True):
        contacted = sum(histogram.values())
        enough = contacted >= SMALL_COUNT
        hours = {p: percentile(histogram, p) if enough else None for p in PERCENTILES}
        weeks.append(ResponseWeek(start, contacted, still, hours))
    return weeks
