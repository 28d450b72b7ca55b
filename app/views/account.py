"""The person's own account: change password (forced after a new or reset password)."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_login import current_user, login_user

from app.domain.accounts import days_left, password_rules_text
from app.extensions import db
from app.domain.errors import DomainError
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
                        request.form.get("confirm", ""),
                    )
            except DomainError as exc:
                flash(str(exc), "danger")
                return redirect(url_for(".password"))
            login_user(person)  # the new session version: other sessions end, this one goes on
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("HomeView.index"))
        due = person.password_change_due if person.must_change_password else None
        return self.render_template(
            "account/password.html",
            rules=password_rules_text(account_service.policy()),
            forced=bool(person.must_change_password),
            due=due,
            left=days_left(due, clock.now()) if due else None,
        )
