"""submissions: room for the "incomplete" triage category, ranked just after urgent-safety

`category_rank` is the category's place in the queue order (screening.questionnaire.flags
CATEGORIES). "incomplete" takes rank 1, so every stored rank from 1 up moves one place down.
The submission_counts triggers (0004) see each change and keep the counts in step; the ledger
is then folded back to one row per cell. Triage categories and flags already stored are not
re-computed: they stay what the rules said when the person submitted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD_COUNTS = (
    "CREATE TEMPORARY TABLE folded_counts AS SELECT status, category_rank, sum(amount) AS amount"
    " FROM submission_counts GROUP BY status, category_rank HAVING sum(amount) <> 0",
    "DELETE FROM submission_counts",
    "INSERT INTO submission_counts (status, category_rank, amount)"
    " SELECT status, category_rank, amount FROM folded_counts",
    "DROP TABLE folded_counts",
)


def fold_counts() -> None:
    """Merge the +1/-1 rows the rank changes left in the counts ledger."""
    for statement in FOLD_COUNTS:
        op.execute(statement)


def upgrade() -> None:
    op.execute("UPDATE submissions SET category_rank = category_rank + 1 WHERE category_rank >= 1")
    fold_counts()


def downgrade() -> None:
    # The old order has no "incomplete": a clinician must look at those, so needs-review.
    op.execute(
        "UPDATE submissions SET triage_category = 'needs-review', category_rank = 3"
        " WHERE category_rank = 1"
    )
    op.execute("UPDATE submissions SET category_rank = category_rank - 1 WHERE category_rank >= 2")
    fold_counts()
