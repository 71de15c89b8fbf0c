"""disclosures; submissions.first_opened_at, first_opened_by_id, escalated_at

Risk disclosures are kept as their own append-only rows (encrypted), so no later change of an
answer removes them; the three columns say who opened a screening first and when an unopened
urgent one was escalated to the on-call address.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 16:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "first_opened_at": sa.DateTime(timezone=True),
    "first_opened_by_id": sa.Integer(),
    "escalated_at": sa.DateTime(timezone=True),
}


def upgrade() -> None:
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_disclosures_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    op.create_index(
        "ix_disclosures_submission", "disclosures", ["submission_id", "disclosed_at"]
    )
    # Plain ADD COLUMN: a batch rebuild of `submissions` on SQLite would drop 0004's triggers.
    # first_opened_by_id has no foreign key for the same reason (a constraint needs a rebuild
    # on SQLite); clinicians are never deleted, only deactivated.
    for name in COLUMNS:
        op.add_column("submissions", sa.Column(name, COLUMNS[name], nullable=True))


def downgrade() -> None:
    for name in reversed(COLUMNS):
        # Plain DROP COLUMN (SQLite 3.35+), as in 0006.
        op.execute(f"ALTER TABLE submissions DROP COLUMN {name}")
    op.drop_index("ix_disclosures_submission", table_name="disclosures")
    op.drop_table("disclosures")
