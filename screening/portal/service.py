"""Clinician workflow changes: status, assignee ("Take it"), follow-up date, notes, call
attempts, and access records.

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

from screening.clock import as_utc, utcnow
from screening.database import begin_write, transaction
from screening.models import CallAttempt, Clinician, Note, Submission, SubmissionState
from screening.portal import counts
from screening.portal.workflow import CALL_OUTCOMES, REACHED, STATUSES
from screening.security import audit

NOTE_MAX_LENGTH = 10_000
CALL_NOTE_MAX_LENGTH = 2_000


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
    """Move a screening to any status, recording the move; False if it was already there.

    Moving an unassigned screening on from "new" gives it to whoever moved it: someone is
    working on it now, and the page should say who.
    """
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
    if previous == "new" and submission.assignee_id is None:
        _claim(db, submission, actor, ip)
    return True


@transaction
def take(db: Session, submission: Submission, *, actor: Clinician, ip: str | None) -> bool:
    """Give an unassigned screening to `actor` ("Take it"); False if someone already has it."""
    return _claim(db, submission, actor, ip)


def _claim(db: Session, submission: Submission, actor: Clinician, ip: str | None) -> bool:
    """Assign to `actor` only if still unassigned: of two clinicians taking it at once, one
    wins and the other is told, instead of silently taking it over."""
    claimed = db.execute(
        update(Submission)
        .where(Submission.id == submission.id, Submission.assignee_id.is_(None))
        .values(assignee_id=actor.id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.refresh(submission, ["assignee_id"])
        return False
    set_committed_value(submission, "assignee_id", actor.id)
    audit.record(
        db,
        "submission.assigned",
        actor=actor,
        submission=submission,
        target=actor,
        ip=ip,
        detail={"from": None, "to": actor.id, "taken": True},
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
    return _set_follow_up(db, submission, on, actor, ip)


def _set_follow_up(
    db: Session, submission: Submission, on: date | None, actor: Clinician, ip: str | None
) -> bool:
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
def log_call(
    db: Session,
    submission: Submission,
    outcome: str,
    note: str,
    next_follow_up_on: date | None,
    *,
    actor: Clinician,
    ip: str | None,
) -> CallAttempt:
    """Record an attempt to reach the person (the note encrypted, the audit without it); a
    next follow-up date given becomes the screening's follow-up date."""
    if outcome not in CALL_OUTCOMES:
        raise WorkflowError(f"unknown call outcome {outcome!r}")
    note = note.strip()
    if len(note) > CALL_NOTE_MAX_LENGTH:
        raise WorkflowError(f"a call note holds at most {CALL_NOTE_MAX_LENGTH} characters")
    attempt = CallAttempt(
        submission_id=submission.id,
        clinician_id=actor.id,
        created_at=utcnow(),
        outcome=outcome,
        note=note or None,
        next_follow_up_on=next_follow_up_on,
    )
    db.add(attempt)
    if submission.first_call_at is None:  # the dashboard's time to first contact reads it
        submission.first_call_at = attempt.created_at
    db.flush()
    audit.record(
        db,
        "submission.call-logged",
        actor=actor,
        submission=submission,
        ip=ip,
        detail={"attempt": attempt.id, "outcome": outcome},
    )
    if next_follow_up_on is not None:
        _set_follow_up(db, submission, next_follow_up_on, actor, ip)
    else:
        _touch(submission)
    return attempt


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
    """One entry in the timeline, with its author's name: a note, or a call attempt (its
    outcome, its note if any, and the follow-up date it set)."""

    body: str
    author: str
    created_at: datetime
    outcome: str | None = None
    next_follow_up_on: date | None = None


def notes_timeline(db: Session, submission: Submission) -> list[NoteEntry]:
    """Return the screening's notes and call attempts, newest first."""
    notes = db.execute(
        select(Note, Clinician.name)
        .join(Clinician, Clinician.id == Note.author_id)
        .where(Note.submission_id == submission.id)
        .order_by(Note.created_at.desc(), Note.id.desc())
    )
    calls = db.execute(
        select(CallAttempt, Clinician.name)
        .join(Clinician, Clinician.id == CallAttempt.clinician_id)
        .where(CallAttempt.submission_id == submission.id)
        .order_by(CallAttempt.created_at.desc(), CallAttempt.id.desc())
    )
    entries = [NoteEntry(note.body, name, note.created_at) for note, name in notes] + [
        NoteEntry(call.note or "", name, call.created_at, call.outcome, call.next_follow_up_on)
        for call, name in calls
    ]
    # A stable sort: entries made in the same instant keep their newest-first order.
    return sorted(entries, key=lambda entry: as_utc(entry.created_at), reverse=True)


@dataclass(frozen=True)
class SubmissionRecord:
    """A screening as its page shows it: the submission, its notes and the clinician roster."""

    submission: Submission
    notes: list[NoteEntry]
    roster: Roster

    @property
    def unanswered_calls(self) -> int:
        """How many call attempts in a row, counting back from the latest, did not reach them."""
        streak = 0
        for entry in self.notes:
            if entry.outcome == REACHED:
                break
            if entry.outcome is not None:
                streak += 1
        return streak

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
