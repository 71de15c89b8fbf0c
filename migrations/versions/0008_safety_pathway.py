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
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_opened_at", sa.DateTime(timezone=True)))
        batch_op.add_column(sa.Column("first_opened_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True)))
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_first_opened_by_id_clinicians"),
            "clinicians",
            ["first_opened_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_submissions_first_opened_by_id_clinicians"), type_="foreignkey"
        )
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("first_opened_by_id")
        batch_op.drop_column("first_opened_at")
    op.drop_index("ix_disclosures_submission", table_name="disclosures")
    op.drop_table("disclosures")
