"""`flask submissions export`: every submitted screening as CSV or as a FHIR Bundle;
`flask submissions refresh-contact`: contact details rebuilt from the answers;
`flask submissions refresh-dashboard`: the dashboard's plain columns filled from them.

    flask --app wsgi submissions export --format csv  [--since 2026-01-01] [--output FILE]
    flask --app wsgi submissions export --format fhir [--since 2026-01-01] [--output FILE]
    flask --app wsgi submissions refresh-contact
    flask --app wsgi submissions refresh-dashboard

FHIR output is one Bundle (type "collection") of QuestionnaireResponses, written entry by
entry so memory stays flat. Files are created readable by their owner only (they hold health
information). Every export is audited with no actor (the command line has no clinician).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import load_only

from screening.database import new_session
from screening.intake.service import contact_details, furthest_step, referral_code
from screening.models import Submission, SubmissionState
from screening.portal import exports, queue
from screening.questionnaire_registry import registry
from screening.security.audit import record, record_now

submissions_cli = AppGroup("submissions", help="Submitted screenings: exports, upkeep.")

FHIR_COLUMNS = ("public_id", "submitted_at", "answers", "definition_version", "triage_category")
# Screenings per transaction in `refresh-contact`.
REFRESH_BATCH = 500


@dataclass
class Tally:
    """Counts rows as they stream past (the total is only known at the end)."""

    rows: int = 0

    def over(self, items: Iterable[Submission]) -> Iterator[Submission]:
        """Yield the items, counting them."""
        for item in items:
            self.rows += 1
            yield item


def open_private(path: Path) -> TextIO:
    """Create (or replace) a file that only its owner can read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


@submissions_cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "fhir"]),
    required=True,
    help="csv: one row per screening; fhir: a FHIR R4 Bundle of QuestionnaireResponses.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Only screenings submitted on or after this date (YYYY-MM-DD, UTC).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (created owner-only) instead of standard output.",
)
def export_command(fmt: str, since: datetime | None, output: Path | None) -> None:
    """Export submitted screenings in queue order (urgent first, then oldest first)."""
    reg = registry()
    f = queue.QueueFilter(submitted_from=since.date() if since else None, sort="triage")
    tally = Tally()
    with new_session() as db:
        columns = exports.CSV_COLUMNS_LOADED if fmt == "csv" else FHIR_COLUMNS
        submissions = queue.iter_matching(db, f, None, columns=columns)
        if fmt == "csv":
            chunks = exports.csv_lines(tally.over(submissions), reg)
        else:
            base_url = current_app.config["PUBLIC_BASE_URL"]
            chunks = exports.fhir_bundle_chunks(tally.over(submissions), reg, base_url)
        with open_private(output) if output else nullcontext(sys.stdout) as target:
            for chunk in chunks:
                target.write(chunk)
    with new_session(write=True) as db:
        record_now(
            db,
            "submissions.exported-cli",
            actor=None,
            detail={
                "format": fmt,
                "since": since.date().isoformat() if since else None,
                "rows": tally.rows,
                "to": "file" if output else "stdout",
            },
        )
    if output:
        click.echo(f"Exported {tally.rows} screenings to {output}.", err=True)


@submissions_cli.command("refresh-contact")
def refresh_contact_command() -> None:
    """Rebuild each screening's contact details from its answers: screenings sent before the
    queue showed how and when to call lack them (run once after upgrading)."""
    reg = registry()
    changed = 0
    after_id = 0
    # One transaction per batch, so memory stays flat at any table size; the command is
    # idempotent, so a run stopped half-way is simply run again.
    while True:
        with new_session(write=True) as db:
            batch = db.scalars(
                select(Submission)
                .where(Submission.state == SubmissionState.SUBMITTED, Submission.id > after_id)
                .order_by(Submission.id)
                .limit(REFRESH_BATCH)
                .options(
                    load_only(Submission.contact, Submission.answers, Submission.definition_version)
                )
            ).all()
            if not batch:
                record(db, "submissions.contact-refreshed", actor=None, detail={"rows": changed})
                db.commit()
                break
            for submission in batch:
                q = reg.for_version(submission.definition_version)
                fresh = {
                    **(submission.contact or {}),
                    **contact_details(q, submission.answers or {}),
                }
                if fresh != submission.contact:
                    submission.contact = fresh
                    changed += 1
            after_id = batch[-1].id
            db.commit()
    click.echo(f"Refreshed the contact details of {changed} screenings.")


@submissions_cli.command("refresh-dashboard")
def refresh_dashboard_command() -> None:
    """Fill the dashboard's plain columns from the encrypted answers and progress: how far each
    draft came and how each sent screening's person heard of the clinic (run once after
    upgrading to migration 0014; later screenings get them as they are saved and sent)."""
    reg = registry()
    changed = 0
    with new_session(write=True) as db:
        query = (
            select(Submission)
            .options(
                load_only(
                    Submission.state,
                    Submission.answers,
                    Submission.progress,
                    Submission.definition_version,
                    Submission.furthest_step,
                    Submission.referral_source,
                )
            )
            .execution_options(yield_per=500)
        )
        for submission in db.scalars(query):
            q = reg.for_version(submission.definition_version)
            furthest = furthest_step(q, submission.progress.completed, submission.furthest_step)
            referral = (
                referral_code(q, submission.answers or {})
                if submission.state == SubmissionState.SUBMITTED
                else None
            )
            if (furthest, referral) != (submission.furthest_step, submission.referral_source):
                submission.furthest_step, submission.referral_source = furthest, referral
                changed += 1
        record(db, "submissions.dashboard-refreshed", actor=None, detail={"rows": changed})
        db.commit()
    click.echo(f"Refreshed the dashboard columns of {changed} screenings.")
