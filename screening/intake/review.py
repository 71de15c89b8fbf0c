"""The review page: every answer with Change links, consent, and the one submission."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from screening.database import get_session
from screening.extensions import limiter
from screening.i18n import current_language
from screening.intake import service
from screening.intake.forms import build_section_form, first_invalid_section, form_to_answers
from screening.intake.pages import (
    SESSION_DONE,
    SESSION_DRAFT_KEY,
    current_draft,
    lost_session,
    pending_formdata,
    questionnaire,
    step_url,
    today,
)
from screening.notify import notify_new_submission
from screening.presenters import answered_sections, question_views
from screening.questionnaire.conditions import enabled_items
from screening.questionnaire_registry import registry

log = logging.getLogger(__name__)

# The id of the form the language switch submits (templates/partials/language_switch.html).
REVIEW_FORM_ID = "review-form"


@limiter.limit(lambda: current_app.config["RATELIMIT_SUBMIT"], methods=["POST"])
def review():  # type: ignore[no-untyped-def]
    """Show every answer with Change links, take consent and submit once."""
    q = questionnaire()
    db = get_session()
    if request.method == "POST":
        draft = current_draft(for_update=True)
        if draft is None and session.get(SESSION_DONE):
            return redirect(url_for("intake.done"))
    else:
        draft = current_draft()
    if draft is None:
        return lost_session()
    unfinished = service.first_unfinished_step(q, draft)
    if unfinished is not None:
        return redirect(step_url(unfinished))

    consent = service.consent_section(q)
    consent_items = enabled_items(consent, draft.answers or {})
    # On GET: what was typed before the language was switched on this page.
    formdata = request.form if request.method == "POST" else pending_formdata(draft, consent)
    form = build_section_form(consent, consent_items, current_language(), today(), formdata)
    errors: dict[str, list[str]] = {}
    notice = None
    if request.method == "POST" and service.filled_too_fast(
        draft, current_app.config["MIN_FILL_SECONDS"]
    ):
        # Faster than a person can read the questions: keep everything and ask to confirm.
        log.warning("screening submit deferred: filled too fast")
        notice = _("Please take a moment to check your answers, then press Send again.")
    elif request.method == "POST":
        if form.validate():
            steps = service.wizard_steps(q, draft.answers or {})
            broken = first_invalid_section(steps, draft.answers or {}, current_language(), today())
            if broken is not None:
                service.reopen_step(db, draft, broken.link_id)
                flash(_("Please check the answers on this step."), "info")
                return redirect(step_url(broken))
            service.submit_draft(
                db,
                q,
                registry().rules,
                draft,
                form_to_answers(consent_items, form),
                current_app.extensions["blind_index"],
                today(),
                language=current_language(),
            )
            notify_new_submission(draft)
            session.pop(SESSION_DRAFT_KEY, None)
            session[SESSION_DONE] = True
            log.info("screening submitted")
            return redirect(url_for("intake.done"))
        errors = {name: list(messages) for name, messages in form.errors.items()}
    return render_template(
        "intake/review.html",
        sections=answered_sections(
            q, draft.answers or {}, current_language(), skip={consent.link_id}
        ),
        consent=consent,
        questions=question_views(consent, form, consent_items, errors, current_language(), q),
        errors=errors,
        notice=notice,
        step_count=len(service.wizard_steps(q, draft.answers or {})) + 1,
        language_form={
            "id": REVIEW_FORM_ID,
            "action": url_for("intake.change_language_on_review"),
            "default": None,
        },
    )
