"""The person's own account: change password (forced after a new or reset password)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_login import current_user, logout_user

from app.domain.accounts import days_left, password_rules_text
from app.domain.errors import DomainError
from app.extensions import db
from app.security.lifecycle import current_session
from app.services import accounts as account_service
from app.services import clock, uow


class AccountView(BaseView):
    route_base = "/account"
    class_permission_name = "Account"
    default_view = "password"
    method_permission_name = {"password": "password"}

    @expose("/password", methods=["GET", "POST"])
    @has_access
    def password(self):
        person = current_user._get_current_object()
        if request.method == "POST":
            try:
                with uow.unit_of_work(db.session):
                    account_service.change_password(
                        db.session, person, request.form.get("current", ""), request.form.get("new", ""),
                        request.form.get("confirm", ""), keep=current_session(),
                    )
            except DomainError as exc:
                if exc.code == account_service.WRONG_CURRENT:
                    return self._wrong_current(person, exc)
                flash(str(exc), "danger")
                return redirect(url_for(".password"))
            flash("Đã đổi mật khẩu.", "success")  # this session goes on; every other one has ended
            return redirect(url_for("HomeView.index"))
        due = account_service.state_of(person).password_due if person.must_change_password else None
        return self.render_template(
            "account/password.html",
            rules=password_rules_text(account_service.policy()),
            forced=bool(person.must_change_password),
            due=due,
            left=days_left(due, clock.now()) if due else None,
        )

    def _wrong_current(self, person, exc: DomainError):
        """A wrong current password counts like a wrong sign-in: a stolen session cannot guess it for long."""
        with uow.unit_of_work(db.session):
            warning = account_service.count_wrong_current_password(db.session, person, request.remote_addr)
        if not person.active:  # that was the last try: the account is locked and signed out everywhere
            logout_user()
            flash(warning, "danger")
            return redirect(url_for(f"{type(self.appbuilder.sm.auth_view).__name__}.login"))
        others = exc.message.replace("Mật khẩu hiện tại không đúng.", "").strip()
        flash(" ".join(part for part in (warning, others) if part), "danger")
        return redirect(url_for(".password"))
