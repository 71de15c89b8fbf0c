"""submissions: remember the holder token a resume link replaced

A draft is held by one browser at a time (its `draft_token_hash`); opening the resume link
elsewhere hands it over. The replaced token's hash is kept so the browser that lost the draft
can be told why, and shown what it just typed, instead of a bare "could not find".

An added column and a unique index need no table rebuild on SQLite, so the triggers of 0004
stay in place.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 13:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_submissions_released_token_hash"


def upgrade() -> None:
    op.add_column("submissions", sa.Column("released_token_hash", sa.String(64), nullable=True))
    op.create_index(INDEX, "submissions", ["released_token_hash"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="submissions")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would drop 0004's triggers.
    op.execute("ALTER TABLE submissions DROP COLUMN released_token_hash")
