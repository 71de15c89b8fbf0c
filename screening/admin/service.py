"""Admin queries: the audit trail, read-only (events are never edited), each viewing audited.

Account changes themselves live in screening.auth.service, shared with the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased
from wtforms import SelectChoice

from screening.clock import as_utc, clinic_zone, start_of_day
from screening.models import AuditEvent, Clinician, Submission
from screening.security import audit

PAGE_SIZE = 50
ACTOR_NONE = "none"


@dataclass(frozen=True)
class AuditFilters:
    """What the audit trail is narrowed to; every part is optional."""

    action_prefix: str | None = None
    actor: str | None = None  # a clinician id, or ACTOR_NONE for events with no signed-in actor
    date_from: date | None = None
    date_to: date | None = None
    submission_public_id: str | None = None

    def in_use(self) -> dict[str, Any]:
        """Return the filters that are set, for the audit.viewed event and pagination links."""
        used = {
            "action": self.action_prefix,
            "actor": self.actor,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "submission": self.submission_public_id,
        }
        return {key: value for key, value in used.items() if value}


@dataclass(frozen=True)
class AuditRow:
    """One event as the viewer shows it, with the names and the screening id it refers to."""

    event: AuditEvent
    actor_name: str | None
    target_name: str | None
    submission_public_id: str | None

    @property
    def at(self) -> datetime:
        """When it happened, in UTC (SQLite gives the stored time back without its zone)."""
        return as_utc(self.event.at)


@dataclass
class AuditPage:
    """One page of the audit trail, newest first."""

    rows: list[AuditRow] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    total: int = 0

    @property
    def has_previous(self) -> bool:
        """Whether there are newer events."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether there are older events."""
        return self.page < self.pages


def find_submission_id(db: Session, public_id: str) -> int | None:
    """Return the internal id of a screening from its public id."""
    return db.scalars(select(Submission.id).where(Submission.public_id == public_id)).first()


def audit_conditions(db: Session, filters: AuditFilters) -> list[ColumnElement[bool]] | None:
    """Turn filters into WHERE conditions; None when they can match nothing."""
    conditions: list[ColumnElement[bool]] = []
    if filters.action_prefix:
        conditions.append(AuditEvent.action.startswith(filters.action_prefix, autoescape=True))
    if filters.actor == ACTOR_NONE:
        conditions.append(AuditEvent.actor_id.is_(None))
    elif filters.actor:
        conditions.append(AuditEvent.actor_id == int(filters.actor))
    if filters.date_from:
        conditions.append(AuditEvent.at >= start_of_day(filters.date_from, clinic_zone()))
    if filters.date_to:
        conditions.append(
            AuditEvent.at < start_of_day(filters.date_to + timedelta(days=1), clinic_zone())
        )
    if filters.submission_public_id:
        submission_id = find_submission_id(db, filters.submission_public_id)
        if submission_id is None:
            return None
        conditions.append(AuditEvent.submission_id == submission_id)
    return conditions


def search_audit(db: Session, filters: AuditFilters, page: int = 1) -> AuditPage:
    """Return one page of matching events, newest first, with names and public ids resolved."""
    conditions = audit_conditions(db, filters)
    if conditions is None:
        return AuditPage()
    total = db.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    actor = aliased(Clinician)
    target = aliased(Clinician)
    statement = (
        select(AuditEvent, actor.name, target.name, Submission.public_id)
        .outerjoin(actor, AuditEvent.actor_id == actor.id)
        .outerjoin(target, AuditEvent.target_clinician_id == target.id)
        .outerjoin(Submission, AuditEvent.submission_id == Submission.id)
        .where(*conditions)
        # Ids follow the hash chain, so the newest event always has the highest id.
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [AuditRow(*found) for found in db.execute(statement)]
    return AuditPage(rows=rows, page=page, pages=pages, total=total)


def view_audit(
    db: Session, filters: AuditFilters, page: int, *, actor: Clinician, ip: str | None
) -> AuditPage:
    """Return one page of the audit trail and record (and commit) that it was viewed."""
    result = search_audit(db, filters, page)
    public_id = filters.submission_public_id
    submission_id = find_submission_id(db, public_id) if public_id else None
    detail: dict[str, Any] = {"page": result.page}
    if filters.in_use():
        detail["filters"] = filters.in_use()
    audit.record_now(
        db,
        "audit.viewed",
        actor=actor,
        submission=db.get(Submission, submission_id) if submission_id else None,
        ip=ip,
        detail=detail,
    )
    return result


def actor_choices(db: Session) -> list[SelectChoice]:
    """Return a choice for every account, for the audit trail's actor filter."""
    accounts = db.execute(
        select(Clinician.id, Clinician.name, Clinician.email).order_by(func.lower(Clinician.name))
    )
    return [
        SelectChoice(str(account_id), f"{name} ({email})") for account_id, name, email in accounts
    ]
