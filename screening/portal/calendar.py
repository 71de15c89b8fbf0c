"""A clinician's follow-ups as an iCalendar feed their calendar app subscribes to.

The feed's address carries a secret token (made here, shown once, kept only as its SHA-256),
so anyone who learns the address can read the feed: it carries nothing about anyone. Each
event is titled "Follow-up call" and links to the screening's page in the portal, behind
sign-in; no name, answer, category or status. A follow-up is a date on the clinic's calendar,
so each is an all-day event on that date (all-day dates do not move with the reader's zone).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from screening.clock import utcnow
from screening.database import begin_write, transaction
from screening.models import CalendarFeed, Clinician, Submission, SubmissionState
from screening.portal.workflow import FINISHED_STATUSES
from screening.security import audit
from screening.security.crypto import token_digest

# Past follow-ups stay in the calendar for a month (an overdue call is still to be made);
# a bound keeps a feed small however long a clinician has worked.
PAST_DAYS = 30
MOST_EVENTS = 500
EVENT_TITLE = "Follow-up call"
CALENDAR_NAME = "Follow-up calls"
PRODUCT_ID = "-//Threshold//Follow-up calls//EN"


@transaction
def new_feed(db: Session, clinician: Clinician, *, ip: str | None) -> str:
    """Give the clinician a new feed token, replacing (and so revoking) any earlier one;
    return the token, which is never stored."""
    replaced = db.execute(
        delete(CalendarFeed).where(CalendarFeed.clinician_id == clinician.id)
    ).rowcount
    token = secrets.token_urlsafe(32)
    db.add(CalendarFeed(clinician_id=clinician.id, token_hash=token_digest(token)))
    audit.record(
        db,
        "calendar-feed.regenerated" if replaced else "calendar-feed.created",
        actor=clinician,
        ip=ip,
    )
    return token


@transaction
def revoke_feed(db: Session, clinician: Clinician, *, ip: str | None) -> bool:
    """Turn the clinician's feed off; False if there was none."""
    removed = db.execute(
        delete(CalendarFeed).where(CalendarFeed.clinician_id == clinician.id)
    ).rowcount
    if removed:
        audit.record(db, "calendar-feed.revoked", actor=clinician, ip=ip)
    return bool(removed)


def feed_of(db: Session, clinician_id: int) -> CalendarFeed | None:
    """Return the clinician's feed, if they have turned it on."""
    return db.scalars(select(CalendarFeed).where(CalendarFeed.clinician_id == clinician_id)).first()


@transaction
def open_feed(db: Session, token: str, *, ip: str | None) -> Clinician | None:
    """Find the active clinician whose feed `token` opens, note the fetch and audit it (the
    token is never recorded); None, also audited, for an unknown token or inactive account."""
    begin_write(db)
    found = db.execute(
        select(CalendarFeed, Clinician)
        .join(Clinician, Clinician.id == CalendarFeed.clinician_id)
        .where(CalendarFeed.token_hash == token_digest(token))
    ).first()
    if found is None or not found[1].active:
        audit.record(db, "calendar-feed.fetched", outcome="denied", ip=ip)
        return None
    feed, clinician = found
    db.execute(
        update(CalendarFeed).where(CalendarFeed.id == feed.id).values(last_fetched_at=utcnow())
    )
    audit.record(db, "calendar-feed.fetched", actor=clinician, ip=ip)
    return clinician


def follow_up_dates(db: Session, clinician_id: int, today: date) -> list[tuple[str, date]]:
    """The (public id, follow-up date) of the clinician's unfinished screenings with a
    follow-up from PAST_DAYS ago on, soonest first. Plain columns only: nothing is decrypted."""
    rows = db.execute(
        select(Submission.public_id, Submission.follow_up_on)
        .where(
            Submission.state == SubmissionState.SUBMITTED,
            Submission.assignee_id == clinician_id,
            Submission.follow_up_on >= today - timedelta(days=PAST_DAYS),
            Submission.status.not_in(FINISHED_STATUSES),
        )
        .order_by(Submission.follow_up_on, Submission.id)
        .limit(MOST_EVENTS)
    )
    return [(public_id, on) for public_id, on in rows if on is not None]


def feed_body(
    follow_ups: list[tuple[str, date]],
    link: Callable[[str], str],
    *,
    now: datetime,
    zone_name: str,
    host: str,
) -> bytes:
    """Write the iCalendar text: one all-day "Follow-up call" per follow-up, with `link(public
    id)` to its page and nothing else about the screening."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    # The clinic's zone, for clients that show it; all-day dates are the clinic's dates.
    calendar.add("x-wr-timezone", zone_name)
    for public_id, on in follow_ups:
        event = Event()
        # Stable per screening: a changed date moves the event instead of adding one.
        event.add("uid", f"follow-up-{public_id}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", on)
        event.add("dtend", on + timedelta(days=1))
        event.add("summary", EVENT_TITLE)
        event.add("url", link(public_id))
        event.add("description", link(public_id))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
