"""Risk disclosures on a draft: recorded once, never removed, and weighed at submission.

The wizard calls `record_disclosure` in the same transaction as the step it saves, whatever
the button; at submission triage reads every disclosure, so an answer taken back stays urgent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from screening.clock import utcnow
from screening.models import Disclosure, Submission


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
