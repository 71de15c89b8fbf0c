"""submissions.furthest_step, .referral_source and .first_call_at: plain columns for the dashboard

`furthest_step`: how many of the steps every person is shown a draft has finished (the funnel;
conditional steps never count, so it reveals no answer). `referral_source`: the option code of
"How did you hear about us?" ("other" for words of their own). `first_call_at`: when the first
call attempt was logged, copied here (and filled now from call_attempts) so that time to first
contact is read from an index instead of one look-up per screening. All are read by the admin
dashboard without decrypting anyone; two indexes let its queries read only the index. Added
columns and indexes only: `submissions` is not rebuilt, so 0004's count triggers stay.
`furthest_step` and `referral_source` of existing rows stay NULL: `flask submissions
refresh-dashboard` fills them from the encrypted answers and progress (it needs the keys,
which a migration never has).

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("submissions", sa.Column("furthest_step", sa.Integer(), nullable=True))
    op.add_column(
        "submissions", sa.Column("referral_source", sa.String(length=32), nullable=True)
    )
    op.add_column(
        "submissions", sa.Column("first_call_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        "UPDATE submissions SET first_call_at = (SELECT min(created_at) FROM call_attempts"
        " WHERE call_attempts.submission_id = submissions.id)"
        " WHERE id IN (SELECT submission_id FROM call_attempts)"
    )
    op.create_index(
        "ix_submissions_started",
        "submissions",
        ["created_at", "state", "unfinished", "furthest_step"],
    )
    op.create_index(
        "ix_submissions_dashboard",
        "submissions",
        ["state", "submitted_at", "status", "referral_source", "first_call_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_submissions_dashboard", table_name="submissions")
    op.drop_index("ix_submissions_started", table_name="submissions")
    op.drop_column("submissions", "first_call_at")
    op.drop_column("submissions", "referral_source")
    op.drop_column("submissions", "furthest_step")
