"""A person at risk reaches a clinician today: their screening enters the queue unfinished.

Two ways in, one mechanism. The person asks the clinic to contact them today (a button beside
the crisis resources), or a draft with a disclosure is left idle for RISK_DRAFT_SURFACE_MINUTES
(`flask notify escalate` finds it). Either way the answers so far are triaged onto the row,
which becomes a submitted, urgent screening marked unfinished: the counts triggers see the
state change like any submit, and escalation treats it like any urgent screening. The person
may still finish it; sending then completes the same row (service.submit_draft).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from screening.clock import as_utc, utcnow
from screening.intake.service import triage_into
from screening.models import Disclosure, Submission, SubmissionState
from screening.notify import notify_new_submission
from screening.questionnaire_registry import QuestionnaireRegistry
from screening.security.crypto import BlindIndex

log = logging.getLogger(__name__)


def surface(
    db: Session,
    registry: QuestionnaireRegistry,
    draft: Submission,
    blind_index: BlindIndex,
    today: date,
) -> bool:
    """Put a draft in the queue now as an unfinished screening; False if it already is there.

    The caller holds the row lock (or a fresh row read); this commits.
    """
    if draft.state != SubmissionState.DRAFT:
        return False
    q = registry.for_version(draft.definition_version)
    triage_into(q, registry.rules, draft, dict(draft.answers or {}), blind_index, today)
    draft.state = SubmissionState.SUBMITTED
    draft.unfinished = True
    draft.status = "new"
    draft.submitted_at = utcnow()
    db.commit()
    return True


def ask_for_contact(
    db: Session,
    registry: QuestionnaireRegistry,
    draft: Submission,
    blind_index: BlindIndex,
    today: date,
    contact: dict[str, Any] | None = None,
) -> None:
    """The person asked to be contacted today: queue the screening, tell staff, clear the notice.

    `contact`: answers from the contact-today form, saved with it. They have the crisis
    resources on the page that follows, so the notice is marked seen.
    """
    if contact:
        draft.answers = {**(draft.answers or {}), **contact}
    newly = surface(db, registry, draft, blind_index, today)
    draft.progress = replace(
        draft.progress, crisis_pending=False, crisis_seen_at=utcnow().isoformat()
    )
    draft.updated_at = utcnow()
    db.commit()
    if newly:
        notify_new_submission(draft)
        log.info("screening queued unfinished: contact asked for")


def idle_risk_drafts(db: Session, cutoff: datetime) -> list[int]:
    """Return the ids of drafts with a disclosure and no activity since `cutoff`."""
    return list(
        db.scalars(
            select(Submission.id).where(
                Submission.state == SubmissionState.DRAFT,
                Submission.updated_at <= cutoff,
                exists().where(Disclosure.submission_id == Submission.id),
            )
        )
    )


def surface_idle_risk_drafts(
    db: Session,
    registry: QuestionnaireRegistry,
    config: Any,
    blind_index: BlindIndex,
    now: datetime,
) -> int:
    """Queue every risk draft idle for RISK_DRAFT_SURFACE_MINUTES (0: never); return how many."""
    minutes = int(config["RISK_DRAFT_SURFACE_MINUTES"])
    if minutes <= 0:
        return 0
    surfaced = 0
    for draft_id in idle_risk_drafts(db, now - timedelta(minutes=minutes)):
        draft = db.get(Submission, draft_id, with_for_update=True, populate_existing=True)
        # Locked and re-read: the person may have come back, or another run got there first.
        cutoff = now - timedelta(minutes=minutes)
        if (
            draft is None
            or draft.state != SubmissionState.DRAFT
            or as_utc(draft.updated_at) > cutoff
        ):
            db.rollback()
            continue
        if surface(db, registry, draft, blind_index, now.date()):
            notify_new_submission(draft)
            surfaced += 1
    if surfaced:
        log.info("idle risk drafts queued unfinished: %d", surfaced)
    return surfaced


def unfinished_risk_notice(minutes: int) -> str:
    """Say, before the first question, what the clinic sees of a screening left unfinished."""
    if minutes <= 0:
        return _(
            "The clinic does not see an unfinished screening: nothing you answer reaches a "
            "clinician until you send it."
        )
    return _(
        "If you tell us you are thinking about harming yourself and then stop before sending "
        "the screening, the clinic sees your answers so far after %(minutes)s minutes without "
        "activity, so that a clinician can try to reach you.",
        minutes=minutes,
    )
