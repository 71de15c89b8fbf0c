"""View decorators for staff pages: signed in with both factors, and admin-only.

Every portal view is wrapped in `login_required`; admin views in `admin_required`. Both are
checked on the server for every request; hiding a link is never the protection.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, redirect, request, url_for
from flask_login import current_user

from screening.auth.sessions import StaffUser, login_url
from screening.models import Clinician

View = TypeVar("View", bound=Callable[..., Any])

# Pages a person who must change their password may still reach.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout"})


def current_clinician() -> Clinician:
    """Return the signed-in clinician (use inside `login_required` views)."""
    if not current_user.is_authenticated:
        abort(401)
    return cast(StaffUser, current_user._get_current_object()).clinician


def login_required(view: View) -> View:
    """Let the view run only for a signed-in clinician who has completed the second factor."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(login_url())
        clinician = current_clinician()
        if clinician.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.change_password"))
        return view(*args, **kwargs)

    return cast(View, wrapped)


def admin_required(view: View) -> View:
    """Let the view run only for a signed-in admin; other clinicians get 403 Forbidden."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_clinician().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return login_required(cast(View, wrapped))
