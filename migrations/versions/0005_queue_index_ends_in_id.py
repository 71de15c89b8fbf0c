"""submissions: the default queue index ends in `id`, like the other queue indexes

ix_submissions_queue (0001) stopped at submitted_at, so PostgreSQL could not read the queue's
full order (category, submitted_at, id) from it: a deep page sorted every submitted screening
(page 2,000 of 100,000: 110 ms, an external merge sort on disk). With `id`, and the columns
the other filters test, it gives the order and answers a page from the index alone. SQLite
keeps the rowid in every index, so it already had the order; it gets the same columns.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 21:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_submissions_queue"
BEFORE = ["state", "category_rank", "submitted_at"]
AFTER = ["state", "category_rank", "submitted_at", "id", "status", "assignee_id"]


def upgrade() -> None:
    op.drop_index(NAME, table_name="submissions")
    op.create_index(NAME, "submissions", AFTER, unique=False)


def downgrade() -> None:
    op.drop_index(NAME, table_name="submissions")
    op.create_index(NAME, "submissions", BEFORE, unique=False)
