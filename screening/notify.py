"""Staff notifications: an email saying only that a screening needs review.

The message never carries anything about the person: no name, answer, score, flag or id, so
a mailbox, a mail server or a forwarded email reveals nothing. Urgent screenings say "URGENT"
in the subject so staff open the portal first. Without MAIL_SERVER (development) the message
is written to instance/outbox/ as an .eml file instead of being sent.

Sending happens after the submission has committed, and every failure is caught and logged
without the recipient's address: a broken mail server can never lose or hold a submission.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app

from screening.clock import utcnow
from screening.links import public_url
from screening.models import Submission
from screening.questionnaire.flags import URGENT

log = logging.getLogger(__name__)

# Long enough for a healthy server, short enough that a dead one barely delays the person.
SMTP_TIMEOUT_SECONDS = 5
OUTBOX_DIR = "outbox"


def portal_link(config: Any) -> str:
    """Return the sign-in address of the clinician portal."""
    return public_url(config, "/portal/")


def compose(config: Any, to: str, subject: str, body: str) -> EmailMessage:
    """Make a plain-text staff email from the clinic's sender address."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="threshold.invalid")
    message.set_content(
        body + "\n\nFor privacy, this email never contains details about the person.\n"
    )
    return message


def build_message(config: Any, *, urgent: bool) -> EmailMessage:
    """Compose the notification: that a screening needs review, and where to sign in."""
    subject = "New screening to review"
    lines = ["Hello,", "", "A new screening has been submitted and needs review."]
    if urgent:
        lines.append("It has been marked urgent: please review it as soon as possible.")
    lines += ["", "Sign in to the clinician portal to see it:", portal_link(config)]
    return compose(
        config,
        config["CLINIC_INTAKE_EMAIL"],
        f"URGENT: {subject}" if urgent else subject,
        "\n".join(lines),
    )


def write_to_outbox(message: EmailMessage, instance_path: str) -> Path:
    """Save the message as an .eml file in instance/outbox/ (development without SMTP)."""
    outbox = Path(instance_path) / OUTBOX_DIR
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
    path = outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    return path


def send_via_smtp(message: EmailMessage, config: Any) -> None:
    """Send the message through the configured SMTP server with a short timeout."""
    timeout = min(float(config.get("MAIL_TIMEOUT", SMTP_TIMEOUT_SECONDS)), SMTP_TIMEOUT_SECONDS)
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def deliver(message: EmailMessage) -> None:
    """Send by SMTP when MAIL_SERVER is set, else write the message to the outbox."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        send_via_smtp(message, config)
    else:
        write_to_outbox(message, current_app.instance_path)


def notify_new_submission(submission: Submission) -> bool:
    """Tell the intake mailbox that a screening needs review; never raises.

    Call only after the submission has committed. Returns whether the message went out.
    """
    try:
        urgent = submission.triage_category == URGENT
        deliver(build_message(current_app.config, urgent=urgent))
    except Exception as error:
        # Anything at all: a notification must never break or hold up a submission.
        # The error type only: SMTP errors can echo the recipient's address back.
        log.warning("staff notification not sent: %s", type(error).__name__)
        return False
    log.info("staff notification sent")
    return True
