"""Switching language on a step or the review page without losing what was typed there."""

from __future__ import annotations

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from screening import i18n
from screening.database import get_session
from screening.intake import service
from screening.intake.forms import raw_input
from screening.intake.pages import (
    SESSION_DONE,
    current_draft,
    lost_session,
    questionnaire,
    review_return_params,
    section_or_404,
    step_url,
)


def change_language(section_id: str) -> Response:
    """Switch the language from a step, keeping what was typed there, and show it again.

    The switch submits the step's own form: its input is stored as pending, unvalidated (as
    Back does with an incomplete page), so the step comes back with everything in place, now
    in the other language. Saved answers are language-independent codes and need nothing.
    """
    i18n.remember_language(request.form.get("lang", ""))
    q = questionnaire()
    draft = current_draft()
    if draft is None:
        return lost_session()
    section = section_or_404(q, section_id)
    if service.step_is_reachable(q, draft, section.link_id):
        service.keep_pending(
            get_session(), draft, section.link_id, raw_input(list(section.items), request.form)
        )
    return redirect(step_url(section, **review_return_params()))


def change_language_on_review() -> Response:
    """Switch the language from the review page, keeping the consent answers typed there."""
    i18n.remember_language(request.form.get("lang", ""))
    q = questionnaire()
    draft = current_draft()
    if draft is None:
        return redirect(url_for("intake.done")) if session.get(SESSION_DONE) else lost_session()
    if service.first_unfinished_step(q, draft) is None:
        consent = service.consent_section(q)
        service.keep_pending(
            get_session(), draft, consent.link_id, raw_input(list(consent.items), request.form)
        )
    return redirect(url_for("intake.review"))
