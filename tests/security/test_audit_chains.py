"""Several audit chains: events go round them, each verifies on its own, tampering is found.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (there audit_chain_head(),
migration 0013, picks the chain and takes its lock).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from screening.cli import alembic_config
from screening.database import new_session
from screening.models import AuditEvent
from screening.security.audit import record
from tests.conftest import TEST_AUDIT_KEY, make_app


def add_events(app: Flask, count: int) -> None:
    """Record `count` audit events, each in its own transaction."""
    with app.app_context():
        db = new_session(write=True)
        for n in range(count):
            record(db, f"test.event{n}", ip="10.0.0.9", detail={"n": n})
            db.commit()
        db.close()


def chains_by_id(app: Flask) -> dict[int, int]:
    """Each event's chain, by event id."""
    with app.app_context(), new_session() as db:
        return {row.id: row.chain for row in db.execute(select(AuditEvent.id, AuditEvent.chain))}


def change(app: Flask, *statements: str) -> None:
    """Tamper with the trail straight in the database."""
    with app.extensions["db_engine"].begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def verify(app: Flask) -> tuple[int, str]:
    """Run `flask audit verify`; return its exit code and output."""
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_events_go_round_the_chains_and_each_links_within_its_own(tmp_path, database_url):
    app = make_app(tmp_path, database_url, AUDIT_CHAINS=3)
    add_events(app, 7)
    assert chains_by_id(app) == {1: 0, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 0}
    with app.app_context(), new_session() as db:
        rows = {row.id: row for row in db.scalars(select(AuditEvent))}
    assert [rows[i].prev_hash for i in (1, 2, 3)] == [None, None, None]
    assert rows[4].prev_hash == rows[1].hash and rows[7].prev_hash == rows[4].hash
    assert rows[5].prev_hash == rows[2].hash and rows[6].prev_hash == rows[3].hash
    # Checked as one chain in id order, every row after the first would be broken.
    assert verify(app) == (
        0,
        "Audit trail intact: 7 events in 3 chains (events per chain: 0: 3, 1: 2, 2: 2).\n",
    )


def test_an_event_deleted_from_the_middle_of_one_chain_is_found(tmp_path, database_url):
    app = make_app(tmp_path, database_url, AUDIT_CHAINS=2)
    add_events(app, 6)  # chain 0: 1, 3, 5; chain 1: 2, 4, 6
    change(app, "DELETE FROM audit_events WHERE id = 3")
    code, output = verify(app)
    assert code == 1 and "BROKEN at event ids: 5\n" in output


def test_an_event_moved_to_another_chain_is_found(tmp_path, database_url):
    app = make_app(tmp_path, database_url, AUDIT_CHAINS=2)
    add_events(app, 6)
    change(app, "UPDATE audit_events SET chain = 1 WHERE id = 3")
    code, output = verify(app)
    # 5 lost its predecessor in chain 0; 3 is signed for chain 0 and does not follow 2; 4
    # no longer follows the row before it in chain 1.
    assert code == 1 and "BROKEN at event ids: 3, 4, 5\n" in output


def test_a_chain_s_only_event_moved_to_an_empty_chain_is_found_by_its_signature(
    tmp_path, database_url
):
    app = make_app(tmp_path, database_url, AUDIT_CHAINS=3)
    add_events(app, 2)  # chain 0: 1; chain 1: 2; chain 2 empty
    change(app, "UPDATE audit_events SET chain = 2 WHERE id = 2")
    code, output = verify(app)
    assert code == 1 and "BROKEN at event ids: 2\n" in output


def test_events_swapped_within_a_chain_are_found(tmp_path, database_url):
    app = make_app(tmp_path, database_url, AUDIT_CHAINS=2)
    add_events(app, 6)  # chain 0: 1, 3, 5
    change(
        app,
        "UPDATE audit_events SET id = 100 WHERE id = 3",
        "UPDATE audit_events SET id = 3 WHERE id = 5",
        "UPDATE audit_events SET id = 5 WHERE id = 100",
    )
    code, output = verify(app)
    assert code == 1 and "BROKEN at event ids: 3, 5\n" in output


def test_resign_relinks_each_chain_on_its_own(tmp_path, database_url):
    app = make_app(tmp_path, database_url, AUDIT_CHAINS=2)
    add_events(app, 4)
    rotated = make_app(
        tmp_path, database_url, AUDIT_CHAINS=2, AUDIT_KEYS=f"new-key-{'x' * 40},{TEST_AUDIT_KEY}"
    )
    result = rotated.test_cli_runner().invoke(args=["audit", "resign"])
    assert result.exit_code == 0 and "Signed 4 events" in result.output
    assert verify(rotated) == (
        0,
        "Audit trail intact: 5 events in 2 chains (events per chain: 0: 3, 1: 2).\n",
    )


def signed_like_before_chains(row: dict[str, object], prev: str | None) -> str:
    """The HMAC the single-chain code wrote (migrations 0007 to 0012), computed independently."""
    content = {"prev": prev, **{key: row[key] for key in sorted(row)}}
    payload = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(TEST_AUDIT_KEY.encode(), payload, hashlib.sha256).hexdigest()


def test_a_single_chain_written_before_0013_keeps_verifying_and_new_events_join_chains(app):
    with app.app_context():
        command.downgrade(alembic_config(), "0012")
    # The table as migration 0012 left it, without the app's model (which names `chain`).
    table = sa.table(
        "audit_events",
        *(sa.column(name) for name in ("action", "outcome", "ip", "prev_hash", "hash", "key_id")),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("detail", sa.JSON),
    )
    previous = None
    for n in range(3):
        at = datetime(2026, 11, 30, 12, 0, n, 5, tzinfo=UTC)
        row = {
            "at": at.replace(tzinfo=None).isoformat(timespec="microseconds"),
            "actor": None,
            "action": f"test.old{n}",
            "outcome": "success",
            "submission": None,
            "target": None,
            "ip": "10.0.0.9",
            "detail": {"n": n},
        }
        digest = signed_like_before_chains(row, previous)
        with app.extensions["db_engine"].begin() as connection:
            connection.execute(
                table.insert().values(
                    at=at,
                    action=row["action"],
                    outcome="success",
                    ip="10.0.0.9",
                    detail=row["detail"],
                    prev_hash=previous,
                    hash=digest,
                    key_id=hashlib.sha256(TEST_AUDIT_KEY.encode()).hexdigest()[:8],
                )
            )
        previous = digest
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    assert set(chains_by_id(app).values()) == {0}
    add_events(app, 2)
    assert chains_by_id(app)[4] == 1 and chains_by_id(app)[5] == 2
    code, output = verify(app)
    assert code == 0 and "intact: 5 events in 3 chains" in output

    # Going back to one chain would break the links across chains: refused.
    with app.app_context(), pytest.raises(RuntimeError, match="2 audit events are in chains"):
        command.downgrade(alembic_config(), "0012")


def test_on_postgresql_a_request_never_waits_for_a_chain_another_holds(tmp_path, database_url):
    app = make_app(tmp_path, database_url, AUDIT_CHAINS=2)
    if app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("chain locks are PostgreSQL's; SQLite has one writer at a time")
    add_events(app, 1)  # chain 0; the next append starts at chain 1
    with app.app_context():
        first, second, third = (new_session(write=True) for _ in range(3))
        try:
            # Not committed: each holds its chain's lock.
            assert record(first, "test.first").chain == 1
            first.flush()
            assert record(second, "test.second").chain == 0
            second.flush()
            # Both chains are held: a third append waits; with a short lock timeout it gives up.
            third.execute(text("SET LOCAL lock_timeout = '50ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                record(third, "test.third")
            # Holding a chain, a second event in the same transaction never waits.
            assert record(first, "test.first-again").chain == 1
            first.flush()
            first.commit()
            second.commit()
        finally:
            for db in (first, second, third):
                db.close()
    assert verify(app)[0] == 0
