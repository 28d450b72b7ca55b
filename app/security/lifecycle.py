"""Request guards of the account lifecycle (forced password change, locks found mid-session) and the
request's own server-side session."""
from __future__ import annotations

from flask import Flask, flash, g, redirect, request, url_for
from flask_login import current_user, logout_user

from app.domain.errors import PermissionDenied
from app.domain.sessions import MUST_CHANGE_API
from app.extensions import db
from app.security import http
from app.security.tokens import api_error
from app.services import accounts
from app.services.uow import unit_of_work

# The Flask session key holding the client halves of the signed-in admin's credential-sheet keys.
CREDENTIAL_KEYS = "credential_keys"

# Endpoints a person who must change their password may still reach (the sign-in view's are added).
ALLOWED_WHILE_FORCED = {
    "static",
    "appbuilder.static",
    "AccountView.password",
    "GuidesView.index",  # the user guides explain the password change too
    "GuidesView.guide",
}


def current_session():
    """The session row of this request (screen cookie or API token), or None."""
    current_user._get_current_object()  # loads the user, and with it the row, if not done yet
    return g.get("auth_session")


def install_request_guards(app: Flask) -> None:
    http.install(app)
    auth_view = type(app.appbuilder.sm.auth_view).__name__
    allowed = ALLOWED_WHILE_FORCED | {f"{auth_view}.login", f"{auth_view}.logout"}

    @app.before_request
    def _lifecycle_guard():
        if not current_user.is_authenticated or not getattr(current_user, "must_change_password", False):
            return None
        with unit_of_work(db.session):
            decision = accounts.check_session(db.session, current_user._get_current_object())
        if not decision.allowed:
            logout_user()
            flash(decision.message, "danger")
            return redirect(url_for(f"{auth_view}.login"))
        if request.endpoint in allowed or request.endpoint is None:
            return None
        if request.path.startswith("/api/"):
            return api_error(PermissionDenied(*MUST_CHANGE_API))
        return redirect(url_for("AccountView.password"))
