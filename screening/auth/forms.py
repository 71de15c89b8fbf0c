"""Forms for signing in, two-step verification and changing a password."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from screening.auth.passwords import MAX_LENGTH
from screening.form_validators import PlainText

# Generous, so a long passphrase is never cut; tighter limits live in the password policy.
PASSWORD_INPUT_LIMIT = 1024


class LoginForm(FlaskForm):
    """Email and password: the first step of signing in."""

    email = StringField(
        _l("Email address"),
        validators=[InputRequired(_l("Enter your email address.")), Length(max=254), PlainText()],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=PASSWORD_INPUT_LIMIT),
        ],
    )


def code_field(label: LazyString, missing: LazyString, max_length: int) -> StringField:
    """A required one-line code, short and plain text."""
    return StringField(
        label, validators=[InputRequired(missing), Length(max=max_length), PlainText()]
    )


class CodeForm(FlaskForm):
    """A 6-digit code from the authenticator app."""

    code = code_field(_l("6-digit code"), _l("Enter the 6-digit code from your app."), 16)


class RecoveryCodeForm(FlaskForm):
    """One of the recovery codes shown at enrolment."""

    code = code_field(_l("Recovery code"), _l("Enter one of your recovery codes."), 32)


class ChangePasswordForm(FlaskForm):
    """The current password and a new one, typed twice."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[
            InputRequired(_l("Enter your current password.")),
            Length(max=PASSWORD_INPUT_LIMIT),
        ],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Enter a new password.")),
            Length(max=MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password again.")),
            EqualTo("new_password", message=_l("The two new passwords do not match.")),
        ],
    )
