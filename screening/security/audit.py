"""Record audit events in keyed hash chains: each row stores the previous signature in its chain.

There are AUDIT_CHAINS independent chains so that concurrent requests on PostgreSQL append
without queueing for one lock: each chain has its own lock and head, and `verify_chain` checks
each one from its first row to its last (docs/SECURITY.md says what a chain guarantees).

Each row is signed with HMAC-SHA256 under the newest AUDIT_KEYS key and names that key
(`key_id`), so rows signed before a key rotation still verify with the older key. Without the
key nobody can recompute the chain, so deleting or editing a row is found by `audit verify`.

`record` adds the event to the caller's session so it commits (or rolls back) together with
the action it describes; `record_now` commits an event that describes no change (a read).
Events hold ids, actions and codes, never answers or names.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import current_app, request
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from screening.clock import utcnow
from screening.database import begin_write, transaction
from screening.models import AuditEvent, Clinician, Submission
from screening.security.audit_keys import AuditKeys

# With the chain's number, the advisory lock that serialises appends to one chain on
# PostgreSQL (audit_chain_head(), migration 0013, takes it); SQLite write transactions are
# already exclusive.
AUDIT_CHAIN_LOCK = 7_310_001


def canonical_time(moment: datetime) -> str:
    """Format a timestamp the same way whether the database kept its zone or not."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def event_payload(event: AuditEvent) -> bytes:
    """The bytes a row's signature covers: its content, its chain and the previous signature."""
    content: dict[str, Any] = {
        "prev": event.prev_hash,
        "at": canonical_time(event.at),
        "actor": event.actor_id,
        "action": event.action,
        "outcome": event.outcome,
        "submission": event.submission_id,
        "target": event.target_clinician_id,
        "ip": event.ip,
        "detail": event.detail,
    }
    # Rows signed before there were chains are in chain 0 and did not name it.
    if event.chain:
        content["chain"] = event.chain
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode("utf-8")


def unkeyed_hash(event: AuditEvent) -> str:
    """The plain SHA-256 that rows written before keyed signing carry (no key_id)."""
    return hashlib.sha256(event_payload(event)).hexdigest()


def audit_keys() -> AuditKeys:
    """The app's audit signing keys (from AUDIT_KEYS)."""
    keys: AuditKeys = current_app.extensions["audit_keys"]
    return keys


def client_ip() -> str | None:
    """Return the address this request came from (after ProxyFix trusted PROXY_FIX_HOPS)."""
    return request.remote_addr


def record(
    db: Session,
    action: str,
    *,
    actor: Clinician | None = None,
    submission: Submission | None = None,
    target: Clinician | None = None,
    outcome: str = "success",
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event to a chain in the caller's transaction (the caller commits)."""
    # The action's own changes are written first: while the chain's lock is held (until the
    # commit), another audited request that finds every chain taken waits.
    db.flush()
    chain, previous = chain_head(db, current_app.config["AUDIT_CHAINS"])
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor else None,
        action=action,
        outcome=outcome,
        submission_id=submission.id if submission else None,
        target_clinician_id=target.id if target else None,
        ip=ip,
        detail=detail,
        prev_hash=previous,
        chain=chain,
    )
    keys = audit_keys()
    event.key_id = keys.signing_id
    event.hash = keys.sign(event_payload(event))
    db.add(event)
    return event


def chain_head(db: Session, chains: int) -> tuple[int, str | None]:
    """Pick the chain to append to, locked until the commit; return it and its last signature.

    The chain after the newest event's, or on PostgreSQL the next one whose lock is free.
    """
    if db.get_bind().dialect.name == "postgresql":
        # The lock and the head in one round trip (migration 0013).
        row = db.execute(
            text("SELECT chain_no, head FROM audit_chain_head(:chains)"), {"chains": chains}
        ).one()
        return row.chain_no, row.head
    newest = db.scalar(select(AuditEvent.chain).order_by(AuditEvent.id.desc()).limit(1))
    chain = 0 if newest is None else (newest + 1) % chains
    head = select(AuditEvent.hash).where(AuditEvent.chain == chain)
    return chain, db.scalar(head.order_by(AuditEvent.id.desc()).limit(1))


@transaction
def record_now(db: Session, action: str, **event: Any) -> None:
    """Record an event that changes nothing (a read) with `record`'s keywords, and commit it.

    On a GET the request's reads end first (begin_write), so it needs no second connection.
    """
    begin_write(db)
    record(db, action, **event)


def signature_holds(event: AuditEvent, keys: AuditKeys, *, accept_unkeyed: bool) -> bool:
    """Whether the row's stored signature matches its content under the key it names."""
    if event.key_id is None:
        return accept_unkeyed and hmac.compare_digest(unkeyed_hash(event), event.hash or "")
    if not keys.knows(event.key_id):
        return False
    return hmac.compare_digest(keys.sign(event_payload(event), event.key_id), event.hash or "")


def in_chain_order(db: Session) -> Iterator[tuple[AuditEvent, str | None]]:
    """Every event, chain by chain and oldest first, with the signature it must link to."""
    chain, previous = None, None
    events = select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.id)
    for event in db.scalars(events).yield_per(1000):
        if event.chain != chain:
            chain, previous = event.chain, None  # each chain starts unlinked
        yield event, previous
        previous = event.hash


def verify_chain(db: Session, *, accept_unkeyed: bool = False) -> list[int]:
    """Return the ids of events whose signature or link does not match (empty when intact).

    Each chain is checked on its own. Rows without a key id (written before keyed signing)
    count as broken, unless `accept_unkeyed`, which only `resign_chain` uses, to check them
    once before signing them.
    """
    keys = audit_keys()
    broken = [
        event.id
        for event, previous in in_chain_order(db)
        if event.prev_hash != previous
        or not signature_holds(event, keys, accept_unkeyed=accept_unkeyed)
    ]
    return sorted(broken)


def events_per_chain(db: Session) -> dict[int, int]:
    """How many events each chain holds (what an outside record can compare from day to day)."""
    counts = select(AuditEvent.chain, func.count()).group_by(AuditEvent.chain)
    return {chain: amount for chain, amount in db.execute(counts.order_by(AuditEvent.chain))}


def count_unkeyed(db: Session) -> int:
    """How many rows were written before keyed signing and still carry a plain SHA-256."""
    return db.scalar(select(func.count()).where(AuditEvent.key_id.is_(None))) or 0


def resign_chain(db: Session) -> int:
    """Re-sign every row under the newest key, after checking the chain as it stands.

    Used once after upgrading (rows without a key id) and before removing an old key from
    AUDIT_KEYS. Refuses (ValueError naming the rows) when the chain is already broken: signing
    it would launder the damage. Returns how many rows were signed; the caller commits.
    """
    if db.get_bind().dialect.name == "postgresql":
        # Every chain's lock, in order, so no append interleaves with the re-signing.
        used = db.scalar(select(func.max(AuditEvent.chain))) or 0
        for chain in range(max(used + 1, current_app.config["AUDIT_CHAINS"])):
            db.execute(
                text("SELECT pg_advisory_xact_lock(:key, :chain)"),
                {"key": AUDIT_CHAIN_LOCK, "chain": chain},
            )
    broken = verify_chain(db, accept_unkeyed=True)
    if broken:
        raise ValueError(", ".join(map(str, broken[:50])))
    keys = audit_keys()
    count = 0
    chain, previous = None, None
    for event in db.scalars(select(AuditEvent).order_by(AuditEvent.chain, AuditEvent.id)):
        if event.chain != chain:
            chain, previous = event.chain, None
        event.prev_hash = previous
        event.key_id = keys.signing_id
        event.hash = keys.sign(event_payload(event))
        previous = event.hash
        count += 1
    return count
