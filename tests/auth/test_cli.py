"""`flask clinician ...`: create with a piped password, deactivate, reset-2fa, list, errors."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskCliRunner

from screening.auth import cli as clinician_cli
from screening.auth.passwords import verify_password
from tests.auth.support import audit_events, get_clinician
from tests.portal_helpers import create_clinician

PASSWORD = "a long enough password"


def create(runner: FlaskCliRunner, *args: str, stdin: str = f"{PASSWORD}\n"):  # type: ignore[no-untyped-def]
    return runner.invoke(args=["clinician", "create", *args], input=stdin)


def find_id(app: Flask, email: str) -> int:
    from screening.auth.service import find_by_email
    from screening.database import new_session

    with app.app_context():
        db = new_session()
        clinician = find_by_email(db, email)
        db.close()
    assert clinician is not None
    return clinician.id


def test_create_reads_one_line_of_piped_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = create(runner, "New.Person@Example.org", "--name", "New Person", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert "new.person@example.org" in result.output
    clinician = get_clinician(app, find_id(app, "new.person@example.org"))
    assert clinician.role == "admin" and clinician.active and not clinician.totp_confirmed
    with app.app_context():
        assert verify_password(clinician.password_hash, PASSWORD)
    [event] = audit_events(app, "account.created")
    assert event.actor_id is None and event.target_clinician_id == clinician.id


def test_create_defaults_to_the_clinician_role(app: Flask, runner: FlaskCliRunner) -> None:
    assert create(runner, "casey@example.org", "--name", "Casey").exit_code == 0
    assert get_clinician(app, find_id(app, "casey@example.org")).role == "clinician"


def test_create_at_a_terminal_asks_twice(app: Flask, runner: FlaskCliRunner, monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(clinician_cli, "stdin_stream", lambda: Terminal())
    result = create(
        runner, "casey@example.org", "--name", "Casey", stdin=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input


def test_create_refuses_a_short_password(runner: FlaskCliRunner) -> None:
    result = create(runner, "casey@example.org", "--name", "Casey", stdin="short\n")
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_create_refuses_a_duplicate_email(app: Flask, runner: FlaskCliRunner) -> None:
    create_clinician(app, email="casey@example.org")
    result = create(runner, "CASEY@example.org", "--name", "Casey")
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_create_refuses_a_bad_email_and_empty_stdin(runner: FlaskCliRunner) -> None:
    assert create(runner, "not-an-email", "--name", "Casey").exit_code == 2
    result = create(runner, "casey@example.org", "--name", "Casey", stdin="")
    assert result.exit_code == 2 and "no password" in result.output


def test_create_refuses_an_unknown_role(runner: FlaskCliRunner) -> None:
    result = create(runner, "casey@example.org", "--name", "Casey", "--role", "owner")
    assert result.exit_code == 2


def test_deactivate_stops_sign_in_and_is_audited(app: Flask, runner: FlaskCliRunner) -> None:
    clinician_id, _ = create_clinician(app)
    result = runner.invoke(args=["clinician", "deactivate", "clinician@example.org"])
    assert result.exit_code == 0, result.output
    stored = get_clinician(app, clinician_id)
    assert not stored.active and stored.session_version == 2
    [event] = audit_events(app, "account.deactivated")
    assert event.actor_id is None and event.target_clinician_id == clinician_id
    again = runner.invoke(args=["clinician", "deactivate", "clinician@example.org"])
    assert again.exit_code == 2
    assert again.output == "Error: that account is already deactivated\n"
    assert len(audit_events(app, "account.deactivated")) == 1


def test_reactivate_restores_sign_in(app: Flask, runner: FlaskCliRunner) -> None:
    clinician_id, _ = create_clinician(app)
    runner.invoke(args=["clinician", "deactivate", "clinician@example.org"])
    result = runner.invoke(args=["clinician", "reactivate", "clinician@example.org"])
    assert result.exit_code == 0
    assert get_clinician(app, clinician_id).active
    again = runner.invoke(args=["clinician", "reactivate", "clinician@example.org"])
    assert again.exit_code == 2 and "already active" in again.output


def test_reset_2fa_forgets_the_authenticator(app: Flask, runner: FlaskCliRunner) -> None:
    clinician_id, _ = create_clinician(app)
    result = runner.invoke(args=["clinician", "reset-2fa", "clinician@example.org"])
    assert result.exit_code == 0, result.output
    stored = get_clinician(app, clinician_id)
    assert stored.totp_secret is None and not stored.totp_confirmed
    assert stored.recovery_codes is None and stored.session_version == 2
    [event] = audit_events(app, "account.2fa-reset")
    assert event.actor_id is None and event.target_clinician_id == clinician_id


def test_commands_on_an_unknown_email_fail_in_one_line(runner: FlaskCliRunner) -> None:
    for command in ("deactivate", "reactivate", "reset-2fa"):
        result = runner.invoke(args=["clinician", command, "nobody@example.org"])
        assert result.exit_code == 2
        assert result.output == "Error: no account with the email address nobody@example.org\n"


def test_list_shows_every_account(app: Flask, runner: FlaskCliRunner) -> None:
    create_clinician(app, email="casey@example.org", name="Casey Clinician")
    create_clinician(app, email="ada@example.org", name="Ada Admin", role="admin", enrolled=False)
    result = runner.invoke(args=["clinician", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "EMAIL",
        "NAME",
        "ROLE",
        "ACTIVE",
        "2FA",
        "LAST",
        "SIGN-IN",
        "(UTC)",
    ]
    ada = next(line for line in lines if "ada@example.org" in line)
    casey = next(line for line in lines if "casey@example.org" in line)
    assert "Ada Admin" in ada and "admin" in ada and ada.split()[-2:] == ["no", "never"]
    assert "Casey Clinician" in casey and casey.split()[-2:] == ["yes", "never"]


def test_list_with_no_accounts_says_how_to_create_one(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["clinician", "list"])
    assert result.exit_code == 0 and "clinician create" in result.output


def test_unmigrated_database_is_a_one_line_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from screening import create_app
    from tests.conftest import TEST_KEY

    bare = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-checks",
            "ENCRYPTION_KEYS": TEST_KEY,
            "BLIND_INDEX_KEY": "test-blind-index-key-0123456789abcdef",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        }
    )
    try:
        runner = bare.test_cli_runner()
        for args in (["clinician", "list"], ["clinician", "deactivate", "a@example.org"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 2
            assert result.output.startswith("Error: the database is not ready")
            assert result.output.count("\n") == 1
    finally:
        bare.extensions["db_engine"].dispose()
