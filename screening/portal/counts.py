"""Counts of submitted screenings per (status, category rank), from the trigger-kept ledger.

`submission_counts` (migration 0004) holds one row per cell once folded, plus a +1/-1 row
for every change since. Reading sums it: a few dozen rows whatever the number of
screenings, and exact in the reader's transaction, like a GROUP BY over `submissions`
would be. `fold` merges the ledger back to one row per cell; it only ever moves amounts
between rows, so a reader at any moment still sums to the same counts.

Kept after measuring the plain alternative (issue 11): at 102,000 screenings on PostgreSQL the
GROUP BY over ix_submissions_status_queue (an index-only scan) took 184-325 ms under EXPLAIN
ANALYZE against 1.2 ms for this ledger, and made the whole queue page 36-69 % slower. Again
on 2026-11-30 at 100,000 with a narrow (state, status, category_rank) index: 42-78 ms, and the
queue page at 0.14x the peer's against 0.23x with the ledger (docs/PERFORMANCE.md).
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from screening.models import SubmissionCount

# Folded, the ledger has at most statuses × categories rows (28); fold well before it
# grows enough to matter (each submit or status change adds one or two).
FOLD_AFTER_ROWS = 200

Cell = tuple[str, int | None]


def read_counts(db: Session) -> tuple[dict[Cell, int], int]:
    """Return the count of each (status, category rank) cell and how many ledger rows made it."""
    query = select(
        SubmissionCount.status,
        SubmissionCount.category_rank,
        func.sum(SubmissionCount.amount),
        func.count(),
    ).group_by(SubmissionCount.status, SubmissionCount.category_rank)
    cells: dict[Cell, int] = {}
    rows = 0
    for status, rank, amount, number in db.execute(query):
        rows += number
        if amount:
            cells[(status, rank)] = int(amount)
    return cells, rows


# One statement: it deletes exactly the rows it sums (rows that triggers commit meanwhile are
# not in its snapshot and stay), and a second fold running at the same time waits for these
# rows, finds them gone and skips them. Amounts only move between rows, never get lost.
POSTGRES_FOLD = text(
    """
    WITH folded AS (
        DELETE FROM submission_counts RETURNING status, category_rank, amount
    )
    INSERT INTO submission_counts (status, category_rank, amount)
    SELECT status, category_rank, sum(amount) FROM folded
    GROUP BY status, category_rank
    HAVING sum(amount) <> 0
    """
)


def fold(db: Session) -> None:
    """Merge the ledger into one row per non-empty cell (the caller commits)."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(POSTGRES_FOLD)
        return
    # SQLite: the caller's write transaction (BEGIN IMMEDIATE) excludes every other writer.
    cells, _rows = read_counts(db)
    db.execute(delete(SubmissionCount))
    if cells:
        db.execute(
            insert(SubmissionCount),
            [
                {"status": status, "category_rank": rank, "amount": amount}
                for (status, rank), amount in cells.items()
            ],
        )
