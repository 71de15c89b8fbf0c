"""Development tools: `flask --app wsgi dev seed --count N` fills the queue with synthetic people.

Answers are random but valid for the definition (required questions answered, conditional
ones only when they apply, codes from the options, lengths and ranges respected), with risky
answers made rare by weighting them from the triage rules themselves. Each answer set is
triaged by `submitted_fields`, the function `submit_draft` stores a real submission with, so
triage, scores, encryption and blind indexes are what a real submission gets (a test compares
a sample with submit_draft). Rows are encrypted in batches of thousands and written with one
COPY (PostgreSQL) or executemany per batch and one commit: a million take minutes, not hours.

Every name, email and phone number is made up (555 numbers, example.* domains).
"""

from __future__ import annotations

import random
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
from screening.portal.service import fold_submission_counts
from screening.questionnaire.conditions import is_enabled, prune_answers
from screening.questionnaire.instruments import INSTRUMENTS
from screening.questionnaire.model import Item, Questionnaire
from screening.questionnaire.triage import RuleSet, answer_severity, triage_inputs
from screening.questionnaire_registry import registry
from screening.security.crypto import BlindIndex

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
# Adults in the US (CDC NHANES 2015-2018, both sexes): height about 66.5 +/- 4 inches, BMI about
# 29.5 +/- 6.5. Weight follows from the two, so seeded BMIs look like a clinic's, not the
# form's whole allowed range.
HEIGHT_INCHES = (66.5, 4.0)
BMI = (29.5, 6.5)
# The answers that name the person: redrawn for each copy of a seeded answer set.
PERSONA_PURPOSES = {"name", "nickname", "email", "tel"}

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
        # The one-line answers that name the person (see with_new_person).
        self.persona_items = [
            item
            for item in q.items
            if item.autocomplete in PERSONA_PURPOSES or item.type in ("email", "phone")
        ]

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
        body = self.body()
        for section in self.q.sections:
            if not is_enabled(section, answers):
                continue
            for item in section.items:
                if item.type == "display" or not is_enabled(item, answers):
                    continue
                optional = not item.required and section.link_id != consent_section
                if optional and self.rng.random() > OPTIONAL_ANSWERED:
                    continue
                value = body.get(item.role)  # weight and height come from one body
                if value is None:
                    value = self.answer(item, persona, section.link_id == consent_section)
                if value is not None:
                    answers[item.link_id] = value
        return answers

    def body(self) -> dict[str, int]:
        """A plausible adult's weight and height, by the roles of the items that ask them."""
        inches = round(self.rng.gauss(*HEIGHT_INCHES))
        bmi = min(max(self.rng.gauss(*BMI), 16), 60)
        pounds = round(bmi * inches**2 / 703)
        return {"weight-pounds": pounds, "height-feet": inches // 12, "height-inches": inches % 12}

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


def workflow_fields(
    submitted_at: datetime, rng: random.Random, now: datetime, clinician_ids: list[int]
) -> dict[str, Any]:
    """A plausible status, assignee and follow-up date for a screening this old."""
    age = (now - submitted_at).days
    status = "new"
    for max_age, statuses, weights in WORKFLOW_BY_AGE:
        if age <= max_age:
            status = rng.choices(statuses, weights=weights)[0]
            break
    assignee = rng.choice(clinician_ids) if clinician_ids and status != "new" else None
    follow_up = None
    if status in ("in-review", "contacted") and rng.random() < 0.6:
        follow_up = submitted_at.date() + timedelta(days=rng.randint(2, 21))
    return {"status": status, "assignee_id": assignee, "follow_up_on": follow_up}


def encrypted(name: str, value: Any) -> str | None:
    """A column's value as stored: the column type's own serialising and encryption."""
    return Submission.__table__.c[name].type.process_bind_param(value, None)


@dataclass(frozen=True)
class AnswerSet:
    """One made-up person's answers as submitting them would store them.

    `fields` holds the plain values of the columns `submitted_fields` sets; `sealed` the
    encrypted progress, flags and scores, which no person's details change, so copies for
    new people reuse those tokens instead of encrypting the same values again."""

    language: str
    definition_version: str
    fields: dict[str, Any]
    sealed: dict[str, str | None]


def answer_set(generator: AnswerGenerator, rules: RuleSet, blind_index: BlindIndex) -> AnswerSet:
    """Answer the screening as a new made-up person and triage it as submit_draft does."""
    q = generator.q
    persona = make_persona(generator.rng)
    consent = intake_service.consent_section(q)
    answers = prune_answers(q, generator.answers(persona, consent.link_id))
    fields = intake_service.submitted_fields(q, rules, answers, blind_index, generator.today)
    progress = DraftProgress(
        completed=tuple(s.link_id for s in intake_service.wizard_steps(q, answers))
    )
    sealed = {
        "progress": encrypted("progress", progress),
        "flags": encrypted("flags", fields["flags"]),
        "scores": encrypted("scores", fields["scores"]),
    }
    return AnswerSet(persona.language, q.version, fields, sealed)


def with_new_person(
    generator: AnswerGenerator, seeded: AnswerSet, blind_index: BlindIndex
) -> dict[str, Any]:
    """A seeded answer set's columns for another made-up person, with the same triage.

    No triage rule reads a name, email or phone number (tests/portal/test_bulk_seed.py checks
    that every copy triages as stored), so only those answers, the contact details and their
    blind indexes are made anew."""
    drawn = make_persona(generator.rng)
    persona = Persona(drawn.first, drawn.last, drawn.email, drawn.phone, seeded.language)
    answers = dict(seeded.fields["answers"])
    for item in generator.persona_items:
        if item.link_id in answers:
            answers[item.link_id] = generator.text_for(item, persona)
    return {
        **seeded.fields,
        "answers": answers,
        **intake_service.contact_fields(generator.q, answers, blind_index),
    }


def stored_row(
    seeded: AnswerSet,
    fields: dict[str, Any],
    submitted_at: datetime,
    workflow: dict[str, Any],
    rng: random.Random,
) -> dict[str, Any]:
    """Every column of one submitted screening as INSERT writes it, encrypted ones as tokens."""
    return {
        **fields,
        **workflow,
        **seeded.sealed,
        "answers": encrypted("answers", fields["answers"]),
        "contact": encrypted("contact", fields["contact"]),
        "public_id": intake_service.new_public_id(),
        "state": SubmissionState.SUBMITTED,
        "unfinished": False,  # a plain INSERT: no ORM default fills it
        "language": seeded.language,
        "definition_version": seeded.definition_version,
        "created_at": submitted_at - timedelta(minutes=rng.randint(6, 40)),
        "submitted_at": submitted_at,
        "updated_at": submitted_at,
    }


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

    The first `distinct` are answered and triaged one by one (`submitted_fields`, as
    submit_draft does); later ones are copies of those for new made-up people
    (`with_new_person`): answering and triage are most of a row's cost. Rows are built as
    plain values, encrypted by their column types and written with one bulk statement and one
    commit per batch: ORM objects would add bookkeeping per row for objects nobody reads."""
    now = now or utcnow()
    generator = AnswerGenerator(q, rules, rng, now.date())
    seeded: list[AnswerSet] = []
    created = 0
    while created < count:
        size = min(batch_size, count - created)
        batch = []
        for _ in range(size):
            submitted_at = now - timedelta(seconds=rng.uniform(0, days * 86_400))
            if len(seeded) < distinct:
                seeded.append(answer_set(generator, rules, blind_index))
                template, fields = seeded[-1], seeded[-1].fields
            else:
                template = rng.choice(seeded)
                fields = with_new_person(generator, template, blind_index)
            workflow = workflow_fields(submitted_at, rng, now, clinician_ids or [])
            batch.append(stored_row(template, fields, submitted_at, workflow, rng))
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
    with new_session(write=True) as db:
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
        # The counts triggers wrote one ledger row per screening: fold them now, so that the
        # VACUUM after a bulk load reclaims them rather than the first queue view folding them.
        fold_submission_counts(db)
    elapsed = time.perf_counter() - started
    click.echo(f"Seeded {created} synthetic submissions in {elapsed:.1f} s.")
