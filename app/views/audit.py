"""The audit log screen: read-only, scoped like everything else, filterable and exportable."""
from __future__ import annotations

import io

from flask import send_file
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args
from wtforms import SelectField

from app.domain.audit import ACTION_LABELS, CLI_ADDRESS
from app.excel.writer import table_bytes
from app.models import AuditEvent
from app.security.scope import AuditScopeFilter, org_scope_filter
from app.views.base import ScopedModelView, or_blank
from app.views.search import AppInterface

EXPORT_LIMIT = 200_000
LABELS = {
    "at": "Thời điểm",
    "actor_name": "Người thực hiện",
    "actor_display": "Người thực hiện",
    "action": "Hành động",
    "action_label": "Hành động",
    "target_label": "Đối tượng",
    "unit": "Đơn vị",
    "ip": "Địa chỉ IP",
    "detail": "Chi tiết",
}


class AuditLogView(ScopedModelView):
    datamodel = AppInterface(AuditEvent)
    class_permission_name = "AuditLog"
    route_base = "/audit"
    base_permissions = ["can_list", "can_show", "can_export"]
    method_permission_name = {"export": "export"}
    list_template = "audit/list.html"
    list_title = show_title = "Nhật ký hệ thống"
    base_filters = [["id", AuditScopeFilter, None]]
    base_order = ("at", "desc")
    list_columns = ["at", "actor_display", "action_label", "target_label", "unit", "ip"]
    show_columns = ["at", "actor_display", "action_label", "target_label", "unit", "ip", "detail"]
    search_columns = ["at", "actor_name", "action", "target_label", "unit", "ip"]
    order_columns = ["at", "actor_name", "action", "target_label", "ip"]
    label_columns = LABELS
    formatters_columns = {"ip": lambda ip: "dòng lệnh" if ip == CLI_ADDRESS else or_blank(ip)}
    search_form_query_rel_fields = {"unit": [["id", org_scope_filter("unit"), None]]}
    # Search by action among the labels people read, not by code.
    search_form_extra_fields = {
        "action": SelectField("Hành động", choices=sorted(((c, l) for c, l in ACTION_LABELS.items()), key=lambda x: x[1]),
                              widget=Select2Widget()),
    }

    @expose("/export")
    @has_access
    def export(self):
        """The events in scope matching the list's current filters, as an Excel sheet."""
        get_filter_args(self._filters)
        filters = self._filters.get_joined_filters(self._base_filters)
        _count, items = self.datamodel.query(filters, "at", "desc", page=0, page_size=EXPORT_LIMIT)
        columns = ("at", "actor_display", "action_label", "target_label", "unit", "ip", "detail")
        rows = ((e.at, e.actor_display, e.action_label, e.target_label, e.unit.name if e.unit else None, e.ip, e.detail)
                for e in items)
        # Labels and details hold what people typed (names, sheet cells): the safe writer keeps "=…" as text.
        data = table_bytes("Nhật ký", [LABELS[c] for c in columns], rows, widths=(17, 28, 24, 40, 28, 16, 60))
        return send_file(io.BytesIO(data), as_attachment=True, download_name="nhat_ky.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
