"""FAB views: declarations only. ``register_views`` adds them to one AppBuilder."""
from __future__ import annotations

from pathlib import Path


def register_views(appbuilder) -> None:
    from app.views.account import AccountView
    from app.views.audit import AuditLogView
    from app.views.mau01 import Mau01View
    from app.views.org import BlockView, DepartmentView, OrgApi, UnitView
    from app.views.roles import RolesView
    from app.views.staff import StaffApi, StaffView

    org, security = "Organisation", "Security"
    appbuilder.add_view(BlockView, "Blocks list", label="Khối", icon="fa-sitemap", category=org,
                        category_label="Tổ chức", category_icon="fa-sitemap")
    appbuilder.add_view(UnitView, "Units list", label="Đơn vị", icon="fa-building", category=org)
    appbuilder.add_view(DepartmentView, "Departments list", label="Phòng, ban", icon="fa-folder-open", category=org)
    appbuilder.add_view(StaffView, "Staff list", label="Cán bộ, công chức", icon="fa-users", category=org)
    appbuilder.add_view(Mau01View, "Mau01 import", label="Nhập Mẫu 01", icon="fa-file-excel-o", category=org)
    from app.views.activation import ActivationView

    appbuilder.add_view(ActivationView, "Activation follow-up", label="Theo dõi triển khai", icon="fa-tasks",
                        category=org)
    from app.views.merge import UnitMergeView

    appbuilder.add_view(UnitMergeView, "Unit merge", label="Gộp đơn vị", icon="fa-compress", category=org)
    appbuilder.add_view(AuditLogView, "Audit log", label="Nhật ký hệ thống", icon="fa-history", category=security,
                        category_label="Bảo mật")
    appbuilder.add_view(RolesView, "Roles overview", label="Vai trò và quyền", icon="fa-id-badge", category=security)
    appbuilder.add_view_no_menu(AccountView)
    from app.views.guides import GuidesView

    appbuilder.add_view_no_menu(GuidesView)
    appbuilder.add_link("User guides", label="Hướng dẫn sử dụng", href="/guides/", icon="fa-book", category="Help",
                        category_label="Trợ giúp")
    appbuilder.add_link("Change password", label="Đổi mật khẩu", href="/account/password", icon="fa-key", category=security)
    appbuilder.add_api(StaffApi)
    appbuilder.add_api(OrgApi)
    register_evaluation_views(appbuilder)
    register_task_views(appbuilder)
    from app.views.synthesis import register as register_synthesis

    register_synthesis(appbuilder)
    install_ui(appbuilder)


def register_evaluation_views(appbuilder) -> None:
    """The monthly evaluation's screens (menu "Đánh giá")."""
    from flask import current_app

    from app.views.evaluation import SheetReviewView, SheetView, install_filters
    from app.views.evaluation_admin import PeriodsView, RuleSetsView

    install_filters(current_app._get_current_object())
    cat = "Evaluation"
    appbuilder.add_view(SheetView, "Sheet inbox", label="Việc cần làm/Phiếu chờ xử lý", href="/sheet/inbox",
                        icon="fa-inbox", category=cat, category_label="Đánh giá", category_icon="fa-check-square-o")
    appbuilder.add_link("Sheet history", label="Phiếu của tôi qua các kỳ", href="/sheet/history", icon="fa-line-chart", category=cat)
    appbuilder.add_view(SheetReviewView, "Sheet review", label="Danh sách phiếu", icon="fa-list", category=cat)
    appbuilder.add_view(PeriodsView, "Period list", label="Kỳ đánh giá", icon="fa-calendar", category=cat)
    appbuilder.add_view(RuleSetsView, "Rule sets", label="Bộ tiêu chí", icon="fa-table", category=cat)


def register_task_views(appbuilder) -> None:
    """Work plans and tasks (issue 9): the screens, under "Công việc"."""
    from app.views.tasks import TaskCatalogueView, TaskView

    work = "Work"
    appbuilder.add_view(TaskView, "My plan", label="Kế hoạch của tôi", icon="fa-tasks", category=work,
                        category_label="Công việc", category_icon="fa-tasks")
    appbuilder.add_link("Plan approvals", label="Kế hoạch chờ phê duyệt", href="/tasks/approvals", icon="fa-check-square-o",
                        category=work)
    appbuilder.add_link("Task follow-up", label="Theo dõi nhiệm vụ", href="/tasks/followup", icon="fa-exclamation-triangle",
                        category=work)
    appbuilder.add_view(TaskCatalogueView, "Task catalogue", label="Danh mục sản phẩm", icon="fa-list", category=work)


def install_ui(appbuilder) -> None:
    """What every page shares: argument checks, Vietnamese error pages, the favicon."""
    from flask import current_app

    from app.views.errors import install_error_pages
    from app.views.params import install_param_guard

    app = current_app._get_current_object()  # register_views runs inside the app context
    from app.extensions import db
    from app.views.search import install_collation

    install_collation(db.engine)
    install_param_guard(app, appbuilder)
    install_error_pages(app)
    icon = (Path(__file__).resolve().parent.parent / "static" / "favicon.ico").read_bytes()

    def favicon():
        """Browsers ask for /favicon.ico on every page that names none (downloads, JSON)."""
        response = app.response_class(icon, mimetype="image/vnd.microsoft.icon")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    app.add_url_rule("/favicon.ico", "favicon", favicon)
    tailor_profile_page(appbuilder)
    from app.views.banners import install_template_helpers

    install_template_helpers(app)  # trial-period filters, the pending banners


PROFILE_FIELDS = ["full_name", "username", "unit", "department", "position", "contact_email", "phone", "roles",
                  "last_login", "password_change_due"]


def tailor_profile_page(appbuilder) -> None:
    """FAB's profile page (navbar → Thông tin tài khoản) in the app's words.

    It showed FAB's first/last name split, the synthetic login e-mail, ``True``, ``None`` and the role
    list as ``[Admin, staff]``. The view stays FAB's (its route and permission are what the navbar
    links to); only what it shows changes.
    """
    from flask_appbuilder.security.views import UserDBModelView

    from app.views.base import shown
    from app.views.staff import STAFF_LABELS

    for view in appbuilder.baseviews:
        if isinstance(view, UserDBModelView):
            view.user_show_fieldsets = [("Thông tin tài khoản", {"fields": PROFILE_FIELDS, "expanded": True})]
            view.show_columns = list(dict.fromkeys(list(view.show_columns) + PROFILE_FIELDS))
            view.label_columns = {**view.label_columns, **STAFF_LABELS}
            view.formatters_columns = {c: shown for c in PROFILE_FIELDS}
            view.user_info_title = "Thông tin tài khoản của bạn"
