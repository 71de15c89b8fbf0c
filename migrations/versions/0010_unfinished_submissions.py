"""submissions.unfinished: a risk screening in the queue before the person sent it

A person who disclosed risk and asked the clinic to contact them today, or who left such a
screening idle, reaches the queue at once as a submitted screening marked unfinished; if they
go on and send it, the same row is completed. A plain ADD COLUMN: a batch rebuild of
`submissions` on SQLite would drop 0004's count triggers.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "submissions",
        sa.Column("unfinished", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), as in 0006.
    op.execute("ALTER TABLE submissions DROP COLUMN unfinished")
