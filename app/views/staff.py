"""Screens for people: declarations; rules live in services.staff."""
from __future__ import annotations

from flask import flash, g, redirect, url_for
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import Select2Widget
from markupsafe import Markup, escape
from flask_babel import LazyString
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional
from app.domain.root import current as root
from app.settings import settings

from app.domain.roles import EVAL_ROLES
from app.models import Staff
from app.security.scope import ActiveUnitFilter, StaffScopeFilter, org_scope_filter
from app.domain.errors import DomainError
from app.services import accounts as account_service
from app.services import uow
from app.services import staff as staff_service
from app.views.mau01 import store_credentials
from app.views.base import ScopedModelView, ScopedReadApi, or_blank, yes_mark, yes_no
from app.views.search import AppInterface

STAFF_LABELS = {
    "full_name": "Họ và tên",
    "username": "Tài khoản",
    "position": "Chức vụ",
    "phone": "SĐT liên hệ",
    "contact_email": "Email",
    "unit": "Đơn vị",
    "department": "Phòng, ban",
    "eval_role": "Vai trò",
    "eval_role_label": "Vai trò",
    "is_unit_admin": "Là quản trị đơn vị",
    "managed_block": "Quản trị khối",
    "reviewer": "Lãnh đạo phụ trách nhận xét",
    "evaluator": "Lãnh đạo đánh giá",
    "active": "Đang hoạt động",
    "roles": "Quyền",
    "last_login": "Đăng nhập lần cuối",
    "must_change_password": "Phải đổi mật khẩu",
    "password_change_due": "Hạn đổi mật khẩu",
    "lock_reason": "Lý do khóa",
    "created_on": "Ngày tạo",
}

ROLE_CHOICES = [(r.code, r.mau01_text) for r in EVAL_ROLES]
FORM_COLUMNS = [
    "full_name", "username", "position", "phone", "contact_email", "unit", "department", "eval_role",
    "is_unit_admin", "reviewer", "evaluator", "managed_block",
]


class StaffView(ScopedModelView):
    datamodel = AppInterface(Staff)
    class_permission_name = "Staff"
    route_base = "/staff"
    list_title = "Danh sách cán bộ, công chức"
    show_title = "Thông tin cán bộ"
    add_title = "Thêm cán bộ"
    edit_title = "Sửa thông tin cán bộ"
    label_columns = STAFF_LABELS
    base_filters = [["id", StaffScopeFilter, None]]
    base_order = ("name_key", "asc")
    list_columns = ["full_name", "username", "position", "unit", "department", "eval_role_label", "is_unit_admin", "active"]
    show_columns = [
        "full_name", "username", "position", "phone", "contact_email", "unit", "department", "eval_role_label",
        "is_unit_admin", "managed_block", "reviewer", "evaluator", "roles", "active", "must_change_password",
        "password_change_due", "lock_reason", "last_login", "created_on",
    ]
    add_columns = FORM_COLUMNS
    formatters_columns = {
        "is_unit_admin": yes_mark, "active": yes_no, "must_change_password": yes_no,
        **{c: or_blank for c in ("department", "position", "phone", "contact_email", "managed_block", "reviewer",
                                 "evaluator", "lock_reason", "password_change_due", "last_login", "unit")},
    }
    edit_columns = [c for c in FORM_COLUMNS if c != "username"]
    search_columns = ["full_name", "username", "position", "phone", "unit", "department", "eval_role", "is_unit_admin", "active"]
    order_columns = ["full_name", "username", "position", "last_login"]
    description_columns = {
        "username": LazyString(lambda: "Để trống để tạo theo quy định: họ tên không dấu, viết liền, chữ thường, "
                               f"thêm _{settings().account_suffix}."),
        "managed_block": LazyString(lambda: f"Chỉ {root().admin} cấp quyền quản trị khối."),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "eval_role": SelectField("Vai trò", choices=ROLE_CHOICES, default="staff", widget=Select2Widget()),
        # FAB makes a non-null boolean "required", which an unticked box can never satisfy.
        "is_unit_admin": BooleanField("Là quản trị đơn vị"),
        "full_name": StringField("Họ và tên", validators=[DataRequired(), Length(max=255)]),
        "username": StringField("Tài khoản", validators=[Optional(), Length(max=128)]),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "unit": [["id", org_scope_filter("unit", manage=True), None], ["id", ActiveUnitFilter, None]],
        "department": [["id", org_scope_filter("department", manage=True), None]],
        "reviewer": [["id", StaffScopeFilter, None]],
        "evaluator": [["id", StaffScopeFilter, None]],
        "managed_block": [["id", org_scope_filter("block", manage=True), None]],
    }
    search_form_query_rel_fields = {
        "unit": [["id", org_scope_filter("unit"), None]],
        "department": [["id", org_scope_filter("department"), None]],
    }

    preselect_single_choice = ("unit",)

    def hidden_columns(self):
        # Only the district admin grants block administration (services.staff refuses it to others).
        return [] if self.actor().is_admin else ["managed_block"]

    method_permission_name = {"reset_password": "reset_password", "lock": "lock"}

    @action("reset_password", "Cấp lại mật khẩu", "Cấp lại mật khẩu (và mở khóa) cho những người đã chọn?", "fa-key")
    def reset_password(self, items):
        items = items if isinstance(items, list) else [items]
        issued = []
        try:
            with uow.unit_of_work(self.session):
                for person in items:
                    try:
                        password = account_service.reset_password(self.session, person, self.actor(), self.actor_user())
                    except DomainError as exc:
                        exc.message = f"{person.display_name}: {exc.message}"
                        raise
                    issued.append({"full_name": person.display_name, "unit": person.unit.name if person.unit else "",
                                   "username": person.username, "password": password})
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(self.get_redirect())
        if len(issued) == 1:
            return self._show_issued("Đã cấp lại mật khẩu", issued)
        else:
            token = store_credentials(issued, source="reset")
            flash(
                Markup('Đã cấp lại mật khẩu cho {} người. <a href="{}">Tải bảng mật khẩu (một lần)</a>.').format(
                    len(issued), url_for("Mau01View.credentials", token=token)
                ),
                "info",
            )
        return redirect(self.get_redirect())

    @action("lock", "Khóa tài khoản", "Khóa tài khoản của những người đã chọn? Chỉ cấp lại mật khẩu mới mở khóa.", "fa-lock")
    def lock(self, items):
        items = items if isinstance(items, list) else [items]
        try:
            with uow.unit_of_work(self.session):
                for person in items:
                    try:
                        account_service.lock_account(self.session, person, self.actor(), self.actor_user())
                    except DomainError as exc:
                        exc.message = f"{person.display_name}: {exc.message}"
                        raise
        except DomainError as exc:
            flash(exc.message, "danger")
            return redirect(self.get_redirect())
        flash(f"Đã khóa {len(items)} tài khoản.", "success")
        return redirect(self.get_redirect())

    def _show_issued(self, title: str, accounts: list[dict]):
        """A one-time password is shown on the page that issued it, never flashed: a flash travels in the
        session cookie, which is signed but readable."""
        return self.render_template(
            "staff/password_issued.html", title=title, accounts=accounts, back=self.get_redirect(),
            lead=f"{len(accounts)} tài khoản đã có mật khẩu dùng một lần mới.",
            days=account_service.policy().change_within_days,
        )

    # The one-time password of a new account lives in this request's ``g``, never on the view: one view
    # object serves every request and thread.
    def pre_add(self, item):
        g.new_password = self.guard(staff_service.prepare, item, self.actor(), self.actor_user())

    def post_add(self, item):
        password = g.pop("new_password", None)
        if password:
            g.issued_accounts = [{"full_name": item.display_name, "username": item.username, "password": password}]

    def post_add_redirect(self):
        issued = g.pop("issued_accounts", None)
        if issued:
            return self._show_issued("Đã tạo tài khoản", issued)
        return super().post_add_redirect()

    def pre_update(self, item):
        self.guard(staff_service.prepare, item, self.actor(), self.actor_user())

    def pre_delete(self, item):
        self.guard(staff_service.check_delete, item, self.actor(), self.actor_user())


class StaffApi(ScopedReadApi):
    resource_name = "staff"
    datamodel = AppInterface(Staff)
    class_permission_name = "StaffApi"
    base_filters = [["id", StaffScopeFilter, None]]
    list_columns = ["id", "username", "full_name", "position", "phone", "contact_email", "unit_id", "department_id",
                    "eval_role", "is_unit_admin", "reviewer_id", "evaluator_id", "active"]
    show_columns = list_columns
    search_columns = ["full_name", "username", "unit_id", "eval_role"]
    order_columns = ["full_name", "username"]

