"""Keeping a resume link: shown again in the browser that saved, or emailed to the person.

The browser that pressed "Save and finish later" keeps the link's token in its session, so
the saved page can show the link again for as long as that browser holds the draft and the
link is the draft's current, unused one. The email carries the link and the clinic's name
only: nothing the person answered, and the address typed is used once and never stored.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField
from wtforms.validators import InputRequired, Length

from screening.clock import as_utc, utcnow
from screening.i18n import current_language
from screening.intake.forms import ValidEmail
from screening.links import public_url
from screening.models import Submission
from screening.notify import deliver
from screening.security.crypto import token_digest

log = logging.getLogger(__name__)


class EmailLinkForm(Form):
    """The address to email the resume link to (used for this one email only)."""

    email = StringField(
        validators=[
            InputRequired(message=_l("Enter your email address.")),
            Length(max=254, message=_l("Enter an email address like name@example.com.")),
            ValidEmail(),
        ]
    )


def is_current_link(draft: Submission, token: str | None) -> bool:
    """Whether `token` is the draft's resume link, unused and unexpired."""
    if not token or draft.resume_token_hash != token_digest(token):
        return False
    expires = draft.resume_expires_at
    return expires is not None and as_utc(expires) >= utcnow()


def link_for(token: str) -> str:
    """Return the full resume link; it names the language so a dead link's message does too."""
    return public_url(
        current_app.config, url_for("intake.resume", token=token, lang=current_language())
    )


def build_email(config: Any, to: str, link: str) -> EmailMessage:
    """Compose the resume email in the person's language: the clinic's name and the link."""
    clinic = config["CLINIC_NAME"]
    days = config["RESUME_LINK_DAYS"]
    message = EmailMessage()
    message["Subject"] = _("Your link to finish your screening with %(clinic)s", clinic=clinic)
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="threshold.invalid")
    message.set_content(
        "\n\n".join(
            [
                _("You asked %(clinic)s to email you this link.", clinic=clinic),
                _(
                    "Use it to finish your screening on any device. It works once, for "
                    "%(days)s days. Anyone with the link can see your answers, so do not "
                    "forward this email.",
                    days=days,
                ),
                link,
                _("If you did not ask for this email, you can delete it."),
                clinic,
            ]
        )
        + "\n"
    )
    return message


def send_link(to: str, link: str) -> bool:
    """Email the resume link; never raises. Returns whether it went out."""
    try:
        deliver(build_email(current_app.config, to, link))
    except Exception as error:
        # The error type only: SMTP errors can echo the recipient's address back.
        log.warning("resume link email not sent: %s", type(error).__name__)
        return False
    log.info("resume link email sent")
    return True
