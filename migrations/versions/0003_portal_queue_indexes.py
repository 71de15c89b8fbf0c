"""submissions: covering indexes for the clinician queue's filters and sorts

Every filter (status, assignee, dates) and sort (urgency, newest, follow-up date) of the queue
is answered from an index alone, so a page, its count and the counts per status stay fast at
100,000+ screenings. ix_submissions_queue (0001) still serves the default order.

Revision ID: 0003b
Revises: 0003a
Create Date: 2026-11-27 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0003b"
down_revision: str | None = "0003a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `id` sits right after the ordering columns so each index also gives the queue's tie-break
# order (… , id); the columns after it only let filters be tested without reading the row.
INDEXES = {
    "ix_submissions_status_queue": [
        "state", "status", "category_rank", "submitted_at", "id", "assignee_id"
    ],
    "ix_submissions_assignee_queue": [
        "state", "assignee_id", "category_rank", "submitted_at", "id", "status"
    ],
    "ix_submissions_submitted": [
        "state", "submitted_at", "id", "category_rank", "status", "assignee_id"
    ],
    "ix_submissions_follow_up": [
        "state", "follow_up_on", "category_rank", "submitted_at", "id", "status", "assignee_id"
    ],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "submissions", columns, unique=False)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="submissions")
