"""The district's security manager: FAB's, with staff accounts and the sign-in rules of letter 875-CV/HU."""
from __future__ import annotations

import logging

from flask import g, has_request_context, request
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView
from flask_babel import lazy_gettext

from app.models import Staff
from app.services import accounts, audit
from app.services.uow import unit_of_work

log = logging.getLogger(__name__)


class DistrictAuthDBView(AuthDBView):
    """FAB's sign-in page, saying why a sign-in was refused when the reason may be told."""

    @property
    def invalid_login_message(self):
        return getattr(g, "login_refusal", None) or lazy_gettext("Invalid login. Please try again.")


class DistrictSecurityManager(SecurityManager):
    user_model = Staff
    authdbview = DistrictAuthDBView

    def load_user(self, pk):
        """Load the session's user; a session id carries the account's session version.

        Bumping ``Staff.session_version`` (lock, reset, password change) signs the person out everywhere.
        """
        user_id, _, version = str(pk).partition(":")
        try:
            user = self.get_user_by_id(int(user_id))
        except (TypeError, ValueError):
            return None
        if user is None or not user.is_active:
            return None
        if version and version != str(user.session_version or 0):
            return None
        return user

    def auth_user_db(self, username, password):
        """FAB's password check wrapped in the lifecycle: address throttle, locks, change windows."""
        ip = request.remote_addr if has_request_context() else None
        blocked = accounts.address_blocked(self.session, ip)
        if blocked:
            g.login_refusal = blocked
            return None
        user = super().auth_user_db(username, password)  # FAB commits its own counters
        with unit_of_work(self.session):
            if user is None:
                accounts.record_failed_attempt(self.session, ip, username)
                g.login_refusal = accounts.refusal_message(self.session, username or "", password or "")
                return None
            decision = accounts.check_at_sign_in(self.session, user)
        if not decision.allowed:
            g.login_refusal = decision.message
            return None
        return user

    def on_user_login_failed(self, user) -> None:
        with unit_of_work(self.session):
            accounts.register_failed_login(self.session, user)

    def on_user_logout(self, user) -> None:
        if user is not None and getattr(user, "id", None):
            with unit_of_work(self.session):
                audit.record(self.session, "logout", actor=user, target=user)
