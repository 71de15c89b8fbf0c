"""Key rotation, audit-chain verification and retention, through the real CLI commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet
from sqlalchemy import select, text

from screening.database import new_session
from screening.models import AuditEvent, Submission
from screening.security.audit import record
from tests.conftest import TEST_KEY, make_app
from tests.factories import load_submission, make_draft, make_submission, update_submission


def test_keys_generate_prints_a_usable_key(runner):
    result = runner.invoke(args=["keys", "generate"])
    assert result.exit_code == 0
    Fernet(result.output.strip().encode())


def test_keys_rotate_moves_everything_to_the_new_key(tmp_path, database_url):
    old_app = make_app(tmp_path, database_url)
    submission_id = make_submission(old_app)
    new_key = Fernet.generate_key().decode()
    both = make_app(tmp_path, database_url, ENCRYPTION_KEYS=f"{new_key},{TEST_KEY}")
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted" in result.output
    new_only = make_app(tmp_path, database_url, ENCRYPTION_KEYS=new_key)
    assert load_submission(new_only, submission_id).contact["name"] == "Alex Rivera"
    with new_only.app_context():
        db = new_session()
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "keys.rotated")).one()
        assert event.detail["rows"]["submissions"] == 1
        db.close()
    assert not (tmp_path / "instance" / "key-rotation.json").exists()


def test_keys_rotate_resumes_from_its_checkpoint(tmp_path, database_url):
    app = make_app(tmp_path, database_url)
    first = load_submission(app, make_submission(app)).id
    second = make_submission(app)
    new_key = Fernet.generate_key().decode()
    both = make_app(tmp_path, database_url, ENCRYPTION_KEYS=f"{new_key},{TEST_KEY}")
    cipher = both.extensions["field_cipher"]
    checkpoint = tmp_path / "instance" / "key-rotation.json"
    checkpoint.write_text(
        json.dumps({"key_id": cipher.primary_key_id, "done_up_to": {"submissions": first}})
    )
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    new_only = make_app(tmp_path, database_url, ENCRYPTION_KEYS=new_key)
    assert load_submission(new_only, second).contact["name"] == "Alex Rivera"


def _three_events(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db = new_session(write=True)
        for action in ("test.one", "test.two", "test.three"):
            record(db, action, detail={"n": action})
            db.commit()
        db.close()


def test_audit_verify_passes_on_an_intact_chain(app, runner):
    _three_events(app)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "intact: 3 events" in result.output


def test_audit_verify_detects_an_edited_row(app, runner):
    _three_events(app)
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'test.forged' WHERE id = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "2" in result.output


def test_audit_verify_detects_a_deleted_row(app, runner):
    # With the default 8 chains, events 2 and 10 are the first two of chain 1.
    with app.app_context():
        db = new_session(write=True)
        for n in range(10):
            record(db, f"test.{n}")
            db.commit()
        db.close()
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = 2"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at event ids: 10\n" in result.output


def test_retention_purge_deletes_only_what_has_expired(app, runner):
    now = datetime.now(UTC)
    old_draft = make_draft(app)
    fresh_draft = make_draft(app)
    long_ago = now - timedelta(days=800)
    old_closed, converted, old_open = (make_submission(app) for _ in range(3))
    recent_closed = make_submission(app)
    for public_id in (old_closed, converted):
        update_submission(
            app, public_id, status="closed", submitted_at=long_ago, updated_at=long_ago
        )
    update_submission(app, recent_closed, status="closed")
    update_submission(app, old_open, status="in-review", submitted_at=long_ago, updated_at=long_ago)
    update_submission(app, old_draft, updated_at=now - timedelta(days=31))
    with app.app_context():
        db = new_session(write=True)
        record(
            db,
            "submission.status-changed",
            submission=db.scalars(
                select(Submission).where(Submission.public_id == converted)
            ).one(),
            detail={"from": "contacted", "to": "evaluation-booked"},
        )
        db.commit()
        db.close()
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 drafts and 1 screenings" in result.output
    with app.app_context():
        db = new_session()
        remaining = set(db.scalars(select(Submission.public_id)))
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purged")).one()
        db.close()
    assert remaining == {fresh_draft, converted, recent_closed, old_open}
    assert old_closed not in remaining
    assert event.detail == {"drafts": 1, "screenings": 1, "kept_converted": 1}
