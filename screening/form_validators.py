"""Checks shared by the staff forms: dates in a sane range, text without control characters.

Every value a staff form or query string carries passes one of these before it reaches a
query, so nothing typed can break the date arithmetic of a filter (9999-12-31 plus one day)
or the database (PostgreSQL text cannot hold NUL): the person gets a field error instead.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import ValidationError

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DATE_FORMAT = "%Y-%m-%d"
# Control characters (NUL among them) and halves of surrogate pairs, which no one types.
REFUSED_CATEGORIES = frozenset({"Cc", "Cs"})
LINE_BREAKS = frozenset("\t\r\n")


class DateInRange:
    """Refuse a date outside EARLIEST_DATE..LATEST_DATE."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
            raise ValidationError(
                _l(
                    "Enter a date between %(earliest)s and %(latest)s.",
                    earliest=EARLIEST_DATE.isoformat(),
                    latest=LATEST_DATE.isoformat(),
                )
            )


class PlainText:
    """Refuse control characters; `multiline` lets a text area keep tabs and line breaks."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.allowed = LINE_BREAKS if multiline else frozenset()

    def __call__(self, form: Any, field: Any) -> None:
        text = field.data if isinstance(field.data, str) else ""
        if any(
            unicodedata.category(ch) in REFUSED_CATEGORIES and ch not in self.allowed for ch in text
        ):
            raise ValidationError(_l("Remove the control characters from this field."))


class BoundedDateField(DateField):
    """A YYYY-MM-DD date field that only accepts dates in a sane range."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", DATE_FORMAT)
        super().__init__(label, [*(validators or ()), DateInRange()], **kwargs)
