"""The audit log screen: read-only, scoped like everything else."""
from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.models import AuditEvent
from app.security.scope import AuditScopeFilter, org_scope_filter
from app.views.base import ScopedModelView


class AuditLogView(ScopedModelView):
    datamodel = SQLAInterface(AuditEvent)
    class_permission_name = "AuditLog"
    route_base = "/audit"
    base_permissions = ["can_list", "can_show"]
    list_title = show_title = "Nhật ký hệ thống"
    base_filters = [["id", AuditScopeFilter, None]]
    base_order = ("at", "desc")
    list_columns = ["at", "actor_name", "action_label", "target_label", "unit", "ip"]
    show_columns = ["at", "actor_name", "action_label", "target_label", "unit", "ip", "detail"]
    search_columns = ["at", "actor_name", "action", "target_label", "unit", "ip"]
    label_columns = {
        "at": "Thời điểm",
        "actor_name": "Người thực hiện",
        "action": "Hành động",
        "action_label": "Hành động",
        "target_label": "Đối tượng",
        "unit": "Đơn vị",
        "ip": "Địa chỉ IP",
        "detail": "Chi tiết",
    }
    search_form_query_rel_fields = {"unit": [["id", org_scope_filter("unit"), None]]}
