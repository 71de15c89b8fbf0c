"""Admin pages: staff accounts (invite, deactivate, reactivate, reset 2FA or password), audit trail.

Every view is admin-only, checked on the server. Account changes are POSTs with a CSRF token
and are audited with the admin as actor. The audit trail is read-only: there is no route that
edits or deletes an event, and each viewing is itself audited.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from screening.admin import service
from screening.admin.forms import AccountActionForm, AuditFilterForm, InviteForm
from screening.auth import service as account_service
from screening.auth.decorators import admin_required, current_clinician
from screening.clock import as_utc
from screening.database import get_session
from screening.models import Clinician, Submission
from screening.security import audit as audit_log

bp = Blueprint("admin", __name__)


def client_ip() -> str | None:
    """Return the address recorded in the audit trail for this request."""
    return request.remote_addr


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
        as_utc=as_utc,
    )


@bp.route("/accounts/invite", methods=["GET", "POST"])
@admin_required
def invite() -> str:
    """Create an account for a colleague, with a temporary password shown once."""
    form = InviteForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            clinician, temporary = account_service.invite_clinician(
                db,
                email=form.email.data or "",
                name=form.name.data or "",
                role=form.role.data or "",
                actor=current_clinician(),
                ip=client_ip(),
            )
        except account_service.AccountError as error:
            db.rollback()
            form.email.errors = [_("Could not create the account: %(reason)s.", reason=str(error))]
        else:
            db.commit()
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


def account_action(clinician_id: int, action: str) -> Response:
    """Run one account action for the admin, audit it and go back to the list."""
    if not AccountActionForm().validate_on_submit():
        abort(400)
    db = get_session()
    clinician = account_or_404(clinician_id)
    admin = current_clinician()
    try:
        if action == "deactivate":
            if not clinician.active:
                raise account_service.AccountError(_("that account is already deactivated"))
            account_service.deactivate(db, clinician, actor=admin, ip=client_ip())
            message = _("%(name)s can no longer sign in.", name=clinician.name)
        elif action == "reactivate":
            if clinician.active:
                raise account_service.AccountError(_("that account is already active"))
            account_service.reactivate(db, clinician, actor=admin, ip=client_ip())
            message = _("%(name)s can sign in again.", name=clinician.name)
        else:
            account_service.reset_two_factor(db, clinician, actor=admin, ip=client_ip())
            message = _(
                "Two-step verification was reset for %(name)s. They set it up again at their "
                "next sign-in.",
                name=clinician.name,
            )
    except account_service.AccountError as error:
        db.rollback()
        flash(_("Nothing changed: %(reason)s.", reason=str(error)), "error")
        return redirect(url_for("admin.accounts"))
    db.commit()
    flash(message, "info")
    return redirect(url_for("admin.accounts"))


@bp.post("/accounts/<int:clinician_id>/deactivate")
@admin_required
def deactivate(clinician_id: int) -> Response:
    """Stop an account from signing in; its sessions end at their next request."""
    return account_action(clinician_id, "deactivate")


@bp.post("/accounts/<int:clinician_id>/reactivate")
@admin_required
def reactivate(clinician_id: int) -> Response:
    """Let a deactivated account sign in again."""
    return account_action(clinician_id, "reactivate")


@bp.post("/accounts/<int:clinician_id>/reset-2fa")
@admin_required
def reset_two_factor(clinician_id: int) -> Response:
    """Forget an account's authenticator app; it is set up again at the next sign-in."""
    return account_action(clinician_id, "reset-2fa")


@bp.post("/accounts/<int:clinician_id>/reset-password")
@admin_required
def reset_password(clinician_id: int) -> Response | str:
    """Give an account a new temporary password, shown once, to change at next sign-in."""
    if not AccountActionForm().validate_on_submit():
        abort(400)
    db = get_session()
    clinician = account_or_404(clinician_id)
    try:
        temporary = account_service.reset_password(
            db, clinician, actor=current_clinician(), ip=client_ip()
        )
    except account_service.AccountError as error:
        db.rollback()
        flash(_("Nothing changed: %(reason)s.", reason=str(error)), "error")
        return redirect(url_for("admin.accounts"))
    db.commit()
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
    result = service.search_audit(db, filters, page_number)
    submission_id = (
        service.find_submission_id(db, filters.submission_public_id)
        if filters.submission_public_id
        else None
    )
    submission = db.get(Submission, submission_id) if submission_id else None
    detail: dict[str, Any] = {"page": result.page}
    if filters.in_use():
        detail["filters"] = filters.in_use()
    with account_service.audit_transaction() as audit_db:
        audit_log.record(
            audit_db,
            "audit.viewed",
            actor=current_clinician(),
            submission=submission,
            ip=client_ip(),
            detail=detail,
        )
    return render_template(
        "admin/audit.html",
        form=form,
        result=result,
        filters=filters.in_use(),
        page_size=service.PAGE_SIZE,
    )
