"""audit_chain_head(): take the audit chain's lock and read its last signature in one call

Every audited request serialises on the chain's lock until it commits, and in a threaded
worker each round trip made while holding it also waits for the GIL behind requests that are
rendering. Locking and reading the head in one statement saves one of those waits per event.
A PL/pgSQL function because one plain statement reads with the snapshot it started with,
before the lock was granted; inside a function each query takes a fresh one (READ COMMITTED).
SQLite needs nothing: its write transactions already exclude each other.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The key is screening.security.audit.AUDIT_CHAIN_LOCK (resign_chain takes the same lock).
FUNCTION = """
CREATE FUNCTION audit_chain_head() RETURNS varchar LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7310001);
    RETURN (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1);
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_chain_head()")
