"""Signed-in staff sessions: Flask-Login setup, fresh sessions, idle and absolute limits.

The session cookie holds the clinician id, the account's session version at sign-in, whether
the second factor is done, and when the session started and was last used. Nothing else about
the person. Bumping `Clinician.session_version` (logout, deactivation, 2FA reset, password
change) makes every older cookie worthless, wherever it was copied to.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy.orm import defer
from werkzeug.wrappers import Response

from screening.auth import service
from screening.database import get_session
from screening.models import Clinician
from screening.security import audit

# Session keys. `_user_id` belongs to Flask-Login; the rest are ours. Times are Unix seconds.
PENDING = "staff_pending"
VERSION = "staff_ver"
SECOND_FACTOR_DONE = "staff_mfa"
STARTED = "staff_started"
LAST_SEEN = "staff_seen"
# Kept across a session reset: the interface language is not a credential.
KEPT_KEYS = ("lang",)
# Requests to these blueprints are checked for idle and absolute limits.
STAFF_BLUEPRINTS = frozenset({"portal", "auth", "admin"})
MAX_NEXT_LENGTH = 2000

login_manager = LoginManager()


class StaffUser(UserMixin):
    """The Flask-Login user: a thin wrapper around the signed-in Clinician."""

    def __init__(self, clinician: Clinician) -> None:
        self.clinician = clinician

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Whether the account may sign in."""
        return bool(self.clinician.active)

    @property
    def id(self) -> int:
        """The clinician's id (UserMixin.get_id keeps it in the session)."""
        return self.clinician.id

    @property
    def name(self) -> str:
        """The clinician's display name."""
        return self.clinician.name

    @property
    def is_admin(self) -> bool:
        """Whether the clinician may reach admin pages."""
        return self.clinician.is_admin


def idle_seconds() -> float:
    """How long a signed-in session may go unused."""
    return float(current_app.config["SESSION_IDLE_MINUTES"]) * 60


def absolute_seconds() -> float:
    """How long a signed-in session may last at most."""
    return float(current_app.config["SESSION_ABSOLUTE_HOURS"]) * 3600


def fresh_session() -> None:
    """Throw the whole session away and start an empty one (prevents session fixation)."""
    kept = {key: session[key] for key in KEPT_KEYS if key in session}
    session.clear()
    session.update(kept)
    # A browser-session cookie: staff sessions never outlive the browser.
    session.permanent = False


def begin_pending(clinician: Clinician, next_url: str | None) -> None:
    """Start a fresh session in which the password is checked but the second factor is not."""
    fresh_session()
    session[PENDING] = {
        "id": clinician.id,
        "ver": clinician.session_version,
        "at": time.time(),
        "next": next_url,
    }


def pending_state() -> dict[str, Any] | None:
    """Return the half-finished sign-in of this session, if it is still recent enough."""
    state = session.get(PENDING)
    if not isinstance(state, dict):
        return None
    started = state.get("at")
    if not isinstance(started, int | float) or time.time() - started > idle_seconds():
        session.pop(PENDING, None)
        return None
    return state


def pending_clinician() -> Clinician | None:
    """Return the account whose password was accepted in this session, if it still may sign in."""
    state = pending_state()
    if state is None:
        return None
    clinician = get_session().get(Clinician, state.get("id"))
    if clinician is None or not clinician.active or clinician.session_version != state.get("ver"):
        session.pop(PENDING, None)
        return None
    return clinician


def establish(clinician: Clinician) -> str | None:
    """Sign the clinician in on a brand-new session; return where they wanted to go."""
    state = pending_state() or {}
    next_url = state.get("next")
    fresh_session()
    login_user(StaffUser(clinician), remember=False, fresh=True)
    moment = time.time()
    session[VERSION] = clinician.session_version
    session[SECOND_FACTOR_DONE] = True
    session[STARTED] = moment
    session[LAST_SEEN] = moment
    return next_url if isinstance(next_url, str) else None


def follow_version(clinician: Clinician) -> None:
    """Keep this session valid after the account's session version was bumped on purpose."""
    session[VERSION] = clinician.session_version


def end_session() -> None:
    """Sign out of this browser: Flask-Login's keys and everything else go."""
    logout_user()
    fresh_session()


# Every signed-in request loads the account; its credentials are read (and the TOTP secret and
# recovery codes decrypted) only on the pages that check a password or a code.
_WITHOUT_CREDENTIALS = (
    defer(Clinician.password_hash),
    defer(Clinician.totp_secret),
    defer(Clinician.recovery_codes),
)


def load_user(user_id: str) -> StaffUser | None:
    """Flask-Login's user loader: accept only a current, fully signed-in session."""
    if session.get(SECOND_FACTOR_DONE) is not True:
        return None
    version = session.get(VERSION)
    try:
        clinician_id = int(user_id)
    except (TypeError, ValueError):
        return None
    clinician = get_session().get(Clinician, clinician_id, options=_WITHOUT_CREDENTIALS)
    if (
        clinician is None
        or not clinician.active
        or not clinician.totp_confirmed
        or clinician.session_version != version
    ):
        return None
    return StaffUser(clinician)


def portal_home_url() -> str:
    """Return the clinician queue, where a signed-in person lands."""
    return url_for("portal.queue")


def safe_next(value: str | None) -> str | None:
    """Return `value` if it is a relative path inside the portal, else None (no open redirect)."""
    if not value or len(value) > MAX_NEXT_LENGTH:
        return None
    if any(ord(char) < 32 or char == "\\" for char in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.fragment:
        return None
    path = unquote(parts.path)
    if not (path == "/portal" or path.startswith("/portal/")):
        return None
    if path.startswith("/portal/auth") or "//" in path:
        return None
    if any(segment in {".", ".."} for segment in path.split("/")):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def login_url() -> str:
    """Return the sign-in page, with this page as `next` when it is a portal page one can GET."""
    next_url = None
    if request.method == "GET":
        query = request.query_string.decode("utf-8", "replace")
        next_url = safe_next(request.path + (f"?{query}" if query else ""))
    return url_for("auth.login", next=next_url) if next_url else url_for("auth.login")


def session_limit_passed() -> str | None:
    """Say which limit a signed-in session has passed ("idle", "absolute"), if any."""
    started = session.get(STARTED)
    seen = session.get(LAST_SEEN)
    if not isinstance(started, int | float) or not isinstance(seen, int | float):
        return "invalid"
    moment = time.time()
    if moment - started > absolute_seconds():
        return "absolute"
    if moment - seen > idle_seconds():
        return "idle"
    return None


def enforce_session_limits() -> Response | None:
    """Before each staff request: end sessions that are too old, idle or no longer valid."""
    if request.blueprint not in STAFF_BLUEPRINTS:
        return None
    if "_user_id" not in session and VERSION not in session:
        return None
    reason = session_limit_passed()
    if reason is not None:
        service.record_session_expired(
            get_session(), session.get("_user_id"), reason, audit.client_ip()
        )
        end_session()
        if reason == "absolute":
            flash(_("Your session reached its time limit. Please sign in again."), "info")
        else:
            flash(_("You were signed out after a period without activity."), "info")
        return _back_to_sign_in()
    if not current_user.is_authenticated:
        # Signed out elsewhere, deactivated, or 2FA reset: this cookie no longer counts.
        end_session()
        flash(_("You have been signed out. Please sign in again."), "info")
        return _back_to_sign_in()
    session[LAST_SEEN] = time.time()
    return None


def _back_to_sign_in() -> Response | None:
    """Send a staff request to the sign-in page, or let sign-in pages carry on."""
    if request.blueprint == "auth":
        return None
    return redirect(login_url())


def init_app(app: Flask) -> None:
    """Set up Flask-Login (no remember-me, ever) and the per-request session checks."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # Sessions are bound server-side (version, idle and absolute limits) instead of IP binding,
    # which would sign people out whenever their phone changes network.
    login_manager.session_protection = None
    login_manager.user_loader(load_user)

    @login_manager.unauthorized_handler
    def unauthorized() -> Response:
        return redirect(login_url())

    app.before_request(enforce_session_limits)
