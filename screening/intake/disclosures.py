"""Risk disclosures on a draft: recorded once, never removed, and weighed at submission.

The wizard calls `record_disclosure` in the same transaction as the step it saves, whatever
the button; `changed_after_disclosure` is the flag triage gets when a disclosed answer is no
longer among the answers sent, so a clinician still reads it first.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from screening.clock import utcnow
from screening.models import Disclosure, Submission
from screening.questionnaire.triage import Evidence, Flag

# Caution: the screening is read before those without flags (needs-review), not as urgent.
CHANGED_FLAG_ID = "disclosed-then-changed"
CHANGED_FLAG_REASON = (
    "Gave a risk answer while answering, then changed or removed it before sending: ask about it."
)


def earlier_disclosures(db: Session, draft: Submission) -> list[Disclosure]:
    """Return the draft's disclosures, oldest first."""
    return list(
        db.scalars(
            select(Disclosure)
            .where(Disclosure.submission_id == draft.id)
            .order_by(Disclosure.disclosed_at, Disclosure.id)
        )
    )


def record_disclosure(
    db: Session, draft: Submission, section_id: str, disclosed: dict[str, Any]
) -> None:
    """Add a disclosure for the risk answers not recorded before; the caller commits."""
    if not disclosed:
        return
    given = [event.answers for event in earlier_disclosures(db, draft)]
    new = {
        link_id: answer
        for link_id, answer in disclosed.items()
        if all(event.get(link_id) != answer for event in given)
    }
    if new:
        db.add(
            Disclosure(
                submission_id=draft.id,
                disclosed_at=utcnow(),
                detail={"section": section_id, "answers": new},
            )
        )


def has_disclosed(db: Session, draft: Submission) -> bool:
    """Whether a risk answer was ever given on this draft."""
    return bool(db.scalar(select(exists().where(Disclosure.submission_id == draft.id))))


def changed_after_disclosure(disclosures: list[Disclosure], answers: dict[str, Any]) -> Flag | None:
    """Return a flag when a question once answered with risk was finally answered otherwise."""
    given: dict[str, list[Any]] = {}
    for event in disclosures:
        for link_id, answer in event.answers.items():
            given.setdefault(link_id, []).append(answer)
    withdrawn = tuple(
        Evidence(link_id, answer)
        for link_id, answers_given in given.items()
        if answers.get(link_id) not in answers_given
        for answer in answers_given
    )
    return Flag(CHANGED_FLAG_ID, "caution", CHANGED_FLAG_REASON, withdrawn) if withdrawn else None
