"""Escalation: urgent screenings no clinician has opened in time go to the on-call address.

`flask --app wsgi notify escalate` runs every minute (cron or a systemd timer, docs/DEPLOY.md).
Each urgent screening still unopened URGENT_ESCALATION_MINUTES after it was sent is escalated
once: an email to URGENT_ESCALATION_EMAIL and, when URGENT_WEBHOOK_URL is set, a chat message.
Like every staff notice, neither carries anything about the person, only how many screenings
wait, for how long, and a link to the urgent queue.

A screening is claimed (its `escalated_at` set) before the notice goes out, so two runs at
once never both send; if nothing could be delivered the claim is released and the next run
tries again.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, load_only

from screening.links import public_url
from screening.models import Submission, SubmissionState
from screening.notify import SMTP_TIMEOUT_SECONDS, compose, deliver
from screening.questionnaire.flags import CATEGORIES, URGENT
from screening.security import audit

log = logging.getLogger(__name__)

URGENT_QUEUE_PATH = f"/portal/?category={URGENT}&status=open"
ESCALATION_SUBJECT = "URGENT: a screening is waiting for a clinician"


def overdue_urgent(db: Session, cutoff: datetime) -> list[int]:
    """Return the ids of urgent screenings sent before `cutoff`, unopened and not escalated."""
    return list(
        db.scalars(
            select(Submission.id).where(
                Submission.state == SubmissionState.SUBMITTED,
                Submission.category_rank == CATEGORIES.index(URGENT),
                Submission.submitted_at <= cutoff,
                Submission.first_opened_at.is_(None),
                Submission.escalated_at.is_(None),
            )
        )
    )


def escalation_text(config: Any, count: int, minutes: int) -> str:
    """Say how many urgent screenings wait unopened, and where to open them."""
    waiting = "An urgent screening has" if count == 1 else f"{count} urgent screenings have"
    return (
        f"{waiting} not been opened by a clinician {minutes} minutes after it was sent. "
        f"Please open the urgent queue now: {public_url(config, URGENT_QUEUE_PATH)}"
    )


def post_webhook(url: str, text: str) -> None:
    """Post {"text": ...} to an incoming webhook (the shape Slack and Teams accept)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("URGENT_WEBHOOK_URL must be an http(s) address")
    body = json.dumps({"text": text}).encode()
    # The scheme is checked above (production requires https://): no file:// or custom schemes.
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=SMTP_TIMEOUT_SECONDS) as response:  # noqa: S310 # nosec B310
        response.read()


def send_escalation(config: Any, text: str) -> bool:
    """Send the notice by every configured channel; True if at least one delivered it."""
    channels: list[tuple[str, Callable[[], None]]] = []
    if config.get("URGENT_ESCALATION_EMAIL"):
        message = compose(config, config["URGENT_ESCALATION_EMAIL"], ESCALATION_SUBJECT, text)
        channels.append(("email", lambda: deliver(message)))
    if config.get("URGENT_WEBHOOK_URL"):
        channels.append(("webhook", lambda: post_webhook(config["URGENT_WEBHOOK_URL"], text)))
    delivered = False
    for name, send in channels:
        try:
            send()
            delivered = True
        except Exception as error:
            # The type only: an SMTP or HTTP error can echo an address back.
            log.warning("urgent escalation by %s not sent: %s", name, type(error).__name__)
    return delivered


def escalate_unopened(db: Session, config: Any, now: datetime) -> int:
    """Escalate every urgent screening unopened for too long, once; return how many were."""
    minutes = int(config["URGENT_ESCALATION_MINUTES"])
    ids = overdue_urgent(db, now - timedelta(minutes=minutes))
    if not ids:
        return 0
    claim = (
        update(Submission)
        .where(
            Submission.id.in_(ids),
            Submission.escalated_at.is_(None),
            Submission.first_opened_at.is_(None),
        )
        .values(escalated_at=now)
        .execution_options(synchronize_session=False)
    )
    claimed = db.execute(claim).rowcount
    db.commit()
    if not claimed:
        return 0
    if not send_escalation(config, escalation_text(config, claimed, minutes)):
        db.execute(
            update(Submission)
            .where(Submission.id.in_(ids), Submission.escalated_at == now)
            .values(escalated_at=None)
            .execution_options(synchronize_session=False)
        )
        db.commit()
        return 0
    escalated = (
        select(Submission)
        .where(Submission.id.in_(ids), Submission.escalated_at == now)
        .options(load_only(Submission.id))
    )
    for submission in db.scalars(escalated):
        audit.record(db, "submission.escalated", submission=submission, detail={"after": minutes})
    db.commit()
    log.info("urgent escalation sent for %d screening(s)", claimed)
    return claimed
