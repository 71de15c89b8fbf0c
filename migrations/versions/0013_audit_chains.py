"""audit_events.chain: several independent audit chains, each with its own lock and head

With one chain every audited request on PostgreSQL queued for one advisory lock from reading
the chain's head to its commit (docs/PERFORMANCE.md). Each event now links into one of
AUDIT_CHAINS chains; each chain has its own lock, `(7310001, chain)`, and its own head.
Existing rows stay in chain 0 and keep verifying: the signed content names the chain only when
it is not 0.

audit_chain_head(chains) replaces audit_chain_head(): it takes the first free chain's lock,
starting after the newest event's chain (so appends made one after another go round the
chains), waits for that first chain only when every chain is taken, and returns the chain and
its head in one round trip. A transaction that already holds a chain's lock gets it again at
once, so a waiting transaction holds none and two appends cannot deadlock. An app still running
the previous version fails on the dropped function rather than link a row to another chain's
head.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 7310001 is screening.security.audit.AUDIT_CHAIN_LOCK (resign_chain takes every chain's lock).
FUNCTION = """
CREATE FUNCTION audit_chain_head(chains integer, OUT chain_no integer, OUT head varchar)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    start_at integer := coalesce(
        (SELECT e.chain + 1 FROM audit_events e ORDER BY e.id DESC LIMIT 1), 0) % chains;
BEGIN
    FOR step IN 0 .. chains - 1 LOOP
        chain_no := (start_at + step) % chains;
        IF pg_try_advisory_xact_lock(7310001, chain_no) THEN
            -- A query of its own, so it sees the commit of whoever held the lock before.
            head := (SELECT e.hash FROM audit_events e WHERE e.chain = chain_no
                     ORDER BY e.id DESC LIMIT 1);
            RETURN;
        END IF;
    END LOOP;
    chain_no := start_at;
    PERFORM pg_advisory_xact_lock(7310001, chain_no);
    head := (SELECT e.hash FROM audit_events e WHERE e.chain = chain_no ORDER BY e.id DESC LIMIT 1);
END
$$
"""

# Migration 0012's function, restored by the downgrade.
SINGLE_CHAIN_FUNCTION = """
CREATE FUNCTION audit_chain_head() RETURNS varchar LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7310001);
    RETURN (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1);
END
$$
"""


def upgrade() -> None:
    op.add_column(
        "audit_events",
        sa.Column("chain", sa.SmallInteger(), server_default="0", nullable=False),
    )
    op.create_index("ix_audit_events_chain_id", "audit_events", ["chain", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_chain_head()")
        op.execute(FUNCTION)


def downgrade() -> None:
    # Merging chains into one would break every link across them: refuse instead.
    spread = op.get_bind().scalar(sa.text("SELECT count(*) FROM audit_events WHERE chain <> 0"))
    if spread:
        raise RuntimeError(
            f"{spread} audit events are in chains other than 0; the single-chain schema "
            "cannot verify them. Restore a backup from before 0013 instead."
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_chain_head(integer)")
        op.execute(SINGLE_CHAIN_FUNCTION)
    op.drop_index("ix_audit_events_chain_id", table_name="audit_events")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("chain")
