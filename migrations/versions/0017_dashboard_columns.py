"""submissions.furthest_step and submissions.referral_source: plain columns for the dashboard

`furthest_step`: how many of the steps every person is shown a draft has finished (the funnel;
conditional steps never count, so it reveals no answer). `referral_source`: the option code of
"How did you hear about us?" ("other" for words of their own). Both are read by the admin
dashboard without decrypting anyone. Two indexes let its queries read only the index. Added
columns and indexes only: `submissions` is not rebuilt, so 0004's count triggers stay.
Existing rows stay NULL: `flask submissions refresh-dashboard` fills them from the encrypted
answers and progress (it needs the keys, which a migration never has).

Revision ID: 0017
Revises: 0012
Create Date: 2026-11-30 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("furthest_step", sa.Integer(), nullable=True))
    op.add_column(
        "submissions", sa.Column("referral_source", sa.String(length=32), nullable=True)
    )
    op.create_index(
        "ix_submissions_started",
        "submissions",
        ["created_at", "state", "unfinished", "furthest_step"],
    )
    op.create_index(
        "ix_submissions_referral",
        "submissions",
        ["state", "submitted_at", "referral_source"],
    )


def downgrade() -> None:
    op.drop_index("ix_submissions_referral", table_name="submissions")
    op.drop_index("ix_submissions_started", table_name="submissions")
    op.drop_column("submissions", "referral_source")
    op.drop_column("submissions", "furthest_step")
