"""Clinician workflow changes: status, assignee, follow-up date, notes, and access records.

Views parse and render; these functions decide, write and commit, each change together with
its audit event (ids and codes only, never answers, names or note text). The history of a
screening's status, assignee and follow-up date lives in those audit events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from screening.database import side_write_session
from screening.models import Clinician, Note, Submission, SubmissionState
from screening.models.submission import utcnow
from screening.portal import counts
from screening.portal.workflow import STATUSES
from screening.security import audit

NOTE_MAX_LENGTH = 10_000


class WorkflowError(ValueError):
    """A change that cannot be made (unknown status, inactive assignee, empty note)."""


def find_submitted(db: Session, public_id: str) -> Submission | None:
    """Return the submitted screening with this public id; drafts are never found."""
    return db.scalars(
        select(Submission).where(
            Submission.public_id == public_id, Submission.state == SubmissionState.SUBMITTED
        )
    ).first()


@dataclass(frozen=True)
class Roster:
    """Every clinician's name by id, and the active ones a screening can be given to."""

    names: dict[int, str]
    assignable: list[tuple[int, str]]


def clinician_roster(db: Session) -> Roster:
    """Read every clinician's id, name and whether active in one query (a small table)."""
    rows = db.execute(
        select(Clinician.id, Clinician.name, Clinician.active).order_by(
            Clinician.name, Clinician.id
        )
    ).all()
    return Roster(
        names={cid: name for cid, name, _active in rows},
        assignable=[(cid, name) for cid, name, active in rows if active],
    )


def _touch(submission: Submission) -> None:
    submission.updated_at = utcnow()


def change_status(
    db: Session, submission: Submission, status: str, *, actor: Clinician, ip: str | None
) -> bool:
    """Move a screening to any status, recording the move; False if it was already there."""
    if status not in STATUSES:
        raise WorkflowError(f"unknown status {status!r}")
    previous = submission.status
    if status == previous:
        return False
    submission.status = status
    _touch(submission)
    audit.record(
        db,
        "submission.status-changed",
        actor=actor,
        submission=submission,
        ip=ip,
        detail={"from": previous, "to": status},
    )
    db.commit()
    return True


def assign(
    db: Session,
    submission: Submission,
    assignee_id: int | None,
    *,
    actor: Clinician,
    ip: str | None,
) -> bool:
    """Give a screening to an active clinician (or to nobody); False if nothing changed."""
    assignee = None
    if assignee_id is not None:
        assignee = db.get(Clinician, assignee_id)
        if assignee is None or not assignee.active:
            raise WorkflowError("assignee must be an active clinician")
    previous = submission.assignee_id
    if previous == assignee_id:
        return False
    submission.assignee_id = assignee_id
    _touch(submission)
    audit.record(
        db,
        "submission.assigned",
        actor=actor,
        submission=submission,
        target=assignee,
        ip=ip,
        detail={"from": previous, "to": assignee_id},
    )
    db.commit()
    return True


def set_follow_up(
    db: Session, submission: Submission, on: date | None, *, actor: Clinician, ip: str | None
) -> bool:
    """Set or clear the follow-up date; False if nothing changed."""
    previous = submission.follow_up_on
    if previous == on:
        return False
    submission.follow_up_on = on
    _touch(submission)
    audit.record(
        db,
        "submission.follow-up-set",
        actor=actor,
        submission=submission,
        ip=ip,
        detail={
            "from": previous.isoformat() if previous else None,
            "to": on.isoformat() if on else None,
        },
    )
    db.commit()
    return True


def add_note(
    db: Session, submission: Submission, body: str, *, actor: Clinician, ip: str | None
) -> Note:
    """Add a note (encrypted at rest) to the screening's timeline."""
    body = body.strip()
    if not body:
        raise WorkflowError("a note needs some text")
    if len(body) > NOTE_MAX_LENGTH:
        raise WorkflowError(f"a note holds at most {NOTE_MAX_LENGTH} characters")
    note = Note(submission_id=submission.id, author_id=actor.id, body=body, created_at=utcnow())
    db.add(note)
    db.flush()
    audit.record(
        db,
        "submission.note-added",
        actor=actor,
        submission=submission,
        ip=ip,
        detail={"note": note.id},
    )
    db.commit()
    return note


@dataclass(frozen=True)
class NoteEntry:
    """One note in the timeline, with its author's name."""

    body: str
    author: str
    created_at: datetime


def notes_timeline(db: Session, submission: Submission) -> list[NoteEntry]:
    """Return the screening's notes, newest first."""
    rows = db.execute(
        select(Note, Clinician.name)
        .join(Clinician, Clinician.id == Note.author_id)
        .where(Note.submission_id == submission.id)
        .order_by(Note.created_at.desc(), Note.id.desc())
    )
    return [NoteEntry(note.body, name, note.created_at) for note, name in rows]


def record_access(
    action: str,
    *,
    actor: Clinician | None,
    submission: Submission | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
    db: Session | None = None,
    opened: bool = False,
) -> None:
    """Audit a read (view, print, export) and commit it.

    `opened`: a clinician read the screening itself, so the first to do so is recorded too.

    Pass `db` when the caller already holds a write transaction (a POST re-rendering a page).
    Otherwise the event gets its own short BEGIN IMMEDIATE transaction: a page's read session
    would have to upgrade its lock to write, which SQLite can refuse under load.
    """
    own = db is None
    session = side_write_session() if db is None else db
    try:
        audit.record(session, action, actor=actor, submission=submission, ip=ip, detail=detail)
        if opened and submission is not None and actor is not None:
            mark_first_opened(session, submission, actor)
        session.commit()
    finally:
        if own:
            session.close()


def mark_first_opened(db: Session, submission: Submission, actor: Clinician) -> None:
    """Record who opened the screening first and when; later openings change nothing.

    A conditional UPDATE, so two clinicians opening it at once cannot both be first. The
    loaded submission is told the values without being marked changed (it may belong to
    another session than `db`).
    """
    if submission.first_opened_at is not None:
        return
    now = utcnow()
    claimed = db.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.first_opened_at.is_(None))
        .values(first_opened_at=now, first_opened_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount:
        set_committed_value(submission, "first_opened_at", now)
        set_committed_value(submission, "first_opened_by_id", actor.id)


def fold_submission_counts() -> None:
    """Fold the queue's counts ledger, in its own short write transaction."""
    session = side_write_session()
    try:
        counts.fold(session)
        session.commit()
    finally:
        session.close()
