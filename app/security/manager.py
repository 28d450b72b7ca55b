"""The district's security manager: FAB's, with staff accounts and sign-in rules."""
from __future__ import annotations

import logging

from flask import g, request
from flask_appbuilder.security.sqla.manager import SecurityManager

from app.models import Staff

log = logging.getLogger(__name__)


class DistrictSecurityManager(SecurityManager):
    user_model = Staff

    def load_user(self, pk):
        """Load the session's user; a session id carries the account's session version.

        Bumping ``Staff.session_version`` (lock, reset) signs the person out everywhere.
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

    def on_user_login(self, user) -> None:
        from app.services import audit

        audit.record(self.session, "login_ok", actor=user, target=user, commit=True)

    def on_user_login_failed(self, user) -> None:
        from app.services import accounts

        accounts.register_failed_login(self.session, user)

    def auth_user_db(self, username, password):
        """FAB's check, plus the reason a known account was refused, for the sign-in page."""
        user = super().auth_user_db(username, password)
        if user is None and username:
            from app.services import accounts

            g.login_refusal = accounts.refusal_message(self.session, username)
        return user

    def on_user_logout(self, user) -> None:
        from app.services import audit

        if user is not None and getattr(user, "id", None):
            audit.record(self.session, "logout", actor=user, target=user, commit=True)
