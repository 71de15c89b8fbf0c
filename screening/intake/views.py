"""The screening wizard's blueprint and every route of it: intro, one view per step, crisis
resources, save for later, resume, review, language switch, and the pages shown when a step
cannot be saved.

Every POST that saves redirects. The server enforces step order, and conditional questions
work without JavaScript.
"""

from __future__ import annotations

import logging
from typing import Literal

from flask import (
    Blueprint,
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
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from screening import i18n
from screening.clock import today
from screening.database import get_session
from screening.extensions import limiter
from screening.i18n import current_language
from screening.intake import (
    contact_details,
    failures,
    language,
    reach,
    resume_link,
    review,
    service,
)
from screening.intake.controller import (
    Invalid,
    KeepTyped,
    Move,
    Revealed,
    Save,
    StepPost,
    move_of,
    plan_step,
    typed_disclosures,
)
from screening.intake.forms import answers_to_formdata, raw_input, validate_items
from screening.intake.pages import (
    SESSION_DONE,
    SESSION_DRAFT_KEY,
    crisis_page,
    current_draft,
    hold_draft,
    lenient_answers,
    lost_session,
    next_destination,
    pending_formdata,
    previous_destination,
    questionnaire,
    render_step,
    section_form,
    section_or_404,
    stored_pairs,
    unfinished_or_review_url,
)
from screening.intake.resume_link import EmailLinkForm
from screening.models import Submission
from screening.questionnaire.conditions import is_enabled
from screening.questionnaire.model import Questionnaire, Section
from screening.questionnaire_registry import registry

log = logging.getLogger(__name__)

bp = Blueprint("intake", __name__)

SESSION_RESUME = "resume_token_to_show"
# A resume link's token between opening the link and pressing "Continue".
SESSION_RESUME_PENDING = "resume_token_pending"
# A field people never see; bots fill it in.
HONEYPOT_FIELD = "website"


@bp.get("/")
def intro() -> str | Response | tuple[str, int]:
    """Explain what the screening is and is not, and offer to start or continue."""
    draft = current_draft()
    if draft is None and g.get("draft_lost"):
        return lost_session()
    return render_template(
        "intake/intro.html",
        has_draft=draft is not None,
        has_link=draft is not None
        and resume_link.is_current_link(draft, session.get(SESSION_RESUME)),
        unfinished_notice=reach.unfinished_risk_notice(
            current_app.config["RISK_DRAFT_SURFACE_MINUTES"]
        ),
    )


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
        draft, token = service.start_draft(get_session(), q, current_language())
        hold_draft(token)
        session.pop(SESSION_DONE, None)
    return redirect(unfinished_or_review_url(q, draft))


# The action wizard.js posts while a step's answers change (no button was pressed).
AUTOSAVE = "autosave"
# Why a step is not open to a draft now: not part of its path, not reached yet, or crisis
# resources come first.
StepClosed = Literal["gone", "unreached", "crisis"]


@bp.post("/keepalive")
def keepalive() -> tuple[str, int]:
    """Keep this browser's screening from closing for privacy (session-timeout.js: "I'm still
    here"); 409 once it has closed or when there is none."""
    # Not current_draft(): a draft found too late is left for the next page to close and
    # explain, as any request would.
    db = get_session()
    draft = service.find_draft(db, session.get(SESSION_DRAFT_KEY), for_update=True)
    if draft is None or service.idle_too_long(draft, current_app.config["DRAFT_IDLE_MINUTES"]):
        return "", 409
    service.touch_draft(db, draft)
    return "", 204


@bp.route("/step/<section_id>", methods=["GET", "POST"])
def step(section_id: str):  # type: ignore[no-untyped-def]
    """Show a step, or save it and move on (or, for wizard.js, keep what is on it)."""
    q = questionnaire()
    draft = current_draft()
    autosave = request.method == "POST" and request.form.get("action") == AUTOSAVE
    if draft is None:
        return ("", 409) if autosave else lost_session()
    section = section_or_404(q, section_id)
    closed = step_closed(q, draft, section)
    if autosave:
        # Nothing to say to a script: the page says why at the next button press.
        return ("", 409) if closed else autosave_step(q, draft, section)
    if closed:
        return step_refusal(q, draft, section, closed)
    if request.method == "GET":
        return show_step(q, draft, section)
    return post_step(q, draft, section)


def step_closed(q: Questionnaire, draft: Submission, section: Section) -> StepClosed | None:
    """Say why this step is not open to the draft now, or None if it is."""
    if section.role == service.CONSENT or not is_enabled(section, draft.answers):
        return "gone"
    if not service.step_is_reachable(q, draft, section.link_id):
        return "unreached"
    if draft.progress.crisis_pending:
        return "crisis"
    return None


def step_refusal(q: Questionnaire, draft: Submission, section: Section, closed: StepClosed):  # type: ignore[no-untyped-def]
    """Send someone whose step is `closed` (step_closed) where they may go."""
    if closed == "gone":
        return redirect(url_for("intake.start_over"))
    if closed == "unreached":
        flash(_("Please finish this step first."), "info")
        return redirect(unfinished_or_review_url(q, draft))
    return crisis_page(url_for("intake.continue_after_support", section_id=section.link_id))


def autosave_step(q: Questionnaire, draft: Submission, section: Section) -> tuple[str, int]:
    """Keep what is on a step as the person changes it (wizard.js posts it), unvalidated, so
    a page closed before any button loses nothing, and record a risk answer once chosen."""
    form = section_form(section, request.form)
    typed = lenient_answers(section, form)
    service.keep_pending(
        get_session(),
        draft,
        section.link_id,
        raw_input(list(section.items), request.form),
        disclosed=typed_disclosures(q, registry().rules, section, dict(draft.answers), typed),
    )
    return "", 204


def show_step(q: Questionnaire, draft: Submission, section: Section) -> tuple[str, int]:
    """Show a step with what was last typed there, or else with its saved answers."""
    pending = service.pending_input(draft, section.link_id)
    if pending is not None:
        formdata = MultiDict(stored_pairs(pending))
    else:
        formdata = answers_to_formdata(list(section.items), draft.answers)
    return render_step(q, draft.answers, section, section_form(section, formdata))


def post_step(q: Questionnaire, draft: Submission, section: Section):  # type: ignore[no-untyped-def]
    """Carry out what a POST of a step asks, as controller.plan_step decides it."""
    db = get_session()
    saved = dict(draft.answers)
    # One form per request: first read what the page was shown with (saved answers plus
    # anything kept from the last attempt at it), then what was just sent.
    form = section_form(section, pending_formdata(draft, section))
    shown = {**saved, **lenient_answers(section, form)}
    form.process(request.form)
    post = StepPost(
        move=move_of(request.form.get("action")),
        answers=lenient_answers(section, form),
        errors=validate_items(form, list(section.items)),
        seen_live=request.form.get("seen_live") == "1",
    )
    plan = plan_step(q, registry().rules, section, saved, shown, post)
    if isinstance(plan, Save):
        service.save_section(db, q, draft, section, plan.answers, disclosed=plan.disclosed)
    else:
        service.keep_pending(
            db,
            draft,
            section.link_id,
            raw_input(list(section.items), request.form),
            disclosed=plan.disclosed,
            # Leaving the page (Back, save for later) passes through the crisis resources;
            # a page shown again shows them next to the risk answer itself.
            crisis=isinstance(plan, KeepTyped) and plan.crisis,
        )
    match plan:
        case Revealed():
            notice = _("Based on your answers, there are a few more questions on this page.")
            return render_step(q, draft.answers, section, form, notice=notice)
        case Invalid(errors=errors):
            return render_step(q, draft.answers, section, form, errors=errors)
        case Save(move=move) | KeepTyped(move=move):
            return leave_step(q, draft, section, move)


def leave_step(q: Questionnaire, draft: Submission, section: Section, move: Move) -> Response:
    """Go where the person asked: the next step, the previous one, or their resume link."""
    if move == "save":
        session[SESSION_RESUME] = service.issue_resume_token(
            get_session(), draft, current_app.config["RESUME_LINK_DAYS"]
        )
        return redirect(url_for("intake.saved"))
    if move == "reach":
        return ask_for_contact(draft)
    if move == "back":
        return redirect(previous_destination(q, draft, section))
    return redirect(next_destination(q, draft, section))


@bp.post("/step/<section_id>/continue")
def continue_after_support(section_id: str) -> Response:
    """The person has seen the crisis resources and chooses to continue."""
    draft = current_draft()
    if draft is None:
        return lost_session()
    service.mark_crisis_seen(get_session(), draft)
    return redirect(url_for("intake.step", section_id=section_id))


@bp.post("/contact-today")
def contact_today() -> str | Response | tuple[str, int]:
    """The person at risk asks the clinic to contact them today: the crisis page's button, or
    the contact-today page's form."""
    draft = current_draft()
    if draft is None:
        return lost_session()
    if request.form.get("details"):
        return send_contact_details(draft)
    return ask_for_contact(draft)


def ask_for_contact(draft: Submission) -> Response:
    """Put a risk screening in the queue now and confirm it; others go back to the wizard.

    Without a phone number or an email address the contact-today page asks for one first.
    """
    db = get_session()
    q = questionnaire()
    if not service.needs_help(db, draft):
        return redirect(unfinished_or_review_url(q, draft))
    if not draft.unfinished and not contact_details.reachable(q, draft.answers):
        return redirect(url_for("intake.contact_asked"))
    blind_index = current_app.extensions["blind_index"]
    reach.ask_for_contact(db, registry(), draft, blind_index, today())
    return redirect(url_for("intake.contact_asked"))


def send_contact_details(draft: Submission) -> Response | tuple[str, int]:
    """Check the contact-today form; queue the screening with its answers, or show it again."""
    page = contact_details.section(questionnaire())
    if page is None or draft.unfinished or not service.needs_help(get_session(), draft):
        return ask_for_contact(draft)
    form = contact_details.bind(page, request.form)
    errors = contact_details.errors(page, form)
    if errors:
        return contact_details.render(draft, page, form, errors), 200
    blind_index = current_app.extensions["blind_index"]
    contact = contact_details.answers(page, form)
    reach.ask_for_contact(get_session(), registry(), draft, blind_index, today(), contact)
    return redirect(url_for("intake.contact_asked"))


@bp.get("/contact-today")
def contact_asked() -> str | Response:
    """Confirm the clinic was asked, keep every crisis resource, and offer to go on; or,
    with no phone number or email address given yet, ask for one."""
    draft = current_draft()
    if draft is None:
        return redirect(url_for("intake.intro"))
    q = questionnaire()
    if draft.unfinished:
        return render_template(
            "intake/contact_asked.html", continue_url=unfinished_or_review_url(q, draft)
        )
    page = contact_details.section(q)
    if (
        page is None
        or contact_details.reachable(q, draft.answers)
        or not service.needs_help(get_session(), draft)
    ):
        return redirect(url_for("intake.intro"))
    saved = answers_to_formdata(list(page.items), draft.answers)
    return contact_details.render(draft, page, contact_details.bind(page, saved))


@bp.post("/review/continue")
def continue_to_review() -> Response:
    """The person has seen the crisis resources on the way to the review page."""
    draft = current_draft()
    if draft is None:
        return lost_session()
    service.mark_crisis_seen(get_session(), draft)
    return redirect(url_for("intake.review"))


@bp.get("/start-over")
def start_over() -> Response:
    """Send someone at a step that does not apply to the right place."""
    q = questionnaire()
    draft = current_draft()
    if draft is None:
        return lost_session()
    return redirect(unfinished_or_review_url(q, draft))


@bp.get("/saved")
def saved() -> str | Response:
    """Show the resume link with the ways to keep it: copy it, email it, or come back for it.

    Shown again for as long as this browser holds the draft and the link is still unused.
    """
    draft, token = held_link()
    if draft is None or token is None:
        return redirect(url_for("intake.intro"))
    return render_saved(draft, token, EmailLinkForm(data={"email": given_email(draft)}))


@bp.post("/saved/email")
@limiter.limit(lambda: current_app.config["RATELIMIT_RESUME_EMAIL"])
def email_link() -> str | Response | tuple[str, int]:
    """Email the resume link to the address typed; the address is used once, never stored."""
    draft, token = held_link()
    if draft is None or token is None:
        return redirect(url_for("intake.intro"))
    form = EmailLinkForm(request.form)
    if not form.validate():
        return render_saved(draft, token, form), 200
    if resume_link.send_link(form.email.data.strip(), resume_link.link_for(token)):
        flash(
            _(
                "We sent the link. If it is not in your inbox in a few minutes, check your "
                "spam folder, or copy the link below."
            ),
            "info",
        )
    else:
        flash(
            _(
                "We could not send the email just now. Please copy the link below instead, "
                "or try again later."
            ),
            "error",
        )
    return redirect(url_for("intake.saved"))


def held_link() -> tuple[Submission | None, str | None]:
    """Return this browser's draft and the resume link token it may still show."""
    token = session.get(SESSION_RESUME)
    draft = current_draft()
    if draft is None or not resume_link.is_current_link(draft, token):
        session.pop(SESSION_RESUME, None)
        return None, None
    return draft, token


def given_email(draft: Submission) -> str:
    """The email address the person already gave in the screening, if any."""
    value = questionnaire().role_answer("email", draft.answers or {})
    return str(value) if value else ""


def render_saved(draft: Submission, token: str, form: EmailLinkForm) -> str:
    """Render the saved page: the link, a copy button (with JavaScript) and the email form."""
    return render_template(
        "intake/saved.html",
        resume_link=resume_link.link_for(token),
        days=current_app.config["RESUME_LINK_DAYS"],
        needs_help=service.needs_help(get_session(), draft),
        form=form,
    )


@bp.get("/resume/<token>")
@limiter.limit(lambda: current_app.config["RATELIMIT_RESUME"])
def resume(token: str) -> Response:
    """Take a resume link's token off the address bar, then ask before using it.

    The token moves into the signed session cookie and the browser is sent on to a page
    without it, so no later Referer or history entry carries it. Only that page's button
    (a POST) uses the link up: link previews and mail scanners fetch links with GET.
    """
    if service.resumable_draft(get_session(), token) is None:
        return link_not_usable()
    session[SESSION_RESUME_PENDING] = token
    return redirect(url_for("intake.resume_confirm", **language_arg()))


@bp.route("/resume", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RESUME"])
def resume_confirm() -> str | Response:
    """Ask, then continue a saved draft here: the link is used up and the draft moves here.

    The browser that held the draft loses it, so the page warns when that browser used it in
    the last few minutes. Nothing from the draft is shown before the person continues.
    """
    db = get_session()
    token = session.get(SESSION_RESUME_PENDING)
    taking_over = request.method == "POST"
    draft = service.resumable_draft(db, token, for_update=taking_over) if token else None
    if draft is None:
        session.pop(SESSION_RESUME_PENDING, None)
        return link_not_usable()
    if "lang" not in request.args:
        # A new device should open the screening in the language it was started in.
        i18n.remember_language(draft.language)
    if not taking_over:
        open_elsewhere = service.active_elsewhere(
            draft, session.get(SESSION_DRAFT_KEY), current_app.config["DRAFT_IDLE_MINUTES"]
        )
        return render_template(
            "intake/resume.html",
            open_elsewhere=open_elsewhere,
            continue_url=url_for("intake.resume_confirm", **language_arg()),
        )
    hold_draft(service.take_over(db, draft))
    session.pop(SESSION_RESUME_PENDING, None)
    session.pop(SESSION_DONE, None)
    flash(_("Welcome back. Your answers so far are saved."), "info")
    return redirect(unfinished_or_review_url(questionnaire(), draft))


def language_arg() -> dict[str, str]:
    """Keep an explicit ?lang= choice across the resume pages."""
    return {"lang": request.args["lang"]} if "lang" in request.args else {}


def link_not_usable() -> Response:
    """Say a resume link cannot be used (expired, used, or unknown) and offer a fresh start."""
    flash(
        _(
            "That resume link has expired or has already been used. If you saved your "
            "screening again, use the newest link; otherwise please start a new screening."
        ),
        "info",
    )
    return redirect(url_for("intake.intro"))


@bp.get("/done")
def done() -> str | Response:
    """Say what happens next; never an eligibility verdict."""
    sent = session.get(SESSION_DONE)
    if not sent:
        return redirect(url_for("intake.intro"))
    return render_template(
        "intake/done.html",
        response_days=current_app.config["CLINIC_RESPONSE_DAYS"],
        needs_help=isinstance(sent, str) and service.sent_with_risk(get_session(), sent),
    )


# Routes whose views live in their own modules.
bp.add_url_rule("/review", view_func=review.review, methods=["GET", "POST"])
bp.add_url_rule("/review/language", view_func=language.change_language_on_review, methods=["POST"])
bp.add_url_rule("/step/<section_id>/language", view_func=language.change_language, methods=["POST"])
bp.register_error_handler(OperationalError, failures.database_unavailable)
bp.register_error_handler(PoolTimeout, failures.database_unavailable)
bp.register_error_handler(CSRFError, failures.csrf_failed)
