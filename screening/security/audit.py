"""Record audit events in a hash chain: each row stores the hash of the one before it.

`record` adds the event to the caller's session so it commits (or rolls back) together with
the action it describes. Events hold ids, actions and codes, never answers or names.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from screening.models import AuditEvent, Clinician, Submission
from screening.models.submission import utcnow

# Serialises chain appends on PostgreSQL; SQLite write transactions are already exclusive.
AUDIT_CHAIN_LOCK = 7_310_001


def canonical_time(moment: datetime) -> str:
    """Format a timestamp the same way whether the database kept its zone or not."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    """Hash an event's content together with the previous event's hash."""
    content = {
        "prev": event.prev_hash,
        "at": canonical_time(event.at),
        "actor": event.actor_id,
        "action": event.action,
        "outcome": event.outcome,
        "submission": event.submission_id,
        "target": event.target_clinician_id,
        "ip": event.ip,
        "detail": event.detail,
    }
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    db: Session,
    action: str,
    *,
    actor: Clinician | None = None,
    submission: Submission | None = None,
    target: Clinician | None = None,
    outcome: str = "success",
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event to the chain in the caller's transaction (the caller commits)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})
    db.flush()
    previous = db.scalars(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor else None,
        action=action,
        outcome=outcome,
        submission_id=submission.id if submission else None,
        target_clinician_id=target.id if target else None,
        ip=ip,
        detail=detail,
        prev_hash=previous,
    )
    event.hash = event_hash(event)
    db.add(event)
    return event


def verify_chain(db: Session) -> list[int]:
    """Return the ids of events whose hash or link does not match (empty when intact)."""
    broken: list[int] = []
    previous: str | None = None
    for event in db.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        if event.prev_hash != previous or event_hash(event) != event.hash:
            broken.append(event.id)
        previous = event.hash
    return broken
