"""The audit chain is keyed: without AUDIT_KEYS nobody can recompute it, and keys rotate.

The attacker here can write the database but not read the server's environment: after
deleting a row they recompute every later row with the published format and plain SHA-256,
which is all an unkeyed chain needed.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, text

from screening.database import new_session
from screening.models import AuditEvent
from screening.security.audit import canonical_time, record
from screening.security.audit_keys import key_id
from tests.conftest import TEST_AUDIT_KEY, make_app

NEW_AUDIT_KEY = "new-audit-key-after-rotation-0123456789abcdef"


def add_events(app, *actions: str) -> None:  # type: ignore[no-untyped-def]
    """Record one audit event per action, each in its own transaction."""
    with app.app_context():
        db = new_session(write=True)
        for action in actions:
            record(db, action, ip="10.0.0.9", detail={"n": action})
            db.commit()
        db.close()


def attacker_hash(row: AuditEvent, prev: str | None) -> str:
    """What an attacker without the key can compute: SHA-256 of the row's published form."""
    content: dict[str, object] = {
        "prev": prev,
        "at": canonical_time(row.at),
        "actor": row.actor_id,
        "action": row.action,
        "outcome": row.outcome,
        "submission": row.submission_id,
        "target": row.target_clinician_id,
        "ip": row.ip,
        "detail": row.detail,
    }
    if row.chain:
        content["chain"] = row.chain
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def delete_and_recompute(app, doomed: int, *, clear_key_ids: bool) -> None:  # type: ignore[no-untyped-def]
    """Delete one row and re-link every row of every chain with plain SHA-256, in the database."""
    with app.app_context():
        db = new_session(write=True)
        db.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": doomed})
        chain, previous = None, None
        rows = select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.id)
        for row in db.scalars(rows).all():
            if row.chain != chain:
                chain, previous = row.chain, None
            digest = attacker_hash(row, previous)
            db.execute(
                text("UPDATE audit_events SET prev_hash = :prev, hash = :hash WHERE id = :id"),
                {"prev": previous, "hash": digest, "id": row.id},
            )
            if clear_key_ids:
                db.execute(
                    text("UPDATE audit_events SET key_id = NULL WHERE id = :id"), {"id": row.id}
                )
            previous = digest
        db.commit()
        db.close()


def key_ids(app) -> list[str | None]:  # type: ignore[no-untyped-def]
    """The key id of every audit row, oldest first."""
    with app.app_context():
        db = new_session()
        try:
            return list(db.scalars(select(AuditEvent.key_id).order_by(AuditEvent.id)))
        finally:
            db.close()


def test_a_deleted_row_hidden_by_recomputing_the_chain_without_the_key_is_found(app, runner):
    add_events(app, "test.one", "test.two", "test.three", "test.four")
    delete_and_recompute(app, 2, clear_key_ids=False)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert "BROKEN at event ids: 1, 3, 4" in result.output


def test_rewriting_the_chain_as_unkeyed_rows_is_not_accepted(app, runner):
    add_events(app, "test.one", "test.two", "test.three")
    delete_and_recompute(app, 2, clear_key_ids=True)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert "BROKEN at event ids: 1, 3" in result.output


def test_rows_keep_verifying_with_the_older_key_after_rotation(tmp_path, database_url):
    old = make_app(tmp_path, database_url)
    add_events(old, "test.before")
    rotated = make_app(tmp_path, database_url, AUDIT_KEYS=f"{NEW_AUDIT_KEY},{TEST_AUDIT_KEY}")
    add_events(rotated, "test.after")
    assert key_ids(rotated) == [key_id(TEST_AUDIT_KEY.encode()), key_id(NEW_AUDIT_KEY.encode())]
    assert rotated.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0

    # Without the older key its rows cannot be checked: that is a failure, never a pass.
    new_only = make_app(tmp_path, database_url, AUDIT_KEYS=NEW_AUDIT_KEY)
    refused = new_only.test_cli_runner().invoke(args=["audit", "verify"])
    assert refused.exit_code == 1 and "BROKEN at event ids: 1" in refused.output

    # `audit resign` moves every row to the newest key; then the older one can go.
    resigned = rotated.test_cli_runner().invoke(args=["audit", "resign"])
    assert resigned.exit_code == 0, resigned.output
    assert set(key_ids(new_only)) == {key_id(NEW_AUDIT_KEY.encode())}
    intact = new_only.test_cli_runner().invoke(args=["audit", "verify"])
    assert intact.exit_code == 0 and "intact: 3 events" in intact.output


def unkeyed_legacy_chain(app, count: int) -> None:  # type: ignore[no-untyped-def]
    """Turn the trail into what a database upgraded from before keyed signing holds: one
    unkeyed chain (chain 0)."""
    add_events(app, *(f"test.legacy{n}" for n in range(count)))
    with app.app_context():
        db = new_session(write=True)
        previous: str | None = None
        for row in db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all():
            row.prev_hash, row.key_id, row.chain = previous, None, 0
            row.hash = previous = attacker_hash(row, previous)
        db.commit()
        db.close()


def test_rows_from_before_keyed_signing_are_checked_and_signed_once(app, runner):
    unkeyed_legacy_chain(app, 3)
    add_events(app, "test.after-upgrade")
    before = runner.invoke(args=["audit", "verify"])
    assert before.exit_code == 1
    assert "3 events predate keyed signing" in before.output and "audit resign" in before.output
    resigned = runner.invoke(args=["audit", "resign"])
    assert resigned.exit_code == 0, resigned.output
    assert "Signed 4 events" in resigned.output
    after = runner.invoke(args=["audit", "verify"])
    assert after.exit_code == 0 and "intact: 5 events" in after.output


def test_resign_refuses_a_chain_that_is_already_broken(app, runner):
    unkeyed_legacy_chain(app, 3)
    with app.extensions["db_engine"].begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = 2"))
    result = runner.invoke(args=["audit", "resign"])
    assert result.exit_code == 1 and "BROKEN at event ids: 3" in result.output
    assert key_ids(app) == [None, None]
