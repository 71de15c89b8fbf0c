"""audit_events: key_id, the AUDIT_KEYS key whose HMAC signs the row

Rows already present keep their plain SHA-256 and a NULL key_id; `flask audit verify` reports
them until `flask audit resign` has checked and signed them once (docs/SECURITY.md).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("key_id")
