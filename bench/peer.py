"""The bench's yardstick: Threshold's three busiest jobs written plainly, as a careful contractor
would in one Flask file, with no encryption, audit trail or translation.

- a wizard step (`/step/<section>`): a Flask-WTF form per section, built at import from the
  shipped definition, CSRF on; answers kept as JSON in a row found by the id in the signed
  session; POST validates, saves and redirects to the next step;
- the queue (`/queue`): 25 rows from one indexed SELECT, in a table;
- a record (`/record/<public_id>`): one row's answers as the definition's questions in order.

Staff pages need a Flask-Login sign-in. Tables are prefixed `peer_` so the peer can share
Threshold's bench database; `seed` creates and fills them. The bench serves this module with
the same gunicorn settings as Threshold: `gunicorn bench.peer:app`.
"""

from __future__ import annotations

import os
import random
import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, abort, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, login_required, login_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import JSON, DateTime, Index, Integer, String, create_engine, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from werkzeug.security import check_password_hash
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    Field,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

DEFINITION = Path(__file__).resolve().parents[1] / "screening/questionnaire/data/intake.yaml"
PAGE_SIZE = 25
CATEGORIES = ("urgent", "exclusion", "caution", "standard")
STATUSES = ("new", "in-review", "contacted", "closed")


def english(text: Any) -> str:
    """The English wording of a definition text ({en, es} or plain)."""
    return str(text["en"] if isinstance(text, dict) else text or "")


# ---------------------------------------------------------------------------------------
# The definition, read once


SECTIONS: list[dict[str, Any]] = yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))["sections"]
STEPS = [section["linkId"] for section in SECTIONS]
# (linkId, question, {option code: label}) for every answerable item, in definition order.
QUESTIONS = [
    (
        item["linkId"],
        english(item["text"]),
        {option["code"]: english(option["display"]) for option in item.get("options", [])},
    )
    for section in SECTIONS
    for item in section["items"]
    if item["type"] != "display"
]


def field_for(item: dict[str, Any]) -> Field:
    """The WTForms field for one item; required unless it is optional or conditional."""
    label = english(item["text"])
    required = item.get("required") and "enableWhen" not in item
    checks: list[Any] = [InputRequired() if required else Optional()]
    if "maxLength" in item:
        checks.append(Length(max=item["maxLength"]))
    if "minValue" in item or "maxValue" in item:
        checks.append(NumberRange(item.get("minValue"), item.get("maxValue")))
    choices = [SelectChoice(o["code"], english(o["display"])) for o in item.get("options", [])]
    kind = item["type"]
    if kind in ("choice", "open-choice") and item.get("repeats"):
        return SelectMultipleField(
            label, checks, choices=choices, widget=ListWidget(), option_widget=CheckboxInput()
        )
    if kind in ("choice", "open-choice"):
        return RadioField(label, checks, choices=choices)
    if kind == "boolean":
        return RadioField(
            label, checks, choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
        )
    if kind == "email":
        return EmailField(label, [*checks, Email()])
    if kind == "date":
        return DateField(label, checks)
    if kind == "integer":
        return IntegerField(label, checks)
    if kind == "decimal":
        return DecimalField(label, checks)
    if kind == "text":
        return TextAreaField(label, checks)
    return StringField(label, checks)  # string, phone


FORMS: dict[str, type[FlaskForm]] = {
    section["linkId"]: type(
        f"Step_{section['linkId']}",
        (FlaskForm,),
        {item["linkId"]: field_for(item) for item in section["items"] if item["type"] != "display"},
    )
    for section in SECTIONS
}


def to_json(value: Any) -> Any:
    """A form value as JSON can hold it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def from_json(form_class: type[FlaskForm], answers: dict[str, Any]) -> dict[str, Any]:
    """Saved answers as the form's fields expect them (dates as dates)."""
    data = {}
    for name, value in answers.items():
        field = getattr(form_class, name, None)
        if field is None:
            continue
        data[name] = date.fromisoformat(value) if field.field_class is DateField else value
    return data


# ---------------------------------------------------------------------------------------
# Tables


class Base(DeclarativeBase):
    """The peer's tables."""


class Draft(Base):
    """Answers so far of one person filling in the wizard."""

    __tablename__ = "peer_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Submission(Base):
    """A sent screening: the queue's plain columns and the answers."""

    __tablename__ = "peer_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(32))
    category_rank: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    phq9: Mapped[int | None] = mapped_column(Integer)
    gad7: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_peer_submissions_queue", "category_rank", "submitted_at", "id"),)


class Staff(UserMixin, Base):
    """A clinician who may see the queue."""

    __tablename__ = "peer_staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))


# ---------------------------------------------------------------------------------------
# The app


app = Flask(__name__, template_folder="peer_templates")
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32)


def use_database(url: str) -> None:
    """Point the peer at a database (the bench's, or a test's)."""
    app.extensions["peer_engine"] = create_engine(url, pool_pre_ping=True)


def database() -> Session:
    """A session on the peer's database."""
    return Session(app.extensions["peer_engine"])


use_database(os.environ.get("DATABASE_URL", "sqlite://"))
CSRFProtect(app)
login_manager = LoginManager(app)
login_manager.login_view = "login"


@login_manager.user_loader
def load_staff(staff_id: str) -> Staff | None:
    """The signed-in clinician, read on every staff request."""
    with database() as db:
        return db.get(Staff, int(staff_id))


class LoginForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", [InputRequired()])
    password = PasswordField("Password", [InputRequired()])


@app.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Sign a clinician in."""
    form = LoginForm()
    if form.validate_on_submit():
        with database() as db:
            staff = db.scalar(select(Staff).where(Staff.email == form.email.data))
        if staff and check_password_hash(staff.password_hash, form.password.data or ""):
            login_user(staff)
            return redirect(url_for("queue"))
    return render_template("login.html", form=form)


@app.get("/")
def home() -> str:
    """The start button."""
    return render_template("start.html")


@app.post("/start")
def start() -> Any:
    """Open a draft and go to the first step."""
    with database() as db:
        draft = Draft(answers={}, updated_at=datetime.now(UTC))
        db.add(draft)
        db.commit()
        session["draft_id"] = draft.id
    return redirect(url_for("step", section=STEPS[0]))


@app.route("/step/<section>", methods=["GET", "POST"])
def step(section: str) -> Any:
    """Show one section's questions; on POST validate, save and go to the next."""
    form_class = FORMS.get(section)
    if form_class is None or "draft_id" not in session:
        abort(404)
    with database() as db:
        draft = db.get(Draft, session["draft_id"])
        if draft is None:
            abort(404)
        if request.method == "GET":
            form = form_class(data=from_json(form_class, draft.answers))
        else:
            form = form_class()
        if form.validate_on_submit():
            answers = {
                name: to_json(value)
                for name, value in form.data.items()
                if name != "csrf_token" and value not in (None, "", [])
            }
            draft.answers = {**draft.answers, **answers}
            draft.updated_at = datetime.now(UTC)
            db.commit()
            following = STEPS.index(section) + 1
            return redirect(url_for("step", section=STEPS[min(following, len(STEPS) - 1)]))
        title = english(SECTIONS[STEPS.index(section)]["title"])
        return render_template("step.html", form=form, title=title)


@app.get("/queue")
@login_required
def queue() -> str:
    """The first page of screenings, most urgent and oldest first."""
    with database() as db:
        rows = db.scalars(
            select(Submission)
            .order_by(Submission.category_rank, Submission.submitted_at, Submission.id)
            .limit(PAGE_SIZE)
        ).all()
        return render_template("queue.html", rows=rows)


@app.get("/record/<public_id>")
@login_required
def record(public_id: str) -> str:
    """One screening's answers, question by question in definition order."""
    with database() as db:
        row = db.scalar(select(Submission).where(Submission.public_id == public_id))
        if row is None:
            abort(404)
        answered = [
            (question, shown(row.answers[link_id], labels))
            for link_id, question, labels in QUESTIONS
            if link_id in row.answers
        ]
        return render_template("record.html", row=row, answered=answered)


def shown(value: Any, labels: dict[str, str]) -> str:
    """An answer as a reader sees it: option labels, yes/no, lists joined."""
    if isinstance(value, list):
        return ", ".join(labels.get(code, str(code)) for code in value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return labels.get(value, str(value)) if isinstance(value, str) else str(value)


@app.get("/healthz")
def healthz() -> str:
    """Answer the readiness probe the bench waits on."""
    return "ok"


# ---------------------------------------------------------------------------------------
# Data


def sample_answers(rng: random.Random) -> dict[str, Any]:
    """Made-up answers of the definition's shape: an option, a list of options, a date..."""
    answers: dict[str, Any] = {}
    for section in SECTIONS:
        for item in section["items"]:
            kind, codes = item["type"], [option["code"] for option in item.get("options", [])]
            if kind == "display":
                continue
            if codes and item.get("repeats"):
                answers[item["linkId"]] = rng.sample(codes, rng.randint(1, min(3, len(codes))))
            elif codes:
                answers[item["linkId"]] = rng.choice(codes)
            elif kind == "boolean":
                answers[item["linkId"]] = rng.random() < 0.5
            elif kind == "date":
                answers[item["linkId"]] = (
                    date(1950, 1, 1) + timedelta(rng.randint(0, 20000))
                ).isoformat()
            elif kind in ("integer", "decimal"):
                answers[item["linkId"]] = rng.randint(
                    item.get("minValue", 0), item.get("maxValue", 100)
                )
            else:
                answers[item["linkId"]] = "Some days are better than others."
    return answers


def seed(count: int, staff_email: str, password_hash: str, batch_size: int = 10_000) -> None:
    """Create the peer's tables afresh and insert `count` submissions and one clinician."""
    engine = app.extensions["peer_engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    rng = random.Random(5)  # noqa: S311 - synthetic data
    pool = [sample_answers(rng) for _ in range(100)]
    now = datetime.now(UTC)
    with database() as db:
        db.add(Staff(email=staff_email, password_hash=password_hash))
        for first in range(0, count, batch_size):
            rows = []
            for _ in range(min(batch_size, count - first)):
                rank = rng.choices(range(len(CATEGORIES)), weights=(1, 1, 8, 90))[0]
                rows.append(
                    {
                        "public_id": secrets.token_urlsafe(16),
                        "name": f"Person {rng.randint(1, 10**6)}",
                        "category": CATEGORIES[rank],
                        "category_rank": rank,
                        "submitted_at": now - timedelta(seconds=rng.uniform(0, 365 * 86_400)),
                        "phq9": rng.randint(0, 27),
                        "gad7": rng.randint(0, 21),
                        "status": rng.choice(STATUSES),
                        "answers": rng.choice(pool),
                    }
                )
            db.execute(insert(Submission), rows)
        db.commit()
