"""FAB views: declarations only. ``register_views`` adds them to one AppBuilder."""
from __future__ import annotations


def register_views(appbuilder) -> None:
    from app.views.audit import AuditLogView
    from app.views.org import BlockView, DepartmentView, OrgApi, UnitView
    from app.views.staff import StaffApi, StaffView

    org, org_label = "Organisation", "Tổ chức"
    appbuilder.add_view(BlockView, "Blocks list", label="Khối", icon="fa-sitemap", category=org, category_label=org_label, category_icon="fa-sitemap")
    appbuilder.add_view(UnitView, "Units list", label="Đơn vị", icon="fa-building", category=org)
    appbuilder.add_view(DepartmentView, "Departments list", label="Phòng, ban", icon="fa-folder-open", category=org)
    appbuilder.add_view(StaffView, "Staff list", label="Cán bộ, công chức", icon="fa-users", category=org)
    appbuilder.add_view(AuditLogView, "Audit log", label="Nhật ký hệ thống", icon="fa-history", category="Security", category_label="Bảo mật")
    from app.views.account import AccountView

    appbuilder.add_view_no_menu(AccountView)
    appbuilder.add_link("Change password", label="Đổi mật khẩu", href="/account/password", icon="fa-key", category="Security")
    appbuilder.add_api(StaffApi)
    appbuilder.add_api(OrgApi)
    try:
        from app.views.mau01 import register as register_mau01
    except ImportError:  # the Mẫu 01 screens are optional until their module lands
        register_mau01 = None
    if register_mau01 is not None:
        register_mau01(appbuilder)
