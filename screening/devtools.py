"""Development tools: `flask --app wsgi dev seed --count N` fills the queue with synthetic people.

Answers are random but valid for the definition (required questions answered, conditional
ones only when they apply, codes from the options, lengths and ranges respected), with risky
answers made rare by weighting them from the triage rules themselves. Each answer set goes
through the real `submit_draft`, so triage, scores, encryption and blind indexes are exactly
what a real submission gets. Rows are encrypted in batches of thousands and written with one
COPY (PostgreSQL) or executemany per batch and one commit: a million take minutes, not hours.

Every name, email and phone number is made up (555 numbers, example.* domains).
"""

from __future__ import annotations

import random
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from psycopg import sql
from sqlalchemy import column, insert, select, table
from sqlalchemy.orm import Session

from screening.clock import utcnow
from screening.database import new_session
from screening.intake import service as intake_service
from screening.models import Clinician, DraftProgress, Submission, SubmissionState
from screening.questionnaire.conditions import is_enabled
from screening.questionnaire.instruments import INSTRUMENTS
from screening.questionnaire.model import Item, Questionnaire
from screening.questionnaire.triage import RuleSet, answer_severity, triage_inputs
from screening.questionnaire_registry import registry
from screening.security.crypto import BlindIndex
from screening.security.encrypted_types import EncryptedJSON

dev_cli = AppGroup("dev", help="Development helpers: synthetic data. Refused in production.")

# How likely an answer that raises a flag of each severity is, relative to a harmless one.
RISK_WEIGHTS = {"urgent": 0.03, "exclusion": 0.006, "caution": 0.03}
# Each point on a flag-raising instrument makes an option this much less likely.
LOW_POINTS_FACTOR = 0.35
# Chance that a harmless option of a "choose all that apply" question is ticked.
TICK_CHANCE = 0.3
SPANISH_SHARE = 0.25
OPTIONAL_ANSWERED = 0.6
NONE_OPTION = "none"

# fmt: off
FIRST_NAMES = (
    "Alex", "Jordan", "Maria", "José", "Sam", "Priya", "Wei", "Fatima", "Daniel", "Lucía",
    "Chris", "Aisha", "Miguel", "Hannah", "Kenji", "Olivia", "Carlos", "Emily", "Noah",
    "Sofía", "Taylor", "Grace", "Luis", "Mei", "Omar", "Rosa", "Ethan", "Ana", "Jamal",
    "Elena",
)
LAST_NAMES = (
    "Rivera", "Nguyen", "García", "Smith", "Patel", "Kim", "Hernández", "Johnson", "López",
    "Chen", "Martínez", "Brown", "Singh", "Davis", "Ramírez", "Wilson", "Torres", "Lee",
    "Flores", "Clark", "Morales", "Walker", "Reyes", "Young", "Cruz", "Hall", "Ortiz",
    "Allen",
)
# fmt: on
AREA_CODES = ("408", "669", "831", "650", "415", "510", "925", "209", "559", "916")
PRONOUNS = ("she/her", "he/him", "they/them", "she/they", "he/they")
PHRASES = {
    "en": (
        "I would like to feel more like myself again.",
        "Sleep has been hard for a long time.",
        "My therapist suggested I look into this.",
        "I have tried several things and want to understand my options.",
        "Some days are better than others.",
        "I want to be more present with my family.",
    ),
    "es": (
        "Quisiera volver a sentirme como yo.",
        "Dormir me cuesta desde hace mucho tiempo.",
        "Mi terapeuta me sugirió informarme sobre esto.",
        "He probado varias cosas y quiero conocer mis opciones.",
        "Algunos días son mejores que otros.",
        "Quiero estar más presente con mi familia.",
    ),
}


class ProductionRefused(click.ClickException):
    """Synthetic data must never be mixed into a real clinic's records."""


@dataclass(frozen=True)
class Persona:
    """A made-up person, so their name, email and signature agree."""

    first: str
    last: str
    email: str
    phone: str
    language: str

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first} {self.last}"


def ascii_fold(value: str) -> str:
    """Drop accents for the local part of a made-up email address."""
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()


def make_persona(rng: random.Random) -> Persona:
    """Invent a person with fictional contact details."""
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email = f"{ascii_fold(first)}.{ascii_fold(last)}{rng.randint(1, 9999)}@example.org"
    phone = f"({rng.choice(AREA_CODES)}) 555-01{rng.randint(0, 99):02d}"
    language = "es" if rng.random() < SPANISH_SHARE else "en"
    return Persona(first, last, email, phone, language)


class AnswerGenerator:
    """Random, valid answers for one definition, with flag-raising answers made rare."""

    def __init__(self, q: Questionnaire, rules: RuleSet, rng: random.Random, today: date):
        self.q = q
        self.rng = rng
        self.today = today
        self.rules = rules
        # Items of an instrument whose score can raise a flag lean towards low points.
        self.low_points = triage_inputs(q, rules) & {
            item.link_id for instrument in INSTRUMENTS.values() for item in instrument.items(q)
        }
        self._weights: dict[tuple[str, Any], float] = {}

    def weight(self, item: Item, value: Any) -> float:
        """Return how likely `value` should be: lower the more severe a flag it raises alone."""
        key = (item.link_id, value)
        if key not in self._weights:
            self._weights[key] = self._weight(item, value)
        return self._weights[key]

    def _weight(self, item: Item, value: Any) -> float:
        weight = 1.0
        if item.link_id in self.low_points and isinstance(value, str):
            option = item.option(value)
            if option is not None and option.ordinal:
                weight = LOW_POINTS_FACTOR**option.ordinal
        severity = answer_severity(self.rules, item.link_id, value)
        return weight * RISK_WEIGHTS.get(severity, 1.0) if severity else weight

    def pick(self, item: Item, candidates: list[Any]) -> Any:
        """Choose among candidate answers, weighted by risk."""
        weights = [self.weight(item, value) for value in candidates]
        return self.rng.choices(candidates, weights=weights)[0]

    def answers(self, persona: Persona, consent_section: str) -> dict[str, Any]:
        """Answer every section and item that applies, in order, like a person would."""
        answers: dict[str, Any] = {}
        for section in self.q.sections:
            if not is_enabled(section, answers):
                continue
            for item in section.items:
                if item.type == "display" or not is_enabled(item, answers):
                    continue
                optional = not item.required and section.link_id != consent_section
                if optional and self.rng.random() > OPTIONAL_ANSWERED:
                    continue
                value = self.answer(item, persona, section.link_id == consent_section)
                if value is not None:
                    answers[item.link_id] = value
        return answers

    def answer(self, item: Item, persona: Persona, consent: bool) -> Any:
        """Return one valid answer for an item."""
        rng = self.rng
        if item.type == "boolean":
            return True if consent else self.pick(item, [True, False])
        if item.is_choice:
            return self.choice(item)
        if item.type in ("string", "email", "phone"):
            return self.text_for(item, persona)
        if item.type == "text":
            return rng.choice(PHRASES[persona.language])[: item.max_length or 2000]
        if item.type == "date":
            if item.min_age is not None:
                age_days = rng.randint(item.min_age * 366, 75 * 365)
                return (self.today - timedelta(days=age_days)).isoformat()
            return (self.today - timedelta(days=rng.randint(0, 365))).isoformat()
        if item.type in ("integer", "decimal"):
            return self.number(item)
        return None

    def choice(self, item: Item) -> Any:
        """Pick an option; repeating items tick each option on its own ("none" stands alone)."""
        codes = [option.code for option in item.options]
        if not item.repeats:
            return self.pick(item, codes)
        others = [code for code in codes if code != NONE_OPTION]
        chosen = [
            code for code in others if self.rng.random() < TICK_CHANCE * self.weight(item, code)
        ]
        if chosen:
            return chosen
        return [NONE_OPTION] if NONE_OPTION in codes else [self.pick(item, others)]

    def number(self, item: Item) -> int | float:
        """A value inside the item's range, mostly in its lower third (blood pressure)."""
        low = item.min_value if item.min_value is not None else 0
        high = item.max_value if item.max_value is not None else low + 100
        for _ in range(5):
            value = self.rng.triangular(low, high, low + (high - low) * 0.3)
            value = round(value) if item.type == "integer" else round(value, 1)
            if self.rng.random() < self.weight(item, value):
                break
        return value

    def text_for(self, item: Item, persona: Persona) -> str | None:
        """Fill a one-line field by what it asks for (its autocomplete purpose)."""
        by_purpose: dict[str | None, Callable[[], str | None]] = {
            "name": lambda: persona.full_name,
            "nickname": lambda: persona.first,
            "email": lambda: persona.email,
            "tel": lambda: persona.phone,
            "postal-code": lambda: f"95{self.rng.randint(0, 999):03d}",
        }
        if item.type == "email":
            return persona.email
        if item.type == "phone":
            return persona.phone
        make = by_purpose.get(item.autocomplete)
        if make is not None:
            return make()
        if item.role == "pronouns":
            return self.rng.choice(PRONOUNS)
        return self.rng.choice(PHRASES[persona.language])[: item.max_length or 200]


class _BatchCommit:
    """Stands in for the session inside `submit_draft`: the seed commits once per batch."""

    def commit(self) -> None:
        """Do nothing; the batch is committed by the caller."""


WORKFLOW_BY_AGE = (
    # (at most this many days old, statuses, weights)
    (2, ("new", "in-review"), (8, 2)),
    (14, ("new", "in-review", "contacted", "evaluation-booked"), (3, 3, 3, 1)),
    (
        10_000,
        ("new", "in-review", "contacted", "evaluation-booked", "not-a-fit", "withdrawn", "closed"),
        (1, 1, 2, 2, 1, 1, 4),
    ),
)


def set_workflow(
    submission: Submission, rng: random.Random, now: datetime, clinician_ids: list[int]
) -> None:
    """Give an older screening a plausible status, assignee and follow-up date."""
    age = (now - submission.submitted_at).days if submission.submitted_at else 0
    for max_age, statuses, weights in WORKFLOW_BY_AGE:
        if age <= max_age:
            submission.status = rng.choices(statuses, weights=weights)[0]
            break
    if clinician_ids and submission.status != "new":
        submission.assignee_id = rng.choice(clinician_ids)
    if submission.status in ("in-review", "contacted") and rng.random() < 0.6:
        assert submission.submitted_at is not None
        submission.follow_up_on = submission.submitted_at.date() + timedelta(
            days=rng.randint(2, 21)
        )


def synthetic_submission(
    generator: AnswerGenerator,
    rules: RuleSet,
    blind_index: BlindIndex,
    submitted_at: datetime,
) -> Submission:
    """Build one submitted screening through the real submit path (not yet in a session)."""
    q = generator.q
    persona = make_persona(generator.rng)
    consent = intake_service.consent_section(q)
    answers = generator.answers(persona, consent.link_id)
    consent_ids = {item.link_id for item in consent.items}
    draft = Submission(
        public_id=secrets.token_urlsafe(16),
        state=SubmissionState.DRAFT,
        language=persona.language,
        definition_version=q.version,
        answers={k: v for k, v in answers.items() if k not in consent_ids},
        progress=DraftProgress(
            completed=tuple(s.link_id for s in intake_service.wizard_steps(q, answers))
        ),
        created_at=submitted_at - timedelta(minutes=generator.rng.randint(6, 40)),
    )
    intake_service.submit_draft(
        _BatchCommit(),  # type: ignore[arg-type]
        q,
        rules,
        draft,
        {k: v for k, v in answers.items() if k in consent_ids},
        blind_index,
        generator.today,
    )
    draft.submitted_at = submitted_at
    draft.updated_at = submitted_at
    return draft


# The answers that name the person: redrawn for each copy of a seeded answer set.
PERSONA_PURPOSES = {"name", "nickname", "email", "tel"}


def with_new_person(
    generator: AnswerGenerator,
    seeded: Submission,
    blind_index: BlindIndex,
    submitted_at: datetime,
) -> Submission:
    """Another made-up person with a seeded screening's answers and the same triage.

    No triage rule reads a name, email or phone number (tests/portal/test_bulk_seed.py checks
    that every copy triages as stored), so only those answers, the contact details and their
    blind indexes are made anew."""
    drawn = make_persona(generator.rng)
    persona = Persona(drawn.first, drawn.last, drawn.email, drawn.phone, seeded.language)
    answers = dict(seeded.answers)
    for item in generator.q.items:
        if item.link_id in answers and (
            item.autocomplete in PERSONA_PURPOSES or item.type in ("email", "phone")
        ):
            answers[item.link_id] = generator.text_for(item, persona)
    contact = intake_service.contact_details(generator.q, answers)
    return Submission(
        public_id=secrets.token_urlsafe(16),
        state=SubmissionState.SUBMITTED,
        language=seeded.language,
        definition_version=seeded.definition_version,
        rules_version=seeded.rules_version,
        answers=answers,
        progress=seeded.progress,
        contact=contact,
        email_index=blind_index.email(contact["email"] or ""),
        phone_index=blind_index.phone(contact["phone"] or ""),
        name_index=blind_index.name(contact["name"] or ""),
        flags=seeded.flags,
        scores=seeded.scores,
        triage_category=seeded.triage_category,
        category_rank=seeded.category_rank,
        phq9_total=seeded.phq9_total,
        gad7_total=seeded.gad7_total,
        status="new",
        unfinished=False,  # written by a plain INSERT: no ORM default fills it
        created_at=submitted_at - timedelta(minutes=generator.rng.randint(6, 40)),
        submitted_at=submitted_at,
        updated_at=submitted_at,
    )


def stored_row(submission: Submission) -> dict[str, Any]:
    """The values one INSERT writes for a built submission: encrypted columns as tokens."""
    row: dict[str, Any] = {}
    for field in Submission.__table__.columns:
        if field.primary_key:
            continue
        value = getattr(submission, field.key)
        if isinstance(field.type, EncryptedJSON):
            # The column type's own conversion: serialise (progress too), then encrypt.
            value = field.type.process_bind_param(value, None)
        row[field.name] = value
    return row


def insert_rows(db: Session, rows: list[dict[str, Any]]) -> None:
    """Insert prepared rows: one COPY on PostgreSQL, one executemany elsewhere."""
    names = list(rows[0])
    if db.get_bind().dialect.name == "postgresql":
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(Submission.__tablename__), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        driver = db.connection().connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
        return
    # Plain columns, so values already encrypted are written as they are.
    plain = table(Submission.__tablename__, *(column(name) for name in names))
    db.execute(insert(plain), rows)


def seed_submissions(
    db: Session,
    q: Questionnaire,
    rules: RuleSet,
    blind_index: BlindIndex,
    *,
    count: int,
    rng: random.Random,
    days: int = 365,
    batch_size: int = 5000,
    distinct: int = 5000,
    now: datetime | None = None,
    clinician_ids: list[int] | None = None,
) -> int:
    """Insert `count` synthetic submissions spread over the last `days` days; return count.

    The first `distinct` go through the whole submit path; later ones are copies of those for
    new made-up people (`with_new_person`): answering and triage are most of a row's cost.
    Each batch is encrypted in Python and written with one bulk statement and one commit: the
    ORM's unit of work would add a round of bookkeeping per row for objects nobody reads."""
    now = now or utcnow()
    generator = AnswerGenerator(q, rules, rng, now.date())
    seeded: list[Submission] = []
    created = 0
    while created < count:
        size = min(batch_size, count - created)
        batch = []
        for _ in range(size):
            submitted_at = now - timedelta(seconds=rng.uniform(0, days * 86_400))
            if len(seeded) < distinct:
                submission = synthetic_submission(generator, rules, blind_index, submitted_at)
                seeded.append(submission)
            else:
                submission = with_new_person(
                    generator, rng.choice(seeded), blind_index, submitted_at
                )
            set_workflow(submission, rng, now, clinician_ids or [])
            batch.append(stored_row(submission))
        insert_rows(db, batch)
        db.commit()
        created += size
    return created


@dev_cli.command("seed")
@click.option("--count", type=click.IntRange(1, 1_000_000), default=200, show_default=True)
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=365,
    show_default=True,
    help="Spread submission times over this many past days.",
)
@click.option("--batch-size", type=click.IntRange(1, 20_000), default=5000, show_default=True)
@click.option(
    "--distinct",
    type=click.IntRange(1, 1_000_000),
    default=5000,
    show_default=True,
    help="Answer sets triaged one by one; later screenings reuse them for new people.",
)
@click.option("--seed", "random_seed", type=int, default=None, help="Repeatable randomness.")
def seed_command(
    count: int, days: int, batch_size: int, distinct: int, random_seed: int | None
) -> None:
    """Add COUNT synthetic submitted screenings (made-up people) through the real triage."""
    if current_app.config.get("PRODUCTION"):
        raise ProductionRefused("dev seed is refused in production: it would mix fake people in.")
    reg = registry()
    rng = random.Random(random_seed)  # noqa: S311 - synthetic data, not security
    started = time.perf_counter()
    db = new_session(write=True)
    try:
        clinician_ids = list(db.scalars(select(Clinician.id).where(Clinician.active.is_(True))))
        created = seed_submissions(
            db,
            reg.current,
            reg.rules,
            current_app.extensions["blind_index"],
            count=count,
            rng=rng,
            days=days,
            batch_size=batch_size,
            distinct=distinct,
            clinician_ids=clinician_ids,
        )
    finally:
        db.close()
    elapsed = time.perf_counter() - started
    click.echo(f"Seeded {created} synthetic submissions in {elapsed:.1f} s.")
