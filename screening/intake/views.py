"""The screening wizard: intro, one view per step, crisis resources, save for later, review.

Views parse requests and render; screening.intake.service decides and writes. Every POST
redirects. The server enforces step order, and conditional questions work without JavaScript.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import Form

from screening import i18n
from screening.database import get_session
from screening.errors import render_error
from screening.extensions import limiter
from screening.intake import service
from screening.intake.forms import (
    answers_to_formdata,
    build_section_form,
    first_invalid_section,
    form_to_answers,
    raw_input,
    validate_items,
)
from screening.intake.question_markup import questions_html
from screening.models import Submission
from screening.notify import notify_new_submission
from screening.presenters import answered_sections, question_views
from screening.questionnaire.conditions import enabled_items, is_enabled
from screening.questionnaire.model import Questionnaire, Section
from screening.questionnaire.triage import risk_present
from screening.questionnaire_registry import registry

bp = Blueprint("intake", __name__)
bp.add_app_template_global(questions_html)
log = logging.getLogger(__name__)

SESSION_DRAFT_KEY = "draft_token"
SESSION_DONE = "screening_done"
SESSION_RESUME = "resume_token_to_show"
HONEYPOT_FIELD = "website"
# The ids of the forms the language switch submits (templates/partials/language_switch.html).
STEP_FORM_ID = "step-form"
REVIEW_FORM_ID = "review-form"


def today():  # type: ignore[no-untyped-def]
    """Return today's date (UTC) for age checks."""
    return datetime.now(UTC).date()


def lang() -> str:
    """Return the language of this request."""
    return str(get_locale() or "en")


def questionnaire() -> Questionnaire:
    """Return the definition new screenings are answered under."""
    return registry().current


def current_draft(*, for_update: bool = False) -> Submission | None:
    """Return the draft this browser session is working on."""
    draft = service.find_draft(get_session(), session.get(SESSION_DRAFT_KEY), for_update=for_update)
    if draft is not None:
        # Kept for the outage page: if a later write fails, earlier answers still shape the form.
        g.saved_answers = dict(draft.answers or {})
    return draft


def lost_session() -> Response:
    """Send someone whose draft cannot be found back to the start, saying why."""
    flash(
        _(
            "We could not find your screening in progress. If you saved it, use your resume "
            "link; otherwise please start again."
        ),
        "info",
    )
    return redirect(url_for("intake.intro"))


def step_url(section: Section, **params: Any) -> str:
    """Return the address of a step."""
    return url_for("intake.step", section_id=section.link_id, **params)


def next_destination(q: Questionnaire, draft: Submission, section: Section) -> str:
    """Go to the step after this one, or to review (which sends back to any unfinished step)."""
    steps = service.wizard_steps(q, draft.answers or {})
    ids = [s.link_id for s in steps]
    if request.args.get("return") == "review":
        unfinished = service.first_unfinished_step(q, draft)
        return step_url(unfinished) if unfinished else url_for("intake.review")
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


@bp.get("/")
def intro() -> str:
    """Explain what the screening is and is not, and offer to start or continue."""
    draft = current_draft()
    return render_template("intake/intro.html", has_draft=draft is not None)


@bp.post("/start")
@limiter.limit(lambda: current_app.config["RATELIMIT_SCREENING_START"])
def start() -> Response:
    """Start a new draft (or continue the current one) and go to the first step."""
    if request.form.get(HONEYPOT_FIELD):
        # A field people never see was filled in: almost certainly a bot. Nothing was typed
        # yet, so asking again costs a person nothing.
        log.warning("screening start refused: honeypot filled")
        flash(_("Please press the start button again."), "info")
        return redirect(url_for("intake.intro"))
    q = questionnaire()
    draft = current_draft()
    if draft is None:
        draft, token = service.start_draft(get_session(), q, lang())
        session[SESSION_DRAFT_KEY] = token
        session.pop(SESSION_DONE, None)
    unfinished = service.first_unfinished_step(q, draft)
    return redirect(step_url(unfinished) if unfinished else url_for("intake.review"))


def section_form(section: Section, formdata: MultiDict) -> Form:
    """Bind form data to every question of a step; validate only those that apply."""
    return build_section_form(section, list(section.items), lang(), today(), formdata)


def lenient_answers(section: Section, form: Form) -> dict[str, Any]:
    """Read a step's answers from its form without validating, to see what applies."""
    return form_to_answers(list(section.items), form)


def render_step(
    q: Questionnaire,
    saved: dict[str, Any],
    section: Section,
    formdata: MultiDict,
    *,
    validate: bool,
    notice: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """Render a step with every question; those that do not apply yet are hidden."""
    form = section_form(section, formdata)
    answers = {**saved, **lenient_answers(section, form)}
    visible_items = enabled_items(section, answers)
    errors = validate_items(form, visible_items) if validate else {}
    steps = service.wizard_steps(q, answers)
    ids = [s.link_id for s in steps]
    number = ids.index(section.link_id) + 1 if section.link_id in ids else len(ids)
    return (
        render_template(
            "intake/step.html",
            section=section,
            questions=question_views(
                section, form, visible_items, errors, lang(), q, registry().risk_answers, answers
            ),
            errors=errors,
            step_number=number,
            step_count=len(steps) + 1,  # the review page is the last step
            notice=notice,
            return_to_review=request.args.get("return") == "review",
            lang=lang(),
            language_form=step_language_form(section),
        ),
        status,
    )


def step_language_form(section: Section) -> dict[str, Any]:
    """Let the language switch submit this step's form, so what was typed is kept."""
    params = {"return": "review"} if request.args.get("return") == "review" else {}
    return {
        "id": STEP_FORM_ID,
        "action": url_for("intake.change_language", section_id=section.link_id, **params),
        "default": ("action", "next"),
    }


@bp.route("/step/<section_id>", methods=["GET", "POST"])
def step(section_id: str):  # type: ignore[no-untyped-def]
    """Show a step, or save it and move on."""
    q = questionnaire()
    db = get_session()
    # A POST writes the draft: lock its row now rather than read it twice.
    draft = current_draft(for_update=request.method == "POST")
    if draft is None:
        return lost_session()
    try:
        section = q.section(section_id)
    except KeyError:
        abort(404)
    if section.link_id == service.CONSENT_SECTION or not is_enabled(section, draft.answers or {}):
        return redirect(url_for("intake.start_over"))
    if not service.step_is_reachable(q, draft, section.link_id):
        unfinished = service.first_unfinished_step(q, draft)
        flash(_("Please finish this step first."), "info")
        return redirect(step_url(unfinished) if unfinished else url_for("intake.review"))
    if (draft.progress or {}).get("crisis_pending"):
        return crisis_page(section)

    if request.method == "GET":
        pending = service.pending_input(draft, section.link_id)
        if pending is not None:
            return render_step(
                q, draft.answers or {}, section, MultiDict(_pairs(pending)), validate=False
            )
        formdata = answers_to_formdata(list(section.items), draft.answers or {})
        return render_step(q, draft.answers or {}, section, formdata, validate=False)

    action = request.form.get("action", "next")
    formdata = request.form
    answers_so_far = dict(draft.answers or {})
    form = section_form(section, formdata)
    posted = lenient_answers(section, form)
    # What the page showed: saved answers plus anything kept from the last attempt at it.
    pending = pending_formdata(draft, section)
    shown_with = answers_so_far
    if pending:
        shown_with = {**answers_so_far, **lenient_answers(section, section_form(section, pending))}
    visible_before = {item.link_id for item in enabled_items(section, shown_with)}
    enabled_now = enabled_items(section, {**answers_so_far, **posted})
    valid = not validate_items(form, enabled_now)

    if action in {"back", "save"}:
        if valid:
            service.save_section(db, q, draft, section, form_to_answers(enabled_now, form))
        else:
            service.keep_pending(
                db, draft, section.link_id, raw_input(list(section.items), formdata)
            )
        if action == "save":
            session[SESSION_RESUME] = service.issue_resume_token(
                db, draft, current_app.config["RESUME_LINK_DAYS"]
            )
            return redirect(url_for("intake.saved"))
        return redirect(previous_destination(q, draft, section))

    revealed = [
        item
        for item in enabled_now
        if item.link_id not in visible_before
        and item.link_id not in posted
        and item.type != "display"
    ]
    if revealed:
        service.keep_pending(db, draft, section.link_id, raw_input(list(section.items), formdata))
        return render_step(
            q,
            draft.answers or {},
            section,
            formdata,
            validate=False,
            notice=_("Based on your answers, there are a few more questions on this page."),
        )
    if not valid:
        service.keep_pending(db, draft, section.link_id, raw_input(list(section.items), formdata))
        return render_step(q, draft.answers or {}, section, formdata, validate=True)

    section_answers = form_to_answers(enabled_now, form)
    service.save_section(db, q, draft, section, section_answers)
    if risk_present(q, registry().rules, section_answers):
        service.set_crisis_pending(db, draft, True)
    return redirect(next_destination(q, draft, section))


@bp.errorhandler(OperationalError)
def database_unavailable(error: OperationalError):  # type: ignore[no-untyped-def]
    """Show the step again with what was typed when the database cannot be reached.

    Nothing typed is lost: the page holds the person's input, and once the database is back
    Next saves it; everything saved earlier is still in the draft.
    """
    log.error("database unavailable on %s: %s", request.endpoint, type(error.orig).__name__)
    get_session().rollback()
    if request.endpoint == "intake.step" and request.view_args and request.method == "POST":
        try:
            section = questionnaire().section(request.view_args["section_id"])
        except KeyError:
            section = None
        if section is not None:
            return render_step(
                questionnaire(),
                g.get("saved_answers", {}),
                section,
                request.form,
                validate=False,
                notice=_(
                    "We could not save this page just now because of a problem on our side. "
                    "Your answers are still below and everything you saved before is safe. "
                    "Please wait a minute and press Next again. Reference: %(ref)s",
                    ref=g.get("request_id", "-"),
                ),
                status=503,
            )
    return render_error(503)


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):  # type: ignore[no-untyped-def]
    """Show a step again with what was just typed when its CSRF token expired.

    Nothing is saved from a request without a valid token; the person sees their input with
    a fresh token and presses Next again, so no work is lost.
    """
    rendered = rerender_after_expired_token()
    return rendered if rendered is not None else render_error(400)


def rerender_after_expired_token() -> tuple[str, int] | None:
    """Render the posted step with its input, or None when there is no step to show."""
    if request.endpoint not in {"intake.step", "intake.change_language"}:
        return None
    if request.view_args is None:
        return None
    draft = current_draft()
    q = questionnaire()
    try:
        section = q.section(request.view_args["section_id"])
    except KeyError:
        return None
    if draft is None or not service.step_is_reachable(q, draft, section.link_id):
        return None
    body, _status = render_step(
        q,
        draft.answers or {},
        section,
        request.form,
        validate=False,
        notice=_(
            "This page was open for a long time, so for your security we need you to press "
            "Next again. Your answers are still here."
        ),
    )
    return body, 200


def pending_formdata(draft: Submission, section: Section) -> MultiDict:
    """Return what was last typed on a step but not saved, as form data."""
    return MultiDict(_pairs(service.pending_input(draft, section.link_id) or {}))


def _pairs(raw: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Flatten stored raw input into (name, value) pairs for a MultiDict."""
    return [(name, value) for name, values in raw.items() for value in values]


def crisis_page(section: Section) -> tuple[str, int]:
    """Show crisis resources before anything else; continuing clears the notice."""
    continue_url = url_for("intake.continue_after_support", section_id=section.link_id)
    return render_template("intake/crisis.html", continue_url=continue_url), 200


@bp.post("/step/<section_id>/continue")
def continue_after_support(section_id: str) -> Response:
    """The person has seen the crisis resources and chooses to continue."""
    draft = current_draft()
    if draft is None:
        return lost_session()
    service.set_crisis_pending(get_session(), draft, False)
    return redirect(url_for("intake.step", section_id=section_id))


@bp.get("/start-over")
def start_over() -> Response:
    """Send someone at a step that does not apply to the right place."""
    q = questionnaire()
    draft = current_draft()
    if draft is None:
        return lost_session()
    unfinished = service.first_unfinished_step(q, draft)
    return redirect(step_url(unfinished) if unfinished else url_for("intake.review"))


@bp.get("/saved")
def saved() -> str | Response:
    """Show the resume link once, right after "Save and finish later"."""
    token = session.pop(SESSION_RESUME, None)
    if token is None:
        return redirect(url_for("intake.intro"))
    link = url_for("intake.resume", token=token, _external=True)
    return render_template(
        "intake/saved.html", resume_link=link, days=current_app.config["RESUME_LINK_DAYS"]
    )


@bp.get("/resume/<token>")
@limiter.limit(lambda: current_app.config["RATELIMIT_RESUME"])
def resume(token: str) -> Response:
    """Continue a saved draft from a resume link, on any device."""
    result = service.resume_draft(get_session(), token)
    if result is None:
        flash(
            _(
                "That resume link has expired or has already been used to submit. "
                "Please start a new screening."
            ),
            "info",
        )
        return redirect(url_for("intake.intro"))
    draft, session_token = result
    session[SESSION_DRAFT_KEY] = session_token
    session.pop(SESSION_DONE, None)
    if "lang" not in request.args:
        # A new device should open the screening in the language it was started in.
        i18n.remember_language(draft.language)
    unfinished = service.first_unfinished_step(questionnaire(), draft)
    flash(_("Welcome back. Your answers so far are saved."), "info")
    return redirect(step_url(unfinished) if unfinished else url_for("intake.review"))


@bp.route("/review", methods=["GET", "POST"])
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
    if request.method == "POST":
        formdata = request.form
    else:
        # What was typed before the language was switched on this page.
        formdata = MultiDict(_pairs(service.pending_input(draft, consent.link_id) or {}))
    form = build_section_form(consent, consent_items, lang(), today(), formdata)
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
            broken = first_invalid_section(steps, draft.answers or {}, lang(), today())
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
                language=lang(),
            )
            notify_new_submission(draft)
            session.pop(SESSION_DRAFT_KEY, None)
            session[SESSION_DONE] = True
            log.info("screening submitted")
            return redirect(url_for("intake.done"))
        errors = {name: list(messages) for name, messages in form.errors.items()}
    return render_template(
        "intake/review.html",
        sections=answered_sections(q, draft.answers or {}, lang(), skip={consent.link_id}),
        consent=consent,
        questions=question_views(consent, form, consent_items, errors, lang(), q),
        errors=errors,
        notice=notice,
        step_count=len(service.wizard_steps(q, draft.answers or {})) + 1,
        language_form={
            "id": REVIEW_FORM_ID,
            "action": url_for("intake.change_language_on_review"),
            "default": None,
        },
    )


@bp.get("/done")
def done() -> str | Response:
    """Say what happens next; never an eligibility verdict."""
    if not session.get(SESSION_DONE):
        return redirect(url_for("intake.intro"))
    return render_template(
        "intake/done.html", response_days=current_app.config["CLINIC_RESPONSE_DAYS"]
    )


@bp.post("/step/<section_id>/language")
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
    try:
        section = q.section(section_id)
    except KeyError:
        abort(404)
    if service.step_is_reachable(q, draft, section.link_id):
        service.keep_pending(
            get_session(), draft, section.link_id, raw_input(list(section.items), request.form)
        )
    params = {"return": "review"} if request.args.get("return") == "review" else {}
    return redirect(step_url(section, **params))


@bp.post("/review/language")
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
