"""Forms for the admin pages: inviting a colleague and filtering the audit trail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from screening.form_validators import BoundedDateField, PlainText
from screening.models import Role


class InviteForm(FlaskForm):
    """A new colleague's name, email address and role."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter the person's name.")), Length(max=120), PlainText()],
    )
    email = StringField(
        _l("Email address"),
        validators=[
            InputRequired(_l("Enter their email address.")),
            Length(max=254),
            PlainText(),
            Email(_l("Enter an email address like name@example.org."), check_deliverability=False),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(Role.CLINICIAN.value, _l("Clinician")),
            SelectChoice(Role.ADMIN.value, _l("Admin")),
        ],
        default=Role.CLINICIAN.value,
    )


class AccountActionForm(FlaskForm):
    """No fields: carries the CSRF token of the deactivate, reactivate and reset buttons."""


class AuditFilterForm(Form):
    """Filters for the audit trail, read from the query string (a GET form: no CSRF)."""

    action = StringField(
        _l("Action starts with"), validators=[Optional(), Length(max=64), PlainText()]
    )
    actor = SelectField(_l("Who"), choices=[], validate_choice=True, default="")
    date_from = BoundedDateField(_l("From (date)"), validators=[Optional()])
    date_to = BoundedDateField(_l("To (date, inclusive)"), validators=[Optional()])
    submission = StringField(
        _l("Screening id"), validators=[Optional(), Length(max=32), PlainText()]
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=1_000_000)], default=1)

    def validate_date_to(self, field: BoundedDateField) -> None:
        """Refuse a range that ends before it starts."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))
