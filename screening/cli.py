"""Flask CLI commands: database migrations, the questionnaire and triage, keys."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from alembic import command
from alembic.config import Config
from cryptography.fernet import Fernet
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from screening.backup import BackupRefused, backup_sqlite
from screening.clock import today, utcnow
from screening.database import new_session
from screening.escalation import escalate_unopened
from screening.intake.reach import surface_idle_risk_drafts
from screening.questionnaire.fhir import ResponseError, questionnaire_to_fhir, response_to_answers
from screening.questionnaire.triage import triage_response
from screening.questionnaire_registry import registry
from screening.retention import purge
from screening.security.audit import (
    count_unkeyed,
    events_per_chain,
    record,
    resign_chain,
    verify_chain,
)
from screening.security.key_rotation import rotate_all

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

db_cli = AppGroup("db", help="Database migrations (Alembic).")
screening_cli = AppGroup("screening", help="The questionnaire definition and triage rules.")
keys_cli = AppGroup("keys", help="Encryption keys.")
audit_cli = AppGroup("audit", help="The audit trail.")
retention_cli = AppGroup("retention", help="Deleting data past its retention period.")
notify_cli = AppGroup("notify", help="Staff notices that cannot wait for a request.")


def alembic_config() -> Config:
    """Point Alembic at our migrations and the app's database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = current_app.config["DATABASE_URL"]
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    command.upgrade(alembic_config(), revision)
    click.echo(f"Database is at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. base)."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
def db_revision(message: str, autogenerate: bool) -> None:
    """Create a new migration from the difference between models and database."""
    command.revision(alembic_config(), message=message, autogenerate=autogenerate)


@screening_cli.command("questionnaire")
@click.option("--lang", default="en", show_default=True, help="Language of the texts.")
def print_questionnaire(lang: str) -> None:
    """Print the definition as a FHIR R4 Questionnaire (JSON)."""
    if lang not in current_app.config["LANGUAGES"]:
        raise click.BadParameter(f"choose one of {', '.join(current_app.config['LANGUAGES'])}")
    click.echo(json.dumps(questionnaire_to_fhir(registry().current, lang=lang), indent=2))


@screening_cli.command("triage")
@click.argument("response_file", type=click.Path(dir_okay=False, path_type=Path))
def triage_file(response_file: Path) -> None:
    """Triage a FHIR QuestionnaireResponse (JSON file) and print the result as JSON."""
    reg = registry()
    try:
        data = json.loads(response_file.read_text(encoding="utf-8"))
        answers = response_to_answers(reg.current, data)
    except FileNotFoundError:
        fail(f"no such file: {response_file}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{response_file} is not valid JSON: {error}")
    except ResponseError as error:
        fail(f"{response_file}: {error}")
    result = triage_response(reg.current, reg.rules, answers, today())
    click.echo(json.dumps(result.to_dict(), indent=2))


def fail(message: str) -> NoReturn:
    """Print a one-line error and exit with status 2 (no traceback)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


@keys_cli.command("generate")
def keys_generate() -> None:
    """Print a new encryption key (prepend it to ENCRYPTION_KEYS, then run `keys rotate`)."""
    click.echo(Fernet.generate_key().decode())


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every encrypted value under the first key in ENCRYPTION_KEYS."""
    checkpoint = Path(current_app.instance_path) / "key-rotation.json"
    resumed = checkpoint.exists()
    report = rotate_all(
        current_app.extensions["db_engine"],
        current_app.extensions["field_cipher"],
        checkpoint,
        progress=lambda table, count: click.echo(f"  {table}: {count} rows"),
    )
    with new_session(write=True) as db:
        record(db, "keys.rotated", detail={"rows": report.rows_by_table, "resumed": resumed})
        db.commit()
    click.echo(f"Re-encrypted {report.total} rows under the newest key.")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Check each audit chain's signatures and links; exit 1 naming any edited or missing rows."""
    with new_session() as db:
        broken = verify_chain(db)
        unkeyed = count_unkeyed(db)
        per_chain = events_per_chain(db)
    if broken:
        click.echo(f"Audit trail BROKEN at event ids: {', '.join(map(str, broken[:50]))}", err=True)
        if unkeyed:
            click.echo(
                f"{unkeyed} events predate keyed signing: check and sign them once with "
                "`flask audit resign`.",
                err=True,
            )
        sys.exit(1)
    # Deleting a chain's newest events cannot be detected from the rows left: the count of each
    # chain is what a record kept elsewhere (e.g. the daily cron mail) can compare.
    chains = ", ".join(f"{chain}: {amount}" for chain, amount in per_chain.items())
    click.echo(
        f"Audit trail intact: {sum(per_chain.values())} events in {len(per_chain)} "
        f"chain{'' if len(per_chain) == 1 else 's'}"
        + (f" (events per chain: {chains})." if chains else ".")
    )


@audit_cli.command("resign")
def audit_resign() -> None:
    """Check the chain, then sign every event with the newest AUDIT_KEYS key (exit 1 if broken)."""
    with new_session(write=True) as db:
        try:
            signed = resign_chain(db)
        except ValueError as broken:
            # Leaving the block rolls back: nothing is signed.
            click.echo(f"Audit trail BROKEN at event ids: {broken}; nothing signed.", err=True)
            sys.exit(1)
        record(db, "audit.resigned", detail={"rows": signed})
        db.commit()
    click.echo(
        f"Signed {signed} events with key {current_app.extensions['audit_keys'].signing_id}."
    )


@retention_cli.command("purge")
def retention_purge() -> None:
    """Delete abandoned drafts and finished, unconverted screenings past their retention."""
    with new_session(write=True) as db:
        report = purge(
            db,
            utcnow(),
            draft_days=current_app.config["DRAFT_RETENTION_DAYS"],
            screening_days=current_app.config["SCREENING_RETENTION_DAYS"],
        )
    click.echo(f"Deleted {report.drafts} drafts and {report.screenings} screenings.")


@notify_cli.command("escalate")
def escalate_command() -> None:
    """Queue idle risk drafts, escalate urgent screenings nobody opened in time (every minute)."""
    with new_session(write=True) as db:
        # Idle risk drafts first: once queued, they are escalated like any urgent screening.
        surfaced = surface_idle_risk_drafts(
            db, registry(), current_app.config, current_app.extensions["blind_index"], utcnow()
        )
        count = escalate_unopened(db, current_app.config, utcnow())
    if surfaced:
        click.echo(f"Queued {surfaced} idle risk screening(s) unfinished.")
    if count:
        click.echo(f"Escalated {count} urgent screening(s).")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace PATH if it already exists.")
@with_appcontext
def backup_command(path: Path, overwrite: bool) -> None:
    """Copy the live SQLite database to PATH (a file, or a folder for a dated file).

    Safe while the app runs. PostgreSQL is refused: use pg_dump (docs/DEPLOY.md).
    """
    try:
        result = backup_sqlite(current_app.config["DATABASE_URL"], path, overwrite=overwrite)
    except BackupRefused as error:
        fail(str(error))
    with new_session(write=True) as db:
        detail = {"bytes": result.size_bytes, "submissions": result.submissions}
        record(db, "database.backed-up", detail=detail)
        db.commit()
    counted = "" if result.submissions is None else f"{result.submissions} submissions, "
    click.echo(f"Backed up {counted}{result.size_bytes:,} bytes to {result.path}.")


# Registered by create_app (register_commands), with the clinician, submissions and dev groups.
COMMANDS = (db_cli, screening_cli, keys_cli, audit_cli, retention_cli, notify_cli, backup_command)
