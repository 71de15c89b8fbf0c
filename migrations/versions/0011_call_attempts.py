"""call_attempts: each call or message to a person about their screening

One row per attempt: who, when, the outcome (a plain code the queue reads), an encrypted note
and the follow-up date it set. A new table only: `submissions` is not rebuilt, so 0004's count
triggers stay.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 20:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("next_follow_up_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_call_attempts_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["clinicians.id"],
            name=op.f("fk_call_attempts_clinician_id_clinicians"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_attempts")),
    )
    op.create_index(
        "ix_call_attempts_submission",
        "call_attempts",
        ["submission_id", "created_at", "outcome"],
    )


def downgrade() -> None:
    op.drop_index("ix_call_attempts_submission", table_name="call_attempts")
    op.drop_table("call_attempts")
