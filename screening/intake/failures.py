"""When a step cannot be saved (database down, expired CSRF token): show it again, input kept."""

from __future__ import annotations

import logging

from flask import g, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from screening.database import get_session
from screening.errors import render_error
from screening.intake import contact_details, service
from screening.intake.pages import (
    closed_page,
    current_draft,
    posted_step_section,
    questionnaire,
    render_step,
    section_form,
)

log = logging.getLogger(__name__)


def database_unavailable(error: OperationalError | PoolTimeout):  # type: ignore[no-untyped-def]
    """Show the step again with what was typed when the database cannot be reached.

    Nothing typed is lost: the page holds the person's input, and once the database is back
    Next saves it; everything saved earlier is still in the draft.
    """
    reason = type(getattr(error, "orig", error)).__name__
    log.error("database unavailable on %s: %s", request.endpoint, reason)
    get_session().rollback()
    section = posted_step_section()
    if section is not None:
        return render_step(
            questionnaire(),
            g.get("saved_answers", {}),
            section,
            section_form(section, request.form),
            notice=_(
                "We could not save this page just now because of a problem on our side. "
                "Your answers are still below and everything you saved before is safe. "
                "Please wait a minute and press Next again. Reference: %(ref)s",
                ref=g.get("request_id", "-"),
            ),
            status=503,
        )
    return render_error(503)


def csrf_failed(error: CSRFError):  # type: ignore[no-untyped-def]
    """Show a step again with what was just typed when its CSRF token expired.

    Nothing is saved from a request without a valid token; the person sees their input with
    a fresh token and presses Next again, so no work is lost.
    """
    rendered = rerender_after_expired_token()
    return rendered if rendered is not None else render_error(400)


def rerender_after_expired_token() -> tuple[str, int] | None:
    """Render the posted step (or contact-today form) with its input, or None when there is
    none to show."""
    if request.endpoint == "intake.contact_today":
        return contact_details_after_expired_token()
    if request.endpoint not in {"intake.step", "intake.change_language"}:
        return None
    if request.view_args is None:
        return None
    draft = current_draft()
    if draft is None and g.get("draft_lost"):
        # Lost to another device or closed while idle: say so, still keeping what was typed.
        return closed_page(g.draft_lost)
    q = questionnaire()
    try:
        section = q.section(request.view_args["section_id"])
    except KeyError:
        return None
    if draft is None or not service.step_is_reachable(q, draft, section.link_id):
        return None
    body, _status = render_step(
        q,
        draft.answers,
        section,
        section_form(section, request.form),
        notice=_(
            "This page was open for a long time, so for your security we need you to press "
            "Next again. Your answers are still here."
        ),
    )
    return body, 200


def contact_details_after_expired_token() -> tuple[str, int] | None:
    """Show the contact-today form again with the name, phone and email just typed."""
    draft = current_draft()
    page = contact_details.section(questionnaire())
    if draft is None or page is None or not request.form.get("details"):
        return None
    notice = _(
        "This page was open for a long time, so for your security we need you to press the "
        "button again. What you typed is still here."
    )
    form = contact_details.bind(page, request.form)
    return contact_details.render(draft, page, form, notice=notice), 200
