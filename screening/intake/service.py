"""Draft and submission lifecycle: start, save a section, resume, submit. Services commit.

A draft is found only through the hash of an opaque token held in the person's session (or
of a resume token from a link). One browser holds a draft at a time; a resume link works once
and moves the draft to the browser that used it. Submitting happens once, in one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, load_only

from screening.clock import as_utc, utcnow
from screening.intake.disclosures import (
    has_disclosed,
    record_disclosure,
)
from screening.models import Submission, SubmissionState
from screening.models.draft_progress import DraftProgress, RawInput
from screening.questionnaire.conditions import enabled_sections, prune_answers
from screening.questionnaire.flags import CATEGORIES, URGENT
from screening.questionnaire.model import Questionnaire, Section
from screening.questionnaire.triage import RuleSet, triage_response
from screening.security.crypto import BlindIndex, token_digest

CONSENT = "consent"  # the role of the section asked on the review page
# A resume link opened while another browser used the draft this recently asks first.
ACTIVE_ELSEWHERE = timedelta(minutes=30)


def new_token() -> str:
    """Return a fresh unguessable bearer token."""
    return secrets.token_urlsafe(32)


def new_public_id() -> str:
    """Return a fresh public id that never starts with "-".

    A leading "-" reads as an option on a command line and as a formula in a spreadsheet (the
    CSV export would have to prefix it, and the id copied from it would not be found).
    """
    while (public_id := secrets.token_urlsafe(16)).startswith("-"):
        pass
    return public_id


def wizard_steps(q: Questionnaire, answers: dict[str, Any]) -> list[Section]:
    """Return the sections a person answers step by step (consent is on the review page)."""
    return [s for s in enabled_sections(q, answers) if s.role != CONSENT]


def always_shown_steps(q: Questionnaire) -> list[Section]:
    """Return the steps every person is shown, in order: the dashboard's funnel counts these
    (whether a conditional step was shown would say something about the answers)."""
    return [s for s in q.sections if not s.enable_when and s.role != CONSENT]


def furthest_step(q: Questionnaire, completed: Iterable[str], before: int | None) -> int:
    """Return how far through the always-shown steps a person has come: the position of the
    furthest one finished (never less than `before`, so going back keeps how far they got)."""
    done = set(completed)
    steps = always_shown_steps(q)
    reached = max((n for n, s in enumerate(steps, 1) if s.link_id in done), default=0)
    return max(reached, before or 0)


def referral_code(q: Questionnaire, answers: Mapping[str, Any]) -> str | None:
    """Return how the person heard of the clinic as an option code ("other" for their own
    words, which are never copied out of the encrypted answers), or None if unanswered."""
    item = q.role_item("referral-source")
    value = q.role_answer("referral-source", answers)
    if item is None or not isinstance(value, str) or not value:
        return None
    return value if item.option(value) is not None else "other"


def step_count(q: Questionnaire) -> int:
    """Return how many steps the screening has, counting every section that may apply and the
    review page: fixed from the start, so "Step 3 of 12" never changes its total."""
    return sum(1 for s in q.sections if s.role != CONSENT) + 1


def step_position(
    q: Questionnaire, answers: dict[str, Any], section: Section
) -> tuple[int, list[Section]]:
    """Return a step's number among all steps, and the steps just before it that were skipped
    because they do not apply to these answers (shown as skipped, still counted)."""
    steps = [s for s in q.sections if s.role != CONSENT]
    applying = {s.link_id for s in wizard_steps(q, answers)}
    ids = [s.link_id for s in steps]
    number = ids.index(section.link_id) + 1 if section.link_id in ids else len(steps)
    skipped: list[Section] = []
    for earlier in reversed(steps[: number - 1]):
        if earlier.link_id in applying:
            break
        skipped.insert(0, earlier)
    return number, skipped


def skipped_steps(q: Questionnaire, answers: dict[str, Any]) -> list[Section]:
    """Return the steps that do not apply to these answers (counted, shown as skipped)."""
    applying = wizard_steps(q, answers)
    return [s for s in q.sections if s.role != CONSENT and s not in applying]


def consent_section(q: Questionnaire) -> Section:
    """Return the consent section shown on the review page (KeyError if the definition has none)."""
    section = q.role_section(CONSENT)
    if section is None:
        raise KeyError("the definition has no section with role: consent")
    return section


def start_draft(db: Session, q: Questionnaire, language: str) -> tuple[Submission, str]:
    """Create an empty draft and return it with the token for the person's session."""
    token = new_token()
    draft = Submission(
        public_id=new_public_id(),
        state=SubmissionState.DRAFT,
        language=language,
        definition_version=q.version,
        answers={},
        progress=DraftProgress(),
        draft_token_hash=token_digest(token),
    )
    db.add(draft)
    db.commit()
    return draft, token


# A draft, or a risk screening already in the queue that the person has not sent yet.
OPEN_TO_PERSON = or_(Submission.state == SubmissionState.DRAFT, Submission.unfinished)
# Built once: constructing the statement costs more than SQLAlchemy's cached run of it.
_DRAFT_BY_TOKEN = select(Submission).where(
    Submission.draft_token_hash == bindparam("digest"), OPEN_TO_PERSON
)
# A locked read replaces whatever the session held: the row as of the lock is what counts.
_DRAFT_BY_TOKEN_FOR_UPDATE = _DRAFT_BY_TOKEN.with_for_update().execution_options(
    populate_existing=True
)


def find_draft(db: Session, token: str | None, *, for_update: bool = False) -> Submission | None:
    """Return the draft a session token points at, while the person may still answer it.

    Every write below expects a draft read `for_update` in its transaction: without the row
    lock, two tabs saving different steps at once on PostgreSQL would each write back the
    answers they had read and one step would silently vanish, and a tab still open on a
    step could rewrite a screening another tab had sent. (SQLite's BEGIN IMMEDIATE already
    serialises write requests.)
    """
    if not token:
        return None
    query = _DRAFT_BY_TOKEN_FOR_UPDATE if for_update else _DRAFT_BY_TOKEN
    return db.scalars(query, {"digest": token_digest(token)}).first()


def completed_sections(draft: Submission) -> list[str]:
    """Return the ids of sections saved with Next."""
    return list(draft.progress.completed)


def pending_input(draft: Submission, section_id: str) -> RawInput | None:
    """Return what was typed on a step but not yet accepted (errors, Back, save for later)."""
    return draft.progress.pending.get(section_id)


def first_unfinished_step(q: Questionnaire, draft: Submission) -> Section | None:
    """Return the earliest step not yet completed, or None when every step is done."""
    done = set(completed_sections(draft))
    for section in wizard_steps(q, draft.answers or {}):
        if section.link_id not in done:
            return section
    return None


def step_is_reachable(q: Questionnaire, draft: Submission, section_id: str) -> bool:
    """A step is reachable only when every step before it is complete (no skipping ahead)."""
    done = set(completed_sections(draft))
    for section in wizard_steps(q, draft.answers or {}):
        if section.link_id == section_id:
            return True
        if section.link_id not in done:
            return False
    return False


def _write_progress(draft: Submission, progress: DraftProgress) -> None:
    draft.progress = progress
    draft.updated_at = utcnow()


def keep_pending(
    db: Session,
    draft: Submission,
    section_id: str,
    raw: RawInput,
    *,
    disclosed: dict[str, Any] | None = None,
    crisis: bool = False,
) -> None:
    """Store what was typed on a step, unvalidated, so it is shown again and never lost.

    `disclosed`: risk answers among what was typed, recorded in the same commit; `crisis`:
    crisis resources come before the next page.
    """
    record_disclosure(db, draft, section_id, disclosed or {})
    progress = draft.progress.with_pending(section_id, raw)
    _write_progress(draft, replace(progress, crisis_pending=progress.crisis_pending or crisis))
    db.commit()


def save_section(
    db: Session,
    q: Questionnaire,
    draft: Submission,
    section: Section,
    answers: dict[str, Any],
    *,
    disclosed: dict[str, Any] | None = None,
) -> None:
    """Replace a section's answers, mark it complete and drop answers that no longer apply.

    `disclosed`: the risk answers among them, so a disclosure is recorded and crisis
    resources come before the next page. Answers, disclosure and that flag are written in one
    commit: none is ever saved without the others.
    """
    record_disclosure(db, draft, section.link_id, disclosed or {})
    merged = {
        key: value
        for key, value in (draft.answers or {}).items()
        if key not in {item.link_id for item in section.items}
    }
    merged.update(answers)
    merged = prune_answers(q, merged)
    completed = [s for s in draft.progress.completed if s != section.link_id]
    completed.append(section.link_id)
    still_enabled = {s.link_id for s in enabled_sections(q, merged)}
    progress = replace(
        draft.progress.with_pending(section.link_id, None),
        completed=tuple(s for s in completed if s in still_enabled),
        crisis_pending=draft.progress.crisis_pending or bool(disclosed),
    )
    draft.answers = merged
    _write_progress(draft, progress)
    draft.furthest_step = furthest_step(q, progress.completed, draft.furthest_step)
    db.commit()


def mark_crisis_seen(db: Session, draft: Submission) -> None:
    """Record that the crisis resources were seen; the wizard goes on."""
    seen = replace(draft.progress, crisis_pending=False, crisis_seen_at=utcnow().isoformat())
    _write_progress(draft, seen)
    db.commit()


def needs_help(db: Session, draft: Submission) -> bool:
    """Whether every page out of the wizard shows crisis resources: risk was ever disclosed."""
    return draft.progress.crisis_pending or has_disclosed(db, draft)


def sent_with_risk(db: Session, public_id: str) -> bool:
    """Whether the screening sent with this public id disclosed risk (or was triaged urgent)."""
    sent = db.scalars(
        select(Submission)
        .where(Submission.public_id == public_id, Submission.state == SubmissionState.SUBMITTED)
        .options(load_only(Submission.id, Submission.triage_category))
    ).first()
    if sent is None:
        return False
    return sent.triage_category == URGENT or has_disclosed(db, sent)


def filled_too_fast(draft: Submission, min_seconds: int) -> bool:
    """Whether the whole screening was answered faster than a person could read it."""
    return (utcnow() - as_utc(draft.created_at)).total_seconds() < min_seconds


def reopen_step(db: Session, draft: Submission, section_id: str) -> None:
    """Mark a step unfinished again, so the person is sent back to fix it."""
    completed = tuple(s for s in draft.progress.completed if s != section_id)
    _write_progress(draft, replace(draft.progress, completed=completed))
    db.commit()


def issue_resume_token(db: Session, draft: Submission, valid_days: int) -> str:
    """Create a resume link token (replacing any earlier one) valid for `valid_days`."""
    token = new_token()
    draft.resume_token_hash = token_digest(token)
    draft.resume_expires_at = utcnow() + timedelta(days=valid_days)
    db.commit()
    return token


def idle_too_long(draft: Submission, idle_minutes: int) -> bool:
    """Whether the draft has had no activity for longer than the idle limit."""
    return utcnow() - as_utc(draft.updated_at) > timedelta(minutes=idle_minutes)


def touch_draft(db: Session, draft: Submission) -> None:
    """Count this moment as activity on the draft (the person is still there)."""
    draft.updated_at = utcnow()
    db.commit()


def release_draft(db: Session, draft: Submission) -> None:
    """Let go of an idle draft: no browser holds it until its resume link is used."""
    draft.draft_token_hash = None
    db.commit()


def was_taken_over(db: Session, token: str | None) -> bool:
    """Whether this session token held a draft that a resume link then moved elsewhere."""
    if not token:
        return False
    return (
        db.scalars(
            select(Submission.id).where(
                Submission.released_token_hash == token_digest(token), OPEN_TO_PERSON
            )
        ).first()
        is not None
    )


def resumable_draft(
    db: Session, resume_token: str, *, for_update: bool = False
) -> Submission | None:
    """Return the draft a resume link opens if the link is unused and unexpired.

    Locked `for_update` only when it is about to be taken over: the pages that just ask read.
    """
    query = (
        select(Submission)
        .where(Submission.resume_token_hash == token_digest(resume_token), OPEN_TO_PERSON)
        .execution_options(populate_existing=True)
    )
    draft = db.scalars(query.with_for_update() if for_update else query).first()
    if draft is None or draft.resume_expires_at is None:
        return None
    if as_utc(draft.resume_expires_at) < utcnow():
        return None
    return draft


def active_elsewhere(draft: Submission, session_token: str | None, idle_minutes: int) -> bool:
    """Whether another browser holds the draft and used it recently (so ask before moving it)."""
    if draft.draft_token_hash is None:
        return False
    if session_token and draft.draft_token_hash == token_digest(session_token):
        return False
    recent = min(ACTIVE_ELSEWHERE, timedelta(minutes=idle_minutes))
    return utcnow() - as_utc(draft.updated_at) <= recent


def take_over(db: Session, draft: Submission) -> str:
    """Use up the resume link and give the draft to this browser; return its session token.

    The link works once, and the browser that held the draft loses it: whoever had the link
    or the draft before cannot read what is typed from now on.
    """
    session_token = new_token()
    if has_disclosed(db, draft):
        # Whoever continues sees the crisis resources again before any question.
        draft.progress = replace(draft.progress, crisis_pending=True)
    draft.released_token_hash = draft.draft_token_hash
    draft.draft_token_hash = token_digest(session_token)
    draft.resume_token_hash = None
    draft.resume_expires_at = None
    draft.updated_at = utcnow()
    db.commit()
    return session_token


# How the queue reaches a person, beside name, email and phone, kept (as codes) with the
# contact details so that a page of the queue never decrypts anyone's answers.
REACH_ROLES = {"contact-method": "method", "contact-times": "times", "voicemail-ok": "voicemail_ok"}


def contact_details(q: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    """Pick name, email and phone (what a clinician needs first) out of the answers by role,
    and how and when to reach them when they said."""
    found = {role: q.role_answer(role, answers) for role in ("name", "email", "phone")}
    contact: dict[str, Any] = {role: str(value) if value else None for role, value in found.items()}
    for role, key in REACH_ROLES.items():
        value = q.role_answer(role, answers)
        if value is not None and value != []:
            contact[key] = value
    return contact


def contact_fields(
    q: Questionnaire, answers: dict[str, Any], blind_index: BlindIndex
) -> dict[str, Any]:
    """The columns naming the person: contact details and their blind indexes."""
    contact = contact_details(q, answers)
    return {
        "contact": contact,
        "email_index": blind_index.email(contact["email"] or ""),
        "phone_index": blind_index.phone(contact["phone"] or ""),
        "name_index": blind_index.name(contact["name"] or ""),
    }


def submitted_fields(
    q: Questionnaire,
    rules: RuleSet,
    given: dict[str, Any],
    blind_index: BlindIndex,
    today: date,
    disclosed: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The columns submitting the answers given set: those that apply, triage, scores, contact."""
    answers = prune_answers(q, given)
    result = triage_response(q, rules, given, today, disclosed=disclosed)
    return {
        "answers": answers,
        **contact_fields(q, answers, blind_index),
        "flags": [flag.to_json() for flag in result.flags],
        "scores": {name: score.to_dict() for name, score in result.scores.items()},
        "triage_category": result.category,
        "category_rank": CATEGORIES.index(result.category),
        "phq9_total": result.scores["phq9"].total if "phq9" in result.scores else None,
        "gad7_total": result.scores["gad7"].total if "gad7" in result.scores else None,
        "rules_version": rules.version,
        "referral_source": referral_code(q, answers),
        # The definition the answers were pruned and triaged under: a draft started before a
        # new version was deployed is answered (and shown) under the new one.
        "definition_version": q.version,
    }


def triage_into(
    q: Questionnaire,
    rules: RuleSet,
    draft: Submission,
    given: dict[str, Any],
    blind_index: BlindIndex,
    today: date,
) -> None:
    """Triage the answers given so far onto the row: contact, flags, scores and category.

    Triage sees every answer given (urgent rules also read answers that no longer apply)
    and every risk answer ever recorded on the draft, however it was later changed.
    """
    disclosed = [event.answers for event in draft.disclosures]
    fields = submitted_fields(q, rules, given, blind_index, today, disclosed)
    del fields["answers"]  # the caller decides whether the answers given are final
    for name, value in fields.items():
        setattr(draft, name, value)


def submit_draft(
    db: Session,
    q: Questionnaire,
    rules: RuleSet,
    draft: Submission,
    consent_answers: dict[str, Any],
    blind_index: BlindIndex,
    today: date,
    language: str | None = None,
) -> Submission:
    """Triage and submit a draft in one transaction; the caller holds the row lock.

    A screening already in the queue unfinished is completed in place: same row, and the
    status and time a clinician has been working from stay.
    """
    given = {**(draft.answers or {}), **consent_answers}
    triage_into(q, rules, draft, given, blind_index, today)
    draft.answers = prune_answers(q, given)
    draft.progress = replace(draft.progress, pending={})
    if language:
        draft.language = language  # the language the person finished in
    if not draft.unfinished:
        draft.status = "new"
        draft.submitted_at = utcnow()
    draft.state = SubmissionState.SUBMITTED
    draft.unfinished = False
    draft.updated_at = utcnow()
    # The tokens die with the draft: a resume link or old session can never reopen it.
    draft.draft_token_hash = None
    draft.released_token_hash = None
    draft.resume_token_hash = None
    draft.resume_expires_at = None
    db.commit()
    return draft
