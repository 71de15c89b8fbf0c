"""The review page: every answer with Change links, consent, and the one submission."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from wtforms import Form

from screening.clock import today
from screening.database import get_session
from screening.extensions import limiter
from screening.i18n import current_language
from screening.intake import service
from screening.intake.forms import build_section_form, first_invalid_section, form_to_answers
from screening.intake.pages import (
    SESSION_DONE,
    SESSION_DRAFT_KEY,
    crisis_page,
    current_draft,
    lost_session,
    pending_formdata,
    questionnaire,
    step_url,
)
from screening.models import Submission
from screening.notify import notify_new_submission
from screening.presenters import answered_sections, question_views
from screening.questionnaire.conditions import enabled_items
from screening.questionnaire.model import Item, Questionnaire
from screening.questionnaire_registry import registry

log = logging.getLogger(__name__)

# The id of the form the language switch submits (templates/partials/language_switch.html).
REVIEW_FORM_ID = "review-form"


@limiter.limit(lambda: current_app.config["RATELIMIT_SUBMIT"], methods=["POST"])
def review():  # type: ignore[no-untyped-def]
    """Show every answer with Change links, take consent and submit once."""
    q = questionnaire()
    posting = request.method == "POST"
    draft = current_draft()
    if draft is None:
        already_sent = posting and session.get(SESSION_DONE)
        return redirect(url_for("intake.done")) if already_sent else lost_session()
    unfinished = service.first_unfinished_step(q, draft)
    if unfinished is not None:
        return redirect(step_url(unfinished))
    if draft.progress.crisis_pending:
        return crisis_page(url_for("intake.continue_to_review"))
    consent = service.consent_section(q)
    # On GET: what was typed before the language was switched on this page.
    formdata = request.form if posting else pending_formdata(draft, consent)
    items = enabled_items(consent, draft.answers)
    form = build_section_form(consent, items, current_language(), today(), formdata)
    if posting:
        return submit(q, draft, form, items)
    return render_review(q, draft, form, items)


def submit(q: Questionnaire, draft: Submission, form: Form, items: list[Item]):  # type: ignore[no-untyped-def]
    """Submit the draft with the consent given, or say what stops it."""
    if service.filled_too_fast(draft, current_app.config["MIN_FILL_SECONDS"]):
        # Faster than a person can read the questions: keep everything and ask to confirm.
        log.warning("screening submit deferred: filled too fast")
        notice = _("Please take a moment to check your answers, then press Send again.")
        return render_review(q, draft, form, items, notice=notice)
    if not form.validate():
        errors = {name: list(messages) for name, messages in form.errors.items()}
        return render_review(q, draft, form, items, errors=errors)
    steps = service.wizard_steps(q, draft.answers)
    broken = first_invalid_section(steps, draft.answers, current_language(), today())
    if broken is not None:
        service.reopen_step(get_session(), draft, broken.link_id)
        flash(_("Please check the answers on this step."), "info")
        return redirect(step_url(broken))
    service.submit_draft(
        get_session(),
        q,
        registry().rules,
        draft,
        form_to_answers(items, form),
        current_app.extensions["blind_index"],
        today(),
        language=current_language(),
    )
    notify_new_submission(draft)
    session.pop(SESSION_DRAFT_KEY, None)
    # The public id, not a yes/no: whether risk was disclosed stays in the database.
    session[SESSION_DONE] = draft.public_id
    log.info("screening submitted")
    return redirect(url_for("intake.done"))


def render_review(
    q: Questionnaire,
    draft: Submission,
    form: Form,
    items: list[Item],
    *,
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
) -> str:
    """Render every answer by section and the consent questions."""
    consent = service.consent_section(q)
    errors = errors or {}
    lang = current_language()
    return render_template(
        "intake/review.html",
        sections=answered_sections(q, draft.answers, lang, skip={consent.link_id}, long_dates=True),
        # "all", or the section just changed from this page.
        opened=request.args.get("open"),
        consent=consent,
        questions=question_views(consent, form, items, errors, lang, q),
        errors=errors,
        notice=notice,
        step_count=service.step_count(q),
        skipped=service.skipped_steps(q, draft.answers),
        language_form={
            "id": REVIEW_FORM_ID,
            "action": url_for("intake.change_language_on_review"),
            "default": None,
        },
    )
