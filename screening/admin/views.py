"""Admin pages: staff accounts (invite, deactivate, reactivate, reset 2FA or password), audit trail.

Every view is admin-only, checked on the server. Account changes are POSTs with a CSRF token
and are audited with the admin as actor. The audit trail is read-only: there is no route that
edits or deletes an event, and each viewing is itself audited.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from screening.admin import service
from screening.admin.forms import AccountActionForm, AuditFilterForm, InviteForm
from screening.admin.panels import dashboard_panels
from screening.auth import service as account_service
from screening.auth.decorators import admin_required, current_clinician
from screening.database import get_session
from screening.models import Clinician
from screening.questionnaire_registry import registry
from screening.security.audit import client_ip, record_now

bp = Blueprint("admin", __name__)


@bp.get("/")
@admin_required
def index() -> Response:
    """Send /portal/admin/ to the accounts page."""
    return redirect(url_for("admin.accounts"))


@bp.get("/accounts")
@admin_required
def accounts() -> str:
    """List every staff account with its state and the actions an admin can take."""
    clinicians = account_service.list_clinicians(get_session())
    return render_template(
        "admin/accounts.html",
        clinicians=clinicians,
        me=current_clinician(),
    )


@bp.route("/accounts/invite", methods=["GET", "POST"])
@admin_required
def invite() -> str:
    """Create an account for a colleague, with a temporary password shown once."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            clinician, temporary = account_service.invite_clinician(
                get_session(),
                email=form.email.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
                actor=current_clinician(),
                ip=client_ip(),
            )
        except account_service.AccountError as error:
            form.email.errors = [_("Could not create the account: %(reason)s.", reason=str(error))]
        else:
            # Rendered, not redirected: the temporary password is never stored in plain text.
            return render_template(
                "admin/invited.html", clinician=clinician, temporary_password=temporary
            )
    return render_template("admin/invite.html", form=form)


def account_or_404(clinician_id: int) -> Clinician:
    """Return the account an action is about, or 404."""
    clinician = get_session().get(Clinician, clinician_id)
    if clinician is None:
        abort(404)
    return clinician


def account_action(clinician_id: int, change: Callable[..., None], done: str) -> Response:
    """Make one account change as the admin and go back to the list, saying what happened.

    `done` is the message for success, with %(name)s for the account's name.
    """
    if not AccountActionForm().validate_on_submit():
        abort(400)
    clinician = account_or_404(clinician_id)
    try:
        change(get_session(), clinician, actor=current_clinician(), ip=client_ip())
    except account_service.AccountError as error:
        flash(_("Nothing changed: %(reason)s.", reason=str(error)), "error")
    else:
        flash(done % {"name": clinician.name}, "info")
    return redirect(url_for("admin.accounts"))


@bp.post("/accounts/<int:clinician_id>/deactivate")
@admin_required
def deactivate(clinician_id: int) -> Response:
    """Stop an account from signing in; its sessions end at their next request."""
    return account_action(
        clinician_id, account_service.deactivate, _("%(name)s can no longer sign in.")
    )


@bp.post("/accounts/<int:clinician_id>/reactivate")
@admin_required
def reactivate(clinician_id: int) -> Response:
    """Let a deactivated account sign in again."""
    return account_action(
        clinician_id, account_service.reactivate, _("%(name)s can sign in again.")
    )


@bp.post("/accounts/<int:clinician_id>/reset-2fa")
@admin_required
def reset_two_factor(clinician_id: int) -> Response:
    """Forget an account's authenticator app; it is set up again at the next sign-in."""
    return account_action(
        clinician_id,
        account_service.reset_two_factor,
        _(
            "Two-step verification was reset for %(name)s. They set it up again at their "
            "next sign-in."
        ),
    )


@bp.post("/accounts/<int:clinician_id>/reset-password")
@admin_required
def reset_password(clinician_id: int) -> Response | str:
    """Give an account a new temporary password, shown once, to change at next sign-in."""
    if not AccountActionForm().validate_on_submit():
        abort(400)
    clinician = account_or_404(clinician_id)
    try:
        temporary = account_service.reset_password(
            get_session(), clinician, actor=current_clinician(), ip=client_ip()
        )
    except account_service.AccountError as error:
        flash(_("Nothing changed: %(reason)s.", reason=str(error)), "error")
        return redirect(url_for("admin.accounts"))
    return render_template(
        "admin/invited.html", clinician=clinician, temporary_password=temporary, reset=True
    )


def filters_from(form: AuditFilterForm) -> service.AuditFilters:
    """Read valid filters from the form; an invalid field is ignored (its error is shown)."""

    def clean(value: str | None) -> str | None:
        return (value or "").strip() or None

    return service.AuditFilters(
        action_prefix=None if form.action.errors else clean(form.action.data),
        actor=None if form.actor.errors else clean(form.actor.data),
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
        submission_public_id=None if form.submission.errors else clean(form.submission.data),
    )


@bp.get("/audit")
@admin_required
def audit() -> str:
    """Show the audit trail, newest first, 50 a page, filtered; record that it was viewed."""
    db = get_session()
    form = AuditFilterForm(MultiDict(request.args))
    form.actor.choices = [
        SelectChoice("", _("Anyone")),
        SelectChoice(service.ACTOR_NONE, _("No one signed in (sign-in attempts, CLI)")),
        *service.actor_choices(db),
    ]
    form.validate()
    filters = filters_from(form)
    page_number = form.page.data if not form.page.errors and form.page.data else 1
    result = service.view_audit(db, filters, page_number, actor=current_clinician(), ip=client_ip())
    return render_template(
        "admin/audit.html",
        form=form,
        result=result,
        filters=filters.in_use(),
        page_size=service.PAGE_SIZE,
    )


@bp.get("/dashboard")
@admin_required
def dashboard() -> str:
    """Show the clinic's charts (counts over many screenings only); record that it was viewed."""
    db = get_session()
    panels = dashboard_panels(db, registry().current)
    record_now(db, "dashboard.viewed", actor=current_clinician(), ip=client_ip())
    return render_template("admin/dashboard.html", panels=panels)
