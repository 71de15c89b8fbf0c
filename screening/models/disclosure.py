"""Risk disclosures: the moments a person gave an answer that raises an urgent flag.

A fact, not an answer: rows are only ever added, so changing or removing the answer later
(or going back, saving, resuming) never removes the record that it was given.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from screening.clock import utcnow
from screening.database import Base
from screening.security.encrypted_types import EncryptedJSON


class Disclosure(Base):
    """One disclosure event: the step it was given on and the risk answers, encrypted."""

    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    disclosed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # {"section": step linkId, "answers": {linkId: answer as stored}}: the step a person was on
    # says as much as the answers, so both are encrypted.
    detail: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)

    __table_args__ = (Index("ix_disclosures_submission", "submission_id", "disclosed_at"),)

    @property
    def section(self) -> str:
        """The step the answers were given on."""
        return str(self.detail.get("section", ""))

    @property
    def answers(self) -> dict[str, Any]:
        """The risk answers given, by linkId."""
        return dict(self.detail.get("answers", {}))
