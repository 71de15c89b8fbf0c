"""A ledger of how many submitted screenings there are per status and triage category.

Database triggers on `submissions` (migration 0004) write it, in the same transaction as the
change they count: +1 for a screening that becomes submitted (or moves into a status or
category), -1 for one that leaves it or is deleted. The queue reads the counts by summing a
few dozen rows instead of grouping every screening, and folds the ledger back to one row per
cell now and then (screening.portal.counts). Nothing here identifies a person.
"""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from screening.database import Base


class SubmissionCount(Base):
    """A change to (or, once folded, the total of) one status × category cell."""

    __tablename__ = "submission_counts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(32))
    category_rank: Mapped[int | None] = mapped_column(Integer)
    # Rows are only ever added by triggers and folded together, never updated in place:
    # concurrent submits on PostgreSQL then never wait for (or deadlock on) a shared row.
    amount: Mapped[int] = mapped_column(Integer)
