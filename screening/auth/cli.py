"""`flask clinician ...`: create, list, deactivate and reactivate staff accounts, reset 2FA.

Run on the server by whoever deploys the clinic, e.g. to create the first admin:

    flask --app wsgi clinician create admin@example.org --name "Alex Admin" --role admin

At a terminal the password is asked for twice, hidden; from a pipe one line is read
(`printf '%s\\n' "$PASSWORD" | flask --app wsgi clinician create ...`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from screening.auth import service
from screening.cli import fail
from screening.clock import as_utc
from screening.database import new_session
from screening.models import Clinician, Role

clinician_cli = AppGroup("clinician", help="Staff accounts: create, list, deactivate, reset 2FA.")


@contextmanager
def database_errors_as_one_line() -> Iterator[None]:
    """Turn a database that is missing or not migrated into a one-line error."""
    try:
        yield
    except SQLAlchemyError as error:
        fail(
            f"the database is not ready ({type(error).__name__}); "
            "run `flask --app wsgi db upgrade` first"
        )


@contextmanager
def write_session() -> Iterator[Session]:
    """Open a write session for one command (the services it calls commit), then close it."""
    with database_errors_as_one_line(), new_session(write=True) as db:
        yield db


def stdin_stream() -> TextIO:
    """Return standard input as text (a function so tests can stand in a terminal)."""
    return sys.stdin


def read_password() -> str:
    """Ask twice at a terminal (hidden); read exactly one line when stdin is a pipe."""
    stdin = stdin_stream()
    if stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    line = stdin.readline()
    if not line:
        fail("no password on standard input")
    return line.rstrip("\r\n")


def find_or_fail(db: Session, email: str) -> Clinician:
    """Return the account for an email address, or stop with an error."""
    clinician = service.find_by_email(db, email)
    if clinician is None:
        fail(f"no account with the email address {service.normalise_email(email)}")
    return clinician


@clinician_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's name as shown to colleagues.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.CLINICIAN.value,
    show_default=True,
)
def create(email: str, name: str, role: str) -> None:
    """Create an account; two-step verification is set up at its first sign-in."""
    password = read_password()
    try:
        with write_session() as db:
            clinician = service.create_clinician(
                db, email=email, name=name, password=password, role=role
            )
            address = clinician.email
    except service.AccountError as error:
        fail(str(error))
    click.echo(f"Created {role} account {address}. 2FA is set up at first sign-in.")


def change_account(email: str, change: Callable[..., None]) -> str:
    """Make one change to the account with this email address; return the address."""
    try:
        with write_session() as db:
            clinician = find_or_fail(db, email)
            change(db, clinician, actor=None, ip=None)
            return clinician.email
    except service.AccountError as error:
        fail(str(error))


@clinician_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop an account signing in; its open sessions end at their next request."""
    click.echo(f"Deactivated {change_account(email, service.deactivate)}.")


@clinician_cli.command("reactivate")
@click.argument("email")
def reactivate(email: str) -> None:
    """Let a deactivated account sign in again."""
    click.echo(f"Reactivated {change_account(email, service.reactivate)}.")


@clinician_cli.command("reset-2fa")
@click.argument("email")
def reset_two_factor(email: str) -> None:
    """Forget an account's authenticator app and recovery codes; it enrols again at sign-in."""
    address = change_account(email, service.reset_two_factor)
    click.echo(f"Two-step verification reset for {address}; it is set up again at next sign-in.")


def account_row(clinician: Clinician) -> tuple[str, ...]:
    """Return one line of `clinician list`."""
    last = as_utc(clinician.last_login_at)
    return (
        clinician.email,
        clinician.name,
        clinician.role,
        "yes" if clinician.active else "no",
        "yes" if clinician.totp_confirmed else "no",
        last.strftime("%Y-%m-%d %H:%M") if last else "never",
    )


@clinician_cli.command("list")
def list_accounts() -> None:
    """List every account: email, name, role, active, 2FA enrolled, last sign-in (UTC)."""
    with database_errors_as_one_line(), new_session() as db:
        rows = [account_row(clinician) for clinician in service.list_clinicians(db)]
    if not rows:
        click.echo("No accounts yet. Create one with `flask --app wsgi clinician create`.")
        return
    header = ("EMAIL", "NAME", "ROLE", "ACTIVE", "2FA", "LAST SIGN-IN (UTC)")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
