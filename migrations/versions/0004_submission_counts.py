"""submission_counts: a trigger-kept ledger of submitted screenings per status and category

The queue's header (counts per category and status, the urgent banner) and its "of N" total
read this small table instead of grouping every submitted screening, so they cost the same
at 100 screenings or 100,000. Triggers on `submissions` append +1/-1 rows in the same
transaction as every insert, submit, status or category change and delete, whatever code
(or SQL) made it; the table starts from a GROUP BY of the existing rows.

SQLite: a migration that rebuilds `submissions` with batch_alter_table drops these triggers;
such a migration must create them again (`create_triggers` below).

Revision ID: 0004
Revises: 0003b
Create Date: 2026-11-27 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only state, status and category_rank move a screening between cells: other updates
# (autosaves, assignment, follow-up dates, key rotation) never fire the update trigger.

SQLITE_TRIGGERS = {
    "submission_counts_insert": """
        CREATE TRIGGER submission_counts_insert AFTER INSERT ON submissions
        WHEN NEW.state = 'submitted'
        BEGIN
            INSERT INTO submission_counts (status, category_rank, amount)
            VALUES (NEW.status, NEW.category_rank, 1);
        END
    """,
    "submission_counts_update": """
        CREATE TRIGGER submission_counts_update AFTER UPDATE OF state, status, category_rank
        ON submissions
        WHEN (OLD.state = 'submitted' OR NEW.state = 'submitted')
            AND (OLD.state IS NOT NEW.state OR OLD.status IS NOT NEW.status
                 OR OLD.category_rank IS NOT NEW.category_rank)
        BEGIN
            INSERT INTO submission_counts (status, category_rank, amount)
            SELECT OLD.status, OLD.category_rank, -1 WHERE OLD.state = 'submitted';
            INSERT INTO submission_counts (status, category_rank, amount)
            SELECT NEW.status, NEW.category_rank, 1 WHERE NEW.state = 'submitted';
        END
    """,
    "submission_counts_delete": """
        CREATE TRIGGER submission_counts_delete AFTER DELETE ON submissions
        WHEN OLD.state = 'submitted'
        BEGIN
            INSERT INTO submission_counts (status, category_rank, amount)
            VALUES (OLD.status, OLD.category_rank, -1);
        END
    """,
}

POSTGRES_FUNCTION = """
    CREATE FUNCTION submission_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            IF OLD.state = 'submitted' THEN
                INSERT INTO submission_counts (status, category_rank, amount)
                VALUES (OLD.status, OLD.category_rank, -1);
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            IF NEW.state = 'submitted' THEN
                INSERT INTO submission_counts (status, category_rank, amount)
                VALUES (NEW.status, NEW.category_rank, 1);
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
"""
POSTGRES_TRIGGERS = {
    "submission_counts_insert": """
        CREATE TRIGGER submission_counts_insert AFTER INSERT ON submissions
        FOR EACH ROW WHEN (NEW.state = 'submitted')
        EXECUTE FUNCTION submission_counts_track()
    """,
    "submission_counts_update": """
        CREATE TRIGGER submission_counts_update AFTER UPDATE OF state, status, category_rank
        ON submissions
        FOR EACH ROW WHEN (
            (OLD.state = 'submitted' OR NEW.state = 'submitted')
            AND (OLD.state, OLD.status, OLD.category_rank)
                IS DISTINCT FROM (NEW.state, NEW.status, NEW.category_rank)
        )
        EXECUTE FUNCTION submission_counts_track()
    """,
    "submission_counts_delete": """
        CREATE TRIGGER submission_counts_delete AFTER DELETE ON submissions
        FOR EACH ROW WHEN (OLD.state = 'submitted')
        EXECUTE FUNCTION submission_counts_track()
    """,
}


def create_triggers() -> None:
    """Create the triggers that keep submission_counts in step with submissions."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for statement in POSTGRES_TRIGGERS.values():
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def drop_triggers() -> None:
    """Drop the triggers (and on PostgreSQL their function)."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON submissions" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS submission_counts_track()")


def upgrade() -> None:
    op.create_table(
        "submission_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("category_rank", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_counts")),
    )
    # Counted before the triggers exist, inside the migration's transaction; on PostgreSQL
    # the lock keeps submits from slipping in between the count and the first trigger.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("LOCK TABLE submissions IN SHARE ROW EXCLUSIVE MODE")
    op.execute(
        "INSERT INTO submission_counts (status, category_rank, amount) "
        "SELECT status, category_rank, count(*) FROM submissions "
        "WHERE state = 'submitted' GROUP BY status, category_rank"
    )
    create_triggers()


def downgrade() -> None:
    drop_triggers()
    op.drop_table("submission_counts")
