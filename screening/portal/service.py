"""Clinician workflow changes: status, assignee, follow-up date, notes, and access records.

Views parse and render; these functions decide, write and commit: each change together with
its audit event (ids and codes only, never answers, names or note text), and each read of a
screening together with the event that records it. The history of a screening's status,
assignee and follow-up date lives in those audit events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from screening.clock import utcnow
from screening.database import begin_write, transaction
from screening.models import Clinician, Note, Submission, SubmissionState
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


@transaction
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
    return True


@transaction
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
    return True


@transaction
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
    return True


@transaction
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


@dataclass(frozen=True)
class SubmissionRecord:
    """A screening as its page shows it: the submission, its notes and the clinician roster."""

    submission: Submission
    notes: list[NoteEntry]
    roster: Roster

    @property
    def assignee_name(self) -> str | None:
        """The name of the clinician the screening is given to, if any."""
        assignee_id = self.submission.assignee_id
        return self.roster.names.get(assignee_id) if assignee_id else None


@transaction
def view_submission(
    db: Session, actor: Clinician, public_id: str, *, ip: str | None, action: str
) -> SubmissionRecord | None:
    """Read a submitted screening for its page and audit the reading, in one transaction.

    None, with nothing audited, when no submitted screening has this public id.
    """
    begin_write(db)
    submission = find_submitted(db, public_id)
    if submission is None:
        return None
    record = SubmissionRecord(submission, notes_timeline(db, submission), clinician_roster(db))
    mark_first_opened(db, submission, actor)
    # Last: from here to the commit every other audited request waits for the chain's lock.
    audit.record(db, action, actor=actor, submission=submission, ip=ip)
    return record


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


@transaction
def fold_submission_counts(db: Session) -> None:
    """Fold the queue's counts ledger, in a short write transaction of its own."""
    begin_write(db)
    counts.fold(db)
