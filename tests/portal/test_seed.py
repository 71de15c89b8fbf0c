"""`flask dev seed`: synthetic screenings that went through the real triage and validation."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime

from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select

from screening.database import new_session
from screening.devtools import AnswerGenerator, make_persona
from screening.intake import service as intake_service
from screening.intake.forms import first_invalid_section
from screening.models import Submission, SubmissionState
from screening.portal import counts
from screening.questionnaire.triage import triage_response
from screening.questionnaire_registry import registry


def stored(app: Flask) -> list[Submission]:
    """Every submission, decrypted."""
    with app.app_context():
        db = new_session()
        try:
            rows = list(db.scalars(select(Submission).order_by(Submission.id)))
            for row in rows:
                _ = (row.answers, row.flags, row.scores, row.contact)
            return rows
        finally:
            db.close()


def test_seed_command_adds_submitted_screenings_triaged_by_the_real_rules(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["dev", "seed", "--count", "120", "--seed", "7", "--batch-size", "50"]
    )
    assert result.exit_code == 0, result.output
    assert "Seeded 120 synthetic submissions" in result.output
    rows = stored(app)
    assert len(rows) == 120
    assert {row.state for row in rows} == {SubmissionState.SUBMITTED}
    today = datetime.now(UTC).date()
    with app.app_context():
        reg = registry()
        for row in rows:
            again = triage_response(reg.current, reg.rules, row.answers, today)
            assert row.triage_category == again.category
            assert [flag["id"] for flag in row.flags] == [flag.id for flag in again.flags]
            assert row.email_index and row.phone_index and row.name_index
            assert row.contact["email"].endswith("@example.org")
            assert "555-01" in row.contact["phone"]
    assert len({row.triage_category for row in rows}) >= 3
    assert {row.language for row in rows} == {"en", "es"}
    # Weight and height come from one plausible adult body, not the form's allowed range.
    bmis = [row.scores["bmi"]["total"] for row in rows if "bmi" in row.scores]
    assert len(bmis) >= 20 and 15 <= min(bmis) <= max(bmis) <= 62
    assert 25 <= statistics.median(bmis) <= 34
    # The counts ledger is folded after the load: one row per cell, not one per screening.
    with app.app_context():
        db = new_session()
        try:
            cells, ledger_rows = counts.read_counts(db)
        finally:
            db.close()
    assert ledger_rows == len(cells) < 120
    assert sum(cells.values()) == 120


def test_seeded_answers_pass_the_wizard_validation(app: Flask) -> None:
    with app.app_context(), force_locale("en"):
        reg = registry()
        q = reg.current
        today = datetime.now(UTC).date()
        generator = AnswerGenerator(q, reg.rules, random.Random(3), today)
        for _ in range(40):
            answers = generator.answers(
                make_persona(generator.rng), intake_service.consent_section(generator.q).link_id
            )
            steps = [*intake_service.wizard_steps(q, answers), intake_service.consent_section(q)]
            broken = first_invalid_section(steps, answers, "en", today)
            assert broken is None, (broken.link_id if broken else None, answers)


def test_seed_is_refused_in_production(app: Flask) -> None:
    app.config["PRODUCTION"] = True
    result = app.test_cli_runner().invoke(args=["dev", "seed", "--count", "5"])
    assert result.exit_code != 0
    assert "refused in production" in result.output
    with app.app_context():
        db = new_session()
        assert db.scalar(select(func.count()).select_from(Submission)) == 0
        db.close()
