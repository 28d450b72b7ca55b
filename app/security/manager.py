"""The district's security manager: FAB's, with staff accounts, server-side sessions and the sign-in rules
of letter 875-CV/HU.

Every sign-in, on the screens or through the API, goes through ``auth_user_db`` (throttle, password,
locks, change windows) and opens one session row; every request finds its row in one indexed lookup.
"""
from __future__ import annotations

import logging

from flask import flash, g, has_request_context, redirect, request, session as cookie
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_jwt_extended import JWTManager
from flask_login import login_user, logout_user

from app.domain import accounts as account_rules
from app.domain import sessions as session_rules
from app.models import Staff
from app.security import tokens
from app.security.lifecycle import CREDENTIAL_KEYS, current_session
from app.services import accounts, audit, sessions
from app.services.uow import unit_of_work

log = logging.getLogger(__name__)


class DistrictAuthDBView(AuthDBView):
    """FAB's sign-in page on server-side sessions, saying why a sign-in was refused when it may be told."""

    login_template = "account/login.html"

    @property
    def invalid_login_message(self):
        refusal = getattr(g, "login_refusal", None)
        return refusal.message if refusal is not None else accounts.INVALID_LOGIN[1]

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = get_safe_redirect(request.args.get("next", ""))
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash(self.invalid_login_message, "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            self.appbuilder.sm.start_web_session(user)
            return redirect(next_url)
        return self.render_template(
            self.login_template, title=self.title, form=form, appbuilder=self.appbuilder,
            lock_notice=account_rules.sign_in_notice(accounts.policy()),
        )

    @expose("/logout/")
    def logout(self):
        user = self._get_authenticated_user()
        row = current_session()
        if row is not None:
            with unit_of_work(self.appbuilder.sm.session):
                sessions.revoke(self.appbuilder.sm.session, row, "logout")
        cookie.pop(CREDENTIAL_KEYS, None)
        logout_user()
        if user is not None:
            self.appbuilder.sm.on_user_logout(user)
        return redirect(self.appbuilder.get_url_for_index)


class DistrictSecurityManager(SecurityManager):
    user_model = Staff
    authdbview = DistrictAuthDBView
    security_api = tokens.SecurityApi

    # -- sessions ----------------------------------------------------------------------------------
    def create_login_manager(self, app):
        app.config["PERMANENT_SESSION_LIFETIME"] = sessions.lifetime(session_rules.WEB)
        return super().create_login_manager(app)

    def start_web_session(self, user: Staff) -> None:
        """Open a screen session for ``user``: a new row, a fresh cookie that names it."""
        with unit_of_work(self.session):
            row, secret = sessions.open_session(self.session, user, session_rules.WEB)
        cookie.clear()  # nothing of a previous person on this browser survives (credential keys among it)
        login_user(user, remember=False)
        cookie["_user_id"] = sessions.cookie_id(user.id, secret)
        g.auth_session = row

    def load_user(self, pk):
        """The signed-in person of a cookie (or remember cookie): only while its session row stands.

        One query loads the row and the account. Sign-out, a reset, a lock or a password change ends it.
        """
        row, person, refusal = sessions.load_web(self.session, pk)
        if refusal is not None:
            return None
        g.auth_session = row
        return person

    # -- API tokens ---------------------------------------------------------------------------------
    def create_jwt_manager(self, app):
        tokens.configure(app)
        jwt_manager = JWTManager()
        jwt_manager.init_app(app)
        jwt_manager.user_lookup_loader(self.load_user_jwt)
        tokens.install_error_callbacks(jwt_manager)
        return jwt_manager

    def load_user_jwt(self, _jwt_header, jwt_data):
        person, row, refusal = tokens.check(self.session, jwt_data)
        if refusal is not None:
            g.jwt_refusal = refusal
            return None
        g.user = person  # FAB reads g.user for a JWT-authenticated request
        g.auth_session = row
        return person

    # -- sign-in -------------------------------------------------------------------------------------
    def auth_user_db(self, username, password):
        """FAB's password check wrapped in the lifecycle: throttle, locks, change windows.

        Leaves the reason of a refusal that may be told in ``g.login_refusal`` (a DomainError).
        """
        ip = request.remote_addr if has_request_context() else None
        with unit_of_work(self.session):
            throttled = accounts.sign_in_throttle(self.session, ip, username)
        if throttled is not None:
            g.login_refusal = throttled
            return None
        user = super().auth_user_db(username, password)  # FAB commits its own counters
        with unit_of_work(self.session):
            if user is None:
                if username:
                    accounts.record_failed_attempt(self.session, ip, username)
                g.login_refusal = accounts.refusal_message(self.session, username or "", password or "")
                return None
            decision = accounts.check_at_sign_in(self.session, user)
        if not decision.allowed:
            g.login_refusal = account_rules.AccountLockedError(decision.reason)
            return None
        return user

    def on_user_login_failed(self, user) -> None:
        with unit_of_work(self.session):
            accounts.register_failed_login(self.session, user)

    def on_user_logout(self, user) -> None:
        if user is not None and getattr(user, "id", None):
            with unit_of_work(self.session):
                audit.record(self.session, "logout", actor=user, target=user)
