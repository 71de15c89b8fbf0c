"""Forms of the clinician portal: queue filters (GET), search, and the workflow changes (POST).

Every POST form is a FlaskForm (CSRF token) with its own prefix, so several can share the
submission page without clashing ids.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Form,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from screening.form_validators import BoundedDateField, PlainText
from screening.portal.queue import OPEN, QueueFilter, SearchMatch
from screening.portal.service import CALL_NOTE_MAX_LENGTH, NOTE_MAX_LENGTH
from screening.portal.workflow import (
    CALL_OUTCOME_LABELS,
    CALL_OUTCOMES,
    CATEGORY_LABELS,
    STATUS_LABELS,
    STATUSES,
)
from screening.questionnaire.flags import CATEGORIES

SEARCH_MAX_LENGTH = 254


# Choices are built per form from plain, translated strings: a lazy label would be
# translated again every time the select is rendered or its choices are read.


def category_choices() -> list[SelectChoice]:
    """Every triage category, most urgent first."""
    return [
        SelectChoice("", str(_l("All categories"))),
        *(SelectChoice(c, str(CATEGORY_LABELS[c])) for c in CATEGORIES),
    ]


def status_filter_choices() -> list[SelectChoice]:
    """Every status, plus "waiting for review" (new or in review)."""
    return [
        SelectChoice("", str(_l("All statuses"))),
        SelectChoice(OPEN, str(_l("Waiting for review (new or in review)"))),
        *status_choices(),
    ]


def status_choices() -> list[SelectChoice]:
    """Every status, in the workflow's usual order."""
    return [SelectChoice(s, str(STATUS_LABELS[s])) for s in STATUSES]


def assigned_choices() -> list[SelectChoice]:
    """Anyone, the viewer, or nobody."""
    return [
        SelectChoice("", str(_l("Anyone"))),
        SelectChoice("me", str(_l("Me"))),
        SelectChoice("unassigned", str(_l("Nobody yet"))),
    ]


def sort_choices() -> list[SelectChoice]:
    """The queue's orders."""
    return [
        SelectChoice("triage", str(_l("Urgency, then oldest first"))),
        SelectChoice("newest", str(_l("Newest first"))),
        SelectChoice("follow-up", str(_l("Follow-up date (only those with one)"))),
    ]


class QueueFilterForm(Form):
    """The queue's filters, read from the query string (a GET form: no CSRF needed)."""

    category = SelectField(_l("Triage category"), choices=category_choices, default="")
    status = SelectField(_l("Status"), choices=status_filter_choices, default="")
    assigned = SelectField(_l("Assigned to"), choices=assigned_choices, default="")
    from_date = BoundedDateField(_l("Submitted on or after"), validators=[Optional()])
    to_date = BoundedDateField(_l("Submitted on or before"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=sort_choices, default="triage")
    match = HiddenField()

    def validate_to_date(self, field: BoundedDateField) -> None:
        """The range must not end before it starts."""
        if field.data and self.from_date.data and field.data < self.from_date.data:
            raise ValidationError(str(_l("Choose a date on or after the start date.")))

    def to_filter(self) -> QueueFilter:
        """Return the filter from the fields that are valid; invalid ones are left out."""
        errors = self.errors

        def valid(name: str) -> Any:
            return None if name in errors else (self[name].data or None)

        return QueueFilter(
            category=valid("category"),
            status=valid("status"),
            assigned=valid("assigned"),
            submitted_from=valid("from_date"),
            submitted_to=valid("to_date"),
            match=SearchMatch.parse(self.match.data),
            sort=valid("sort") or "triage",
        )


class SearchForm(FlaskForm):
    """One search box: an email address, a phone number or a full name, matched exactly."""

    q = StringField(
        _l("Find by email, phone number or full name"),
        validators=[
            DataRequired(message=_l("Enter an email address, a phone number or a full name.")),
            Length(max=SEARCH_MAX_LENGTH),
            PlainText(),
        ],
    )


class StatusForm(FlaskForm):
    """Move the screening to another status."""

    status = SelectField(_l("Status"), choices=status_choices)


class AssigneeForm(FlaskForm):
    """Give the screening to a clinician, or to nobody."""

    assignee = SelectField(_l("Assigned to"), choices=[], validate_choice=True)

    def set_clinicians(self, clinicians: list[tuple[int, str]]) -> AssigneeForm:
        """Offer the active clinicians (and "nobody")."""
        self.assignee.choices = [SelectChoice("", str(_l("Nobody")))] + [
            SelectChoice(str(cid), name) for cid, name in clinicians
        ]
        return self

    def assignee_id(self) -> int | None:
        """The chosen clinician's id, or None for nobody."""
        return int(self.assignee.data) if self.assignee.data else None


class TakeForm(FlaskForm):
    """ "Take it": assign the screening to me (a CSRF token and nothing else)."""


class CalendarFeedForm(FlaskForm):
    """Make a new calendar feed address, or turn the feed off (a CSRF token and nothing else)."""


class FollowUpForm(FlaskForm):
    """Set a follow-up date; leave it empty to clear it."""

    follow_up_on = BoundedDateField(_l("Follow-up date"), validators=[Optional()])


def call_outcome_choices() -> list[SelectChoice]:
    """How a call can go, with a first choice that asks for one."""
    return [
        SelectChoice("", str(_l("Choose how it went"))),
        *(SelectChoice(o, str(CALL_OUTCOME_LABELS[o])) for o in CALL_OUTCOMES),
    ]


class LogCallForm(FlaskForm):
    """Log an attempt to reach the person: how it went, a short note, the next follow-up."""

    outcome = SelectField(
        _l("Outcome"),
        choices=call_outcome_choices,
        validators=[DataRequired(message=_l("Choose how the call went."))],
    )
    note = TextAreaField(
        _l("Short note (optional)"),
        validators=[
            Optional(),
            Length(
                max=CALL_NOTE_MAX_LENGTH,
                message=_l(
                    "A call note can be at most %(max)d characters.", max=CALL_NOTE_MAX_LENGTH
                ),
            ),
            PlainText(multiline=True),
        ],
    )
    next_follow_up_on = BoundedDateField(_l("Next follow-up (optional)"), validators=[Optional()])


class NoteForm(FlaskForm):
    """Add a note to the timeline."""

    body = TextAreaField(
        _l("New note"),
        validators=[
            DataRequired(message=_l("Write the note before adding it.")),
            Length(
                max=NOTE_MAX_LENGTH,
                message=_l("A note can be at most %(max)d characters.", max=NOTE_MAX_LENGTH),
            ),
            PlainText(multiline=True),
        ],
    )
