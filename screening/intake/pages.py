"""What the screening's pages share: the current draft, where Next and Back go, and rendering
a step with every question.

Views parse requests and render; screening.intake.service decides and writes.
"""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import Form

from screening.clock import today
from screening.database import WRITE_METHODS, get_session
from screening.i18n import current_language
from screening.intake import service
from screening.intake.forms import build_section_form, form_to_answers
from screening.models import Submission
from screening.presenters import question_views
from screening.questionnaire.conditions import enabled_items
from screening.questionnaire.model import Questionnaire, Section
from screening.questionnaire_registry import registry

SESSION_DRAFT_KEY = "draft_token"
SESSION_DONE = "screening_done"
# Why this browser lost its draft, kept until it holds one again: a step it sends again later
# (another try at the same page) is still shown back with what was typed, and why.
SESSION_LOST = "draft_lost"
# Why a browser's draft is no longer open there (kept on `g` by current_draft).
LOST_ELSEWHERE = "elsewhere"
LOST_IDLE = "idle"
# The id of the form the language switch submits (templates/partials/language_switch.html).
STEP_FORM_ID = "step-form"


def questionnaire() -> Questionnaire:
    """Return the definition new screenings are answered under."""
    return registry().current


def current_draft() -> Submission | None:
    """Return the draft this browser holds; None if it holds none, lost it or left it idle.

    A request that may write (a POST) reads it under its row lock, once: the services then
    write what was read. Why a held draft is gone is kept on `g` for `lost_session`: a
    browser that left its draft idle too long, or whose draft was taken over by a resume
    link, is told so.
    """
    db = get_session()
    token = session.get(SESSION_DRAFT_KEY)
    draft = service.find_draft(db, token, for_update=request.method in WRITE_METHODS)
    if draft is None:
        if service.was_taken_over(db, token):
            session.pop(SESSION_DRAFT_KEY, None)
            session[SESSION_LOST] = g.draft_lost = LOST_ELSEWHERE
        return None
    if service.idle_too_long(draft, current_app.config["DRAFT_IDLE_MINUTES"]):
        # Closed for privacy (e.g. a shared computer); the saved draft itself stays.
        service.release_draft(db, draft)
        session.pop(SESSION_DRAFT_KEY, None)
        session[SESSION_LOST] = g.draft_lost = LOST_IDLE
        return None
    # Kept for the outage page: if a later write fails, earlier answers still shape the form.
    g.saved_answers = dict(draft.answers or {})
    return draft


def hold_draft(token: str) -> None:
    """Let this browser hold a draft from now on (a new one, or one taken over by its link)."""
    session[SESSION_DRAFT_KEY] = token
    session.pop(SESSION_LOST, None)


def lost_session() -> Response | tuple[str, int]:
    """Tell someone whose draft cannot be opened here why, keeping what they just typed."""
    reason = g.get("draft_lost")
    if reason is None and posted_step_section() is not None:
        # A step sent again from a page that was already told: still keep what was typed.
        reason = session.get(SESSION_LOST)
    if reason is not None:
        return closed_page(reason)
    flash(
        _(
            "We could not find your screening in progress. If you saved it, use your resume "
            "link; otherwise please start again."
        ),
        "info",
    )
    return redirect(url_for("intake.intro"))


def closed_page(reason: str) -> tuple[str, int]:
    """Say the screening is closed in this browser; show nothing saved, only what was just sent.

    A step sent from here is shown back with its input (nothing from the saved draft) in a
    form that sends it again: once this browser holds the draft again (its newest link opened
    here), the same page saves it. Nothing here writes into a draft this browser lost.
    Anything else gets a short page.
    """
    status = 409 if reason == LOST_ELSEWHERE else 200
    if reason == LOST_ELSEWHERE:
        notice = _(
            "This screening was continued on another device, where its “finish later” link "
            "was opened, so this page could not be saved. What you typed is still below. "
            "To send it from here: on the other device choose “Save and finish later”, open "
            "the new link in this browser (a new tab is fine), then press “Send this page "
            "again”. Or carry on on the other device."
        )
    else:
        notice = _(
            "For your privacy, we closed this screening because it was not used for a while, "
            "so this page could not be saved. What you typed is still below. To send it, "
            "open your “finish later” link in this browser (a new tab is fine), then press "
            "“Send this page again”."
        )
    section = posted_step_section()
    if section is not None:
        return render_step(
            questionnaire(),
            {},
            section,
            section_form(section, request.form),
            notice=notice,
            status=status,
            closed=True,
        )
    return render_template("intake/closed.html", reason=reason), status


def posted_step_section() -> Section | None:
    """The section a step POST in this request was sent from, if it names a real one."""
    if request.method != "POST" or request.endpoint != "intake.step" or not request.view_args:
        return None
    try:
        return questionnaire().section(request.view_args["section_id"])
    except KeyError:
        return None


def step_url(section: Section, **params: Any) -> str:
    """Return the address of a step."""
    return url_for("intake.step", section_id=section.link_id, **params)


def section_or_404(q: Questionnaire, section_id: str) -> Section:
    """Return the step a URL names; an unknown one is a 404."""
    try:
        return q.section(section_id)
    except KeyError:
        abort(404)


def unfinished_or_review_url(q: Questionnaire, draft: Submission) -> str:
    """Return the first step not yet completed, or the review page when every step is."""
    unfinished = service.first_unfinished_step(q, draft)
    return step_url(unfinished) if unfinished else url_for("intake.review")


def returning_to_review() -> bool:
    """Whether this step was opened from the review page (to change an answer)."""
    return request.args.get("return") == "review"


def review_return_params() -> dict[str, str]:
    """The query that keeps "back to review" on the next address."""
    return {"return": "review"} if returning_to_review() else {}


def next_destination(q: Questionnaire, draft: Submission, section: Section) -> str:
    """Go to the step after this one, or to review (which sends back to any unfinished step)."""
    steps = service.wizard_steps(q, draft.answers or {})
    ids = [s.link_id for s in steps]
    if returning_to_review():
        if service.first_unfinished_step(q, draft) is None:
            # Back on the review page with the section just changed unfolded, in view.
            return url_for(
                "intake.review", open=section.link_id, _anchor=f"review-{section.link_id}"
            )
        return unfinished_or_review_url(q, draft)
    if section.link_id in ids and ids.index(section.link_id) + 1 < len(ids):
        return step_url(steps[ids.index(section.link_id) + 1])
    return url_for("intake.review")


def previous_destination(q: Questionnaire, draft: Submission, section: Section) -> str:
    """Go to the step before this one, or to the intro from the first step."""
    steps = service.wizard_steps(q, draft.answers or {})
    ids = [s.link_id for s in steps]
    if section.link_id in ids and ids.index(section.link_id) > 0:
        return step_url(steps[ids.index(section.link_id) - 1])
    return url_for("intake.intro")


def section_form(section: Section, formdata: MultiDict) -> Form:
    """Bind form data to every question of a step; validate only those that apply."""
    return build_section_form(section, list(section.items), current_language(), today(), formdata)


def lenient_answers(section: Section, form: Form) -> dict[str, Any]:
    """Read a step's answers from its form without validating, to see what applies."""
    return form_to_answers(list(section.items), form)


def render_step(
    q: Questionnaire,
    saved: dict[str, Any],
    section: Section,
    form: Form,
    *,
    errors: dict[str, list[str]] | None = None,
    notice: str | None = None,
    status: int = 200,
    closed: bool = False,
) -> tuple[str, int]:
    """Render a step's form with every question; those that do not apply yet are hidden.

    `errors`: those of the questions that apply; `closed`: the draft is no longer open here,
    so show the input without buttons to send it.
    """
    answers = {**saved, **lenient_answers(section, form)}
    visible_items = enabled_items(section, answers)
    errors = errors or {}
    number, skipped = service.step_position(q, answers, section)
    return (
        render_template(
            "intake/step.html",
            section=section,
            questions=question_views(
                section,
                form,
                visible_items,
                errors,
                current_language(),
                q,
                registry().risk_answers,
                answers,
            ),
            errors=errors,
            step_number=number,
            step_count=service.step_count(q),  # the review page is the last step
            skipped=skipped,
            notice=notice,
            return_to_review=returning_to_review(),
            lang=current_language(),
            language_form=None if closed else step_language_form(section),
            closed=closed,
        ),
        status,
    )


def step_language_form(section: Section) -> dict[str, Any]:
    """Let the language switch submit this step's form, so what was typed is kept."""
    return {
        "id": STEP_FORM_ID,
        "action": url_for(
            "intake.change_language", section_id=section.link_id, **review_return_params()
        ),
        "default": ("action", "next"),
    }


def pending_formdata(draft: Submission, section: Section) -> MultiDict:
    """Return what was last typed on a step but not saved, as form data."""
    return MultiDict(stored_pairs(service.pending_input(draft, section.link_id) or {}))


def stored_pairs(raw: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Flatten stored raw input into (name, value) pairs for a MultiDict."""
    return [(name, value) for name, values in raw.items() for value in values]


def crisis_page(continue_url: str) -> tuple[str, int]:
    """Show crisis resources before anything else; continuing (a POST) clears the notice."""
    return render_template("intake/crisis.html", continue_url=continue_url), 200
