"""Staff sign-in pages: password, two-step verification (enrol, code, recovery), sign-out.

Views parse and render; screening.auth.service decides and writes. The sign-in page says the
same thing whether the email is unknown, the password wrong, or the account locked or inactive.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from screening.auth import service, sessions, totp
from screening.auth.decorators import current_clinician, login_required
from screening.auth.forms import ChangePasswordForm, CodeForm, LoginForm, RecoveryCodeForm
from screening.auth.passwords import MIN_LENGTH
from screening.auth.service import SecondFactor
from screening.database import get_session
from screening.extensions import limiter
from screening.models import Clinician
from screening.security.audit import client_ip

bp = Blueprint("auth", __name__)

# Per client address, on every POST that checks a secret.
ATTEMPT_LIMIT = "10 per minute"


def sign_in_failed_message() -> str:
    """The one message for every failed sign-in, whatever the reason."""
    return _(
        "We could not sign you in with that email address and password. Check them and try "
        "again. After several failed attempts, sign-in is paused for 15 minutes."
    )


def restart_sign_in() -> Response:
    """Drop a half-finished sign-in and go back to the first step."""
    sessions.end_session()
    flash(_("Please sign in again."), "info")
    return redirect(url_for("auth.login"))


def destination(next_url: str | None, clinician: Clinician) -> str:
    """Where to go once signed in: a forced password change first, else where they asked."""
    if clinician.must_change_password:
        return url_for("auth.change_password")
    return sessions.safe_next(next_url) or sessions.portal_home_url()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ATTEMPT_LIMIT, methods=["POST"])
def login() -> Response | str:
    """Ask for an email address and password."""
    next_url = sessions.safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or sessions.portal_home_url())
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        clinician = service.authenticate(
            get_session(), form.email.data or "", form.password.data or "", ip=client_ip()
        )
        if clinician is not None:
            sessions.begin_pending(clinician, next_url)
            step = "auth.two_factor" if clinician.totp_confirmed else "auth.enrol"
            return redirect(url_for(step))
        failed = True
    return render_template(
        "auth/login.html",
        form=form,
        failed=failed,
        failed_message=sign_in_failed_message(),
        next_url=next_url,
    )


def enrolled_pending_clinician() -> Clinician | Response:
    """Return the clinician between password and code, or a redirect to where they belong."""
    if current_user.is_authenticated:
        return redirect(sessions.portal_home_url())
    clinician = sessions.pending_clinician()
    if clinician is None:
        return restart_sign_in()
    if not clinician.totp_confirmed:
        return redirect(url_for("auth.enrol"))
    return clinician


def finish_second_factor(outcome: SecondFactor, clinician: Clinician) -> Response | None:
    """Sign in on success, send a locked account back to sign-in; None shows the form again."""
    if outcome is SecondFactor.OK:
        next_url = sessions.establish(clinician)
        return redirect(destination(next_url, clinician))
    if outcome is SecondFactor.LOCKED:
        sessions.end_session()
        flash(sign_in_failed_message(), "error")
        return redirect(url_for("auth.login"))
    return None


@bp.route("/two-factor", methods=["GET", "POST"])
@limiter.limit(ATTEMPT_LIMIT, methods=["POST"])
def two_factor() -> Response | str:
    """Ask for the current code from the authenticator app."""
    clinician = enrolled_pending_clinician()
    if not isinstance(clinician, Clinician):
        return clinician
    form = CodeForm()
    if form.validate_on_submit():
        outcome = service.verify_second_factor(
            get_session(), clinician, form.code.data or "", ip=client_ip()
        )
        response = finish_second_factor(outcome, clinician)
        if response is not None:
            return response
        form.code.errors = [
            _("That code did not work. Enter the newest code from your app; each code works once.")
        ]
    return render_template("auth/two_factor.html", form=form)


@bp.route("/recovery", methods=["GET", "POST"])
@limiter.limit(ATTEMPT_LIMIT, methods=["POST"])
def recovery() -> Response | str:
    """Accept one of the recovery codes instead of a code from the app."""
    clinician = enrolled_pending_clinician()
    if not isinstance(clinician, Clinician):
        return clinician
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        outcome = service.use_recovery_code(
            get_session(), clinician, form.code.data or "", ip=client_ip()
        )
        response = finish_second_factor(outcome, clinician)
        if outcome is SecondFactor.OK:
            # After establish(): the fresh session keeps the message.
            flash(
                _(
                    "You used a recovery code; %(num)d are left. If you lost your phone, ask an "
                    "admin to reset your two-step verification.",
                    num=len(clinician.recovery_codes or []),
                ),
                "info",
            )
        if response is not None:
            return response
        form.code.errors = [_("That recovery code did not work, or it was used already.")]
    return render_template("auth/recovery.html", form=form)


@bp.route("/enrol", methods=["GET", "POST"])
@limiter.limit(ATTEMPT_LIMIT, methods=["POST"])
def enrol() -> Response | str:
    """Set up the authenticator app: scan the QR code, confirm one code, keep recovery codes."""
    if current_user.is_authenticated:
        # E.g. the recovery-codes page re-submitted by a refresh: already done, do not sign out.
        return redirect(sessions.portal_home_url())
    clinician = sessions.pending_clinician()
    if clinician is None or (not clinician.totp_secret and not clinician.totp_confirmed):
        return restart_sign_in()
    if clinician.totp_confirmed:
        return redirect(url_for("auth.two_factor"))
    secret = clinician.totp_secret or ""
    form = CodeForm()
    if form.validate_on_submit():
        result = service.confirm_enrolment(
            get_session(), clinician, form.code.data or "", ip=client_ip()
        )
        if isinstance(result, list):
            next_url = sessions.establish(clinician)
            # Shown in this response only, never stored in plain text or put in the session.
            return render_template(
                "auth/recovery_codes.html",
                codes=result,
                continue_url=destination(next_url, clinician),
            )
        if (response := finish_second_factor(result, clinician)) is not None:
            return response  # locked: back to sign-in
        form.code.errors = [
            _("That code did not match. Check the time on your phone and enter the newest code.")
        ]
    issuer = current_app.config["CLINIC_NAME"]
    uri = totp.provisioning_uri(secret, clinician.email, issuer)
    return render_template(
        "auth/enrol.html",
        form=form,
        qr_svg=totp.qr_svg(uri, _("QR code for your authenticator app")),
        secret=totp.format_secret(secret),
    )


@bp.post("/logout")
def logout() -> Response:
    """Sign out here and end every other session of the account."""
    if current_user.is_authenticated:
        service.sign_out(get_session(), current_clinician(), ip=client_ip())
    sessions.end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(ATTEMPT_LIMIT, methods=["POST"])
@login_required
def change_password() -> Response | str:
    """Change the password (required at first sign-in with a temporary one)."""
    clinician = current_clinician()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problems = service.change_password(
            get_session(),
            clinician,
            form.current_password.data or "",
            form.new_password.data or "",
            ip=client_ip(),
        )
        if not problems:
            sessions.follow_version(clinician)
            flash(_("Your password has been changed."), "info")
            return redirect(sessions.portal_home_url())
        if problems == ["current"]:
            form.current_password.errors = [_("That is not your current password.")]
        elif problems == ["same"]:
            form.new_password.errors = [_("Choose a password different from the current one.")]
        else:
            form.new_password.errors = problems
    return render_template(
        "auth/change_password.html",
        form=form,
        forced=clinician.must_change_password,
        min_length=MIN_LENGTH,
    )
