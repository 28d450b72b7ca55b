"""Request guards of the account lifecycle: forced password change, locks found mid-session."""
from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from flask_login import current_user, logout_user

# Endpoints a person who must change their password may still reach.
ALLOWED_WHILE_FORCED = {
    "static",
    "appbuilder.static",
    "AuthDBView.login",
    "AuthDBView.logout",
    "AccountView.password",
}


def install_request_guards(app: Flask) -> None:
    @app.before_request
    def _lifecycle_guard():
        if not current_user.is_authenticated or not getattr(current_user, "must_change_password", False):
            return None
        from app.extensions import db
        from app.services import accounts
        from app.services.uow import unit_of_work

        with unit_of_work(db.session):
            decision = accounts.check_session(db.session, current_user._get_current_object())
        if not decision.allowed:
            logout_user()
            flash(decision.message, "danger")
            return redirect(url_for("AuthDBView.login"))
        if request.endpoint in ALLOWED_WHILE_FORCED or request.endpoint is None:
            return None
        return redirect(url_for("AccountView.password"))
