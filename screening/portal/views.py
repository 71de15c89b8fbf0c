"""Routes of the clinician portal: the queue, one submission, its workflow, print and exports.

Views parse requests and render; screening.portal.queue reads, screening.portal.service
writes. Every view needs a signed-in clinician (the CSV export an admin). Every change is a
CSRF-protected POST that redirects, and every read of a person's screening is audited.
Nothing about a person goes into a URL: submissions are addressed by their random public id,
and a search is carried as its keyed hash, never as the typed text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from screening.auth.decorators import admin_required, current_clinician, login_required
from screening.clock import clinic_now, clinic_today
from screening.database import get_session
from screening.extensions import limiter
from screening.i18n import current_language
from screening.links import public_url
from screening.models import Submission
from screening.portal import calendar, exports, queue, service, times
from screening.portal.detail import submission_view
from screening.portal.follow_ups import FOLLOW_UPS_SHOWN, follow_ups_due
from screening.portal.forms import (
    AssigneeForm,
    CalendarFeedForm,
    FollowUpForm,
    LogCallForm,
    NoteForm,
    QueueFilterForm,
    SearchForm,
    StatusForm,
    TakeForm,
)
from screening.portal.uncalled import uncalled_for, uncalled_urgent
from screening.portal.workflow import (
    BAND_LABELS,
    CALL_OUTCOME_LABELS,
    CATEGORY_LABELS,
    FINISHED_STATUSES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    STATUSES,
    label,
    status_label,
)
from screening.questionnaire.flags import CATEGORIES
from screening.questionnaire_registry import registry
from screening.security.audit import client_ip, record_now

bp = Blueprint("portal", __name__)

# token_urlsafe(16): anything else cannot be a public id, so it is not even looked up.
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


# Every time staff read is on the clinic's clock (screening.portal.times).
bp.add_app_template_filter(times.time_element, "clinic_time")
bp.add_app_template_filter(times.plain_time, "clinic_time_text")


@bp.app_template_filter("portal_duration")
def portal_duration(delta: timedelta | None) -> str:
    """Say how long something took, to the minute: "42 min", "2 h 5 min", "3 d 4 h"."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return _("%(minutes)d min", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    days, hours = divmod(hours, 24)
    return _("%(days)d d %(hours)d h", days=days, hours=hours)


@bp.app_template_filter("waiting_time")
def waiting_time(delta: timedelta | None) -> str:
    """Say how long someone has waited in plain clock time (not business hours): minutes for
    the first hour (an urgent case counts them), hours for the first two days, then days."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return ngettext("%(num)d day", "%(num)d days", hours // 24)


bp.add_app_template_filter(label, "label")


def reach_labels() -> dict[str, str]:
    """Names of the contact-method and contact-times options in the interface language."""
    q, lang = registry().current, current_language()
    items = (q.role_item(role) for role in ("contact-method", "contact-times"))
    return {o.code: o.display.get(lang) for item in items if item for o in item.options}


@bp.context_processor
def portal_labels() -> dict[str, Any]:
    """Labels the portal templates use for badges, translated once per page rather than once
    per use (the queue shows four on each of its 25 rows)."""
    return {
        name: {code: str(text) for code, text in labels.items()}
        for name, labels in (
            ("category_labels", CATEGORY_LABELS),
            ("status_labels", STATUS_LABELS),
            ("severity_labels", SEVERITY_LABELS),
            ("band_labels", BAND_LABELS),
            ("call_outcome_labels", CALL_OUTCOME_LABELS),
        )
    }


def submission_or_404(public_id: str) -> Submission:
    """Load a submitted screening by public id; drafts and unknown ids are 404."""
    if not PUBLIC_ID.match(public_id):
        abort(404)
    submission = service.find_submitted(get_session(), public_id)
    if submission is None:
        abort(404)
    return submission


# ---------------------------------------------------------------------------------------
# The queue


def call_window() -> timedelta:
    """How long an urgent screening may go without a call attempt before it surfaces again."""
    return timedelta(minutes=int(current_app.config["URGENT_ESCALATION_MINUTES"]))


def without(rows: list[queue.QueueRow], shown: list[queue.QueueRow]) -> list[queue.QueueRow]:
    """The rows not already shown above them (once on a page is enough)."""
    ids = {row.public_id for row in shown}
    return [row for row in rows if row.public_id not in ids]


def uncalled_section(rows: list[queue.QueueRow], now: datetime) -> dict[str, Any]:
    """What the queue and "My follow-ups today" both render above their rows: the urgent
    screenings nobody has tried to call lately, and how long each has waited."""
    return {
        "uncalled_rows": rows,
        "uncalled": uncalled_for(rows, now),
        "call_window": call_window(),
    }


def queue_filter_form() -> QueueFilterForm:
    """Read and check the filters from the query string."""
    form = QueueFilterForm(request.args)
    form.validate()
    return form


@bp.get("/", endpoint="queue")
@login_required
def show_queue() -> str:
    """List submitted screenings, urgent first, with counts, filters, search and pages."""
    db = get_session()
    viewer = current_clinician()
    form = queue_filter_form()
    f = form.to_filter()
    try:
        page_number = int(request.args.get("page", "1"))
    except ValueError:
        page_number = 1
    summary = queue.queue_summary(db)
    if summary.needs_fold:
        service.fold_submission_counts(db)
    total = summary.count(f)
    page = queue.load_page(db, f, viewer.id, page_number, clinic_today(), total=total)
    now = clinic_now()
    # Above the rows on the first page, whatever the filter: an urgent case nobody has tried
    # to call lately must not hide behind a sort or a filter.
    uncalled = uncalled_urgent(db, now, call_window(), now.date()) if page.page == 1 else []
    page.rows = without(page.rows, uncalled)
    detail: dict[str, Any] = {
        "filter": f.audit_codes(),
        "page": page.page,
        "shown": [row.public_id for row in page.rows],
    }
    if uncalled:
        detail["uncalled"] = [row.public_id for row in uncalled]
    record_now(db, "queue.viewed", actor=viewer, ip=client_ip(), detail=detail)
    return render_template(
        "portal/queue.html",
        form=form,
        search_form=SearchForm(prefix="search"),
        f=f,
        page=page,
        urgent_count=summary.urgent_open,
        category_counts=summary.by_category,
        status_counts=summary.by_status,
        categories=CATEGORIES,
        statuses=STATUSES,
        is_admin=viewer.is_admin,
        sort_label=next(c.label for c in form.sort.choices if c.value == f.sort),
        clear_search_args={k: v for k, v in f.query_args().items() if k != "match"},
        now=now,
        reach_labels=reach_labels(),
        **uncalled_section(uncalled, now),
    )


@bp.get("/follow-ups", endpoint="follow_ups")
@login_required
def show_follow_ups() -> str:
    """List the signed-in clinician's screenings with a follow-up due today or overdue."""
    db = get_session()
    viewer = current_clinician()
    now = clinic_now()
    today = now.date()
    rows = follow_ups_due(db, viewer.id, today)
    # Mine or nobody's: an urgent case nobody has taken is everyone's to call.
    uncalled = uncalled_urgent(db, now, call_window(), today, for_clinician=viewer.id)
    rows = without(rows, uncalled)
    detail: dict[str, Any] = {"shown": [row.public_id for row in rows[:FOLLOW_UPS_SHOWN]]}
    if uncalled:
        detail["uncalled"] = [row.public_id for row in uncalled]
    record_now(db, "follow-ups.viewed", actor=viewer, ip=client_ip(), detail=detail)
    return render_template(
        "portal/follow_ups.html",
        rows=rows[:FOLLOW_UPS_SHOWN],
        more=len(rows) > FOLLOW_UPS_SHOWN,
        today=today,
        now=now,
        reach_labels=reach_labels(),
        **uncalled_section(uncalled, now),
    )


@bp.post("/search", endpoint="search")
@login_required
def search() -> Response:
    """Turn a typed search into its keyed hash and show the matching screenings."""
    form = SearchForm(prefix="search")
    args = {k: v for k, v in request.args.items() if k not in {"match", "page"}}
    if not form.validate():
        flash(_("Enter an email address, a phone number or a full name to search."), "info")
        return redirect(url_for("portal.queue", **args))
    match = queue.search_match(form.q.data or "", current_app.extensions["blind_index"])
    if match is not None:
        args["match"] = match.token()
        # That a search was made and on which field; never the term, nor its keyed hash.
        record_now(
            get_session(),
            "queue.searched",
            actor=current_clinician(),
            ip=client_ip(),
            detail={"field": match.kind},
        )
    return redirect(url_for("portal.queue", **args))


@bp.get("/export.csv", endpoint="export_csv")
@login_required
@admin_required
def export_csv() -> Response:
    """Download the filtered queue as CSV, streamed (admins only)."""
    viewer = current_clinician()
    form = queue_filter_form()
    if form.errors:
        # The queue shows which filter is wrong; an export must not quietly widen to all rows.
        abort(400)
    f = form.to_filter()
    record_now(
        get_session(),
        "queue.exported-csv",
        actor=viewer,
        ip=client_ip(),
        detail={"filter": f.audit_codes()},
    )
    viewer_id = viewer.id

    def rows() -> Iterator[Submission]:
        # Opened once streaming starts: the view's own session is closed when it returns,
        # and this one is closed when the stream ends (teardown of the re-pushed context).
        yield from queue.iter_matching(
            get_session(), f, viewer_id, columns=exports.CSV_COLUMNS_LOADED
        )

    filename = f"screenings-{clinic_today().isoformat()}.csv"
    return Response(
        stream_with_context(exports.csv_lines(rows(), registry())),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# ---------------------------------------------------------------------------------------
# One submission


def workflow_forms(submission: Submission, roster: service.Roster, **bound: Any) -> dict[str, Any]:
    """The page's forms, filled from the submission unless a bound (failed) one is given."""
    assigned = str(submission.assignee_id) if submission.assignee_id else ""
    forms = {
        "status_form": StatusForm(prefix="status", formdata=None, status=submission.status),
        "assignee_form": AssigneeForm(
            prefix="assignee", formdata=None, assignee=assigned
        ).set_clinicians(roster.assignable),
        "follow_up_form": FollowUpForm(
            prefix="follow-up", formdata=None, follow_up_on=submission.follow_up_on
        ),
        "note_form": NoteForm(prefix="note", formdata=None),
        "take_form": TakeForm(formdata=None),
        "call_form": LogCallForm(prefix="call", formdata=None),
    }
    forms.update(bound)
    return forms


def submission_page(public_id: str, action: str) -> tuple[dict[str, Any], service.Roster]:
    """Read a screening for its page and audit that (`action`); 404 for drafts and unknown ids.

    Returns the template values and the clinician roster.
    """
    if not PUBLIC_ID.match(public_id):
        abort(404)
    record = service.view_submission(
        get_session(), current_clinician(), public_id, ip=client_ip(), action=action
    )
    if record is None:
        abort(404)
    values = {
        "view": submission_view(record.submission),
        "s": record.submission,
        "notes": record.notes,
        "assignee_name": record.assignee_name,
        "first_opened_by": record.roster.names.get(record.submission.first_opened_by_id or 0),
        "overdue": queue.is_overdue(record.submission, clinic_today()),
        "unanswered_calls": record.unanswered_calls,
        "suggest_withdraw": record.submission.status not in FINISHED_STATUSES
        and record.unanswered_calls >= current_app.config["CALL_ATTEMPTS_BEFORE_WITHDRAW"],
    }
    return values, record.roster


def render_submission(public_id: str, status: int = 200, **bound: Any) -> Any:
    """Render the submission page (audited as a view), with any failed form's errors."""
    values, roster = submission_page(public_id, "submission.viewed")
    forms = workflow_forms(values["s"], roster, **bound)
    return render_template("portal/submission.html", **values, **forms), status


@bp.get("/s/<public_id>", endpoint="submission")
@login_required
def show_submission(public_id: str) -> Any:
    """Show one screening: contact, flags, scores, answers, workflow and notes."""
    return render_submission(public_id)


def back_to(submission: Submission, anchor: str) -> Response:
    """Redirect to the submission page after a change, at the part that changed."""
    return redirect(url_for("portal.submission", public_id=submission.public_id) + anchor)


@bp.post("/s/<public_id>/status", endpoint="set_status")
@login_required
def set_status(public_id: str) -> Any:
    """Move the screening to another status."""
    submission = submission_or_404(public_id)
    form = StatusForm(prefix="status")
    if not form.validate():
        return render_submission(public_id, 400, status_form=form)
    viewer = current_clinician()
    was_unassigned = submission.assignee_id is None
    changed = service.change_status(
        get_session(), submission, form.status.data, actor=viewer, ip=client_ip()
    )
    if changed:
        flash(_("Status changed to %(status)s.", status=status_label(form.status.data)), "info")
    if was_unassigned and submission.assignee_id == viewer.id:
        flash(_("It is assigned to you now."), "info")
    return back_to(submission, "#workflow")


@bp.post("/s/<public_id>/take", endpoint="take")
@login_required
def take(public_id: str) -> Any:
    """Assign an unassigned screening to the clinician who pressed "Take it"."""
    submission = submission_or_404(public_id)
    if not TakeForm().validate():
        abort(400)
    if service.take(get_session(), submission, actor=current_clinician(), ip=client_ip()):
        flash(_("It is assigned to you now."), "info")
    else:
        flash(_("Someone else took it a moment ago."), "info")
    return back_to(submission, "#workflow")


@bp.post("/s/<public_id>/assignee", endpoint="assign")
@login_required
def assign(public_id: str) -> Any:
    """Give the screening to a clinician, or to nobody."""
    submission = submission_or_404(public_id)
    roster = service.clinician_roster(get_session())
    form = AssigneeForm(prefix="assignee").set_clinicians(roster.assignable)
    if not form.validate():
        return render_submission(public_id, 400, assignee_form=form)
    try:
        changed = service.assign(
            get_session(), submission, form.assignee_id(), actor=current_clinician(), ip=client_ip()
        )
    except service.WorkflowError:
        abort(400)
    if changed:
        flash(_("Assignment saved."), "info")
    return back_to(submission, "#workflow")


@bp.post("/s/<public_id>/follow-up", endpoint="set_follow_up")
@login_required
def set_follow_up(public_id: str) -> Any:
    """Set or clear the follow-up date."""
    submission = submission_or_404(public_id)
    form = FollowUpForm(prefix="follow-up")
    if not form.validate():
        return render_submission(public_id, 400, follow_up_form=form)
    on = form.follow_up_on.data
    changed = service.set_follow_up(
        get_session(), submission, on, actor=current_clinician(), ip=client_ip()
    )
    if changed:
        flash(_("Follow-up date saved.") if on else _("Follow-up date cleared."), "info")
    return back_to(submission, "#workflow")


@bp.post("/s/<public_id>/calls", endpoint="log_call")
@login_required
def log_call(public_id: str) -> Any:
    """Log an attempt to reach the person, and the next follow-up date if one is given."""
    submission = submission_or_404(public_id)
    form = LogCallForm(prefix="call")
    if not form.validate():
        return render_submission(public_id, 400, call_form=form)
    service.log_call(
        get_session(),
        submission,
        form.outcome.data or "",
        form.note.data or "",
        form.next_follow_up_on.data,
        actor=current_clinician(),
        ip=client_ip(),
    )
    flash(_("Call logged."), "info")
    return back_to(submission, "#notes")


@bp.post("/s/<public_id>/notes", endpoint="add_note")
@login_required
def add_note(public_id: str) -> Any:
    """Add a note to the screening's timeline."""
    submission = submission_or_404(public_id)
    form = NoteForm(prefix="note")
    if not form.validate():
        return render_submission(public_id, 400, note_form=form)
    service.add_note(
        get_session(), submission, form.body.data or "", actor=current_clinician(), ip=client_ip()
    )
    flash(_("Note added."), "info")
    return back_to(submission, "#notes")


@bp.get("/s/<public_id>/print", endpoint="print_submission")
@login_required
def print_submission(public_id: str) -> str:
    """A clean page of the whole screening for printing (audited)."""
    values, _roster = submission_page(public_id, "submission.printed")
    return render_template("portal/print.html", **values, printed_at=clinic_now())


@bp.get("/s/<public_id>/fhir", endpoint="fhir")
@login_required
def download_fhir(public_id: str) -> Response:
    """Download the screening as a FHIR R4 QuestionnaireResponse (audited)."""
    submission = submission_or_404(public_id)
    record_now(
        get_session(),
        "submission.exported-fhir",
        actor=current_clinician(),
        submission=submission,
        ip=client_ip(),
    )
    reg = registry()
    resource = exports.with_disclosures(
        exports.submission_to_fhir(submission, reg, current_app.config["PUBLIC_BASE_URL"]),
        reg.for_version(submission.definition_version),
        submission,
    )
    return Response(
        json.dumps(resource, ensure_ascii=False, indent=2),
        mimetype="application/fhir+json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="questionnaire-response-{submission.public_id}.json"'
            )
        },
    )


# ---------------------------------------------------------------------------------------
# My account: the calendar feed


def render_account(feed_url: str | None = None) -> str:
    """The account page; `feed_url` only in the answer to making one (it is never stored)."""
    viewer = current_clinician()
    return render_template(
        "portal/account.html",
        feed=calendar.feed_of(get_session(), viewer.id),
        feed_url=feed_url,
        form=CalendarFeedForm(),
    )


@bp.post("/keepalive", endpoint="keepalive")
@login_required
def keepalive() -> tuple[str, int]:
    """Keep a staff session from timing out (session-timeout.js: "Stay signed in", or typing
    the server cannot see). The checks before every staff request count it as activity."""
    return "", 204


@bp.get("/account", endpoint="account")
@login_required
def show_account() -> str:
    """The signed-in clinician's account: their calendar feed."""
    return render_account()


@bp.post("/account/calendar", endpoint="new_calendar_feed")
@login_required
def new_calendar_feed() -> Any:
    """Make a new feed address (the old one stops working) and show it this once.

    Rendered rather than redirected: the token is kept nowhere, not even in the session
    cookie a flash message would travel in.
    """
    if not CalendarFeedForm().validate():
        abort(400)
    token = calendar.new_feed(get_session(), current_clinician(), ip=client_ip())
    feed_path = url_for("portal.calendar_feed", token=token)
    return render_account(public_url(current_app.config, feed_path))


@bp.post("/account/calendar/revoke", endpoint="revoke_calendar_feed")
@login_required
def revoke_calendar_feed() -> Response:
    """Turn the feed off: its address stops working at once."""
    if not CalendarFeedForm().validate():
        abort(400)
    if calendar.revoke_feed(get_session(), current_clinician(), ip=client_ip()):
        flash(_("Your calendar feed is off. Its address no longer works."), "info")
    return redirect(url_for("portal.account"))


@bp.get("/calendar/<token>.ics", endpoint="calendar_feed")
@limiter.limit(lambda: current_app.config["RATELIMIT_CALENDAR_FEED"])
def calendar_feed(token: str) -> Response:
    """Serve a clinician's follow-ups to their calendar app, to whoever holds the token (no
    sign-in: calendar apps cannot). Every fetch is audited, without the token."""
    db = get_session()
    clinician = calendar.open_feed(db, token, ip=client_ip())
    if clinician is None:
        abort(404)
    config = current_app.config
    body = calendar.feed_body(
        calendar.follow_up_dates(db, clinician.id, clinic_today()),
        lambda public_id: public_url(config, url_for("portal.submission", public_id=public_id)),
        now=clinic_now(),
        zone_name=config["CLINIC_TIMEZONE"],
        # The public address's host, never the request's Host header (as every absolute link).
        host=urlsplit(config["PUBLIC_BASE_URL"]).hostname or "threshold",
    )
    return Response(body, mimetype="text/calendar")
