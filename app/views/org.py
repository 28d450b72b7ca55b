"""Screens for blocks, units and departments: declarations; rules live in services.org."""
from __future__ import annotations

from flask_appbuilder.fieldwidgets import Select2Widget
from wtforms import SelectField

from app.domain.org import UNIT_TYPES
from app.models import OrgUnit
from app.security.scope import org_scope_filter
from app.services import org as org_service
from app.views.base import ScopedModelView, ScopedReadApi, or_blank
from app.views.search import AppInterface

ORG_LABELS = {
    "name": "Tên",
    "kind_label": "Loại",
    "parent": "Trực thuộc",
    "block": "Khối",
    "unit": "Đơn vị",
    "unit_type": "Loại hình",
    "declared_headcount": "Số người theo Mẫu 01",
    "staff_count": "Số người hiện có",
    "created_on": "Ngày tạo",
    "status_label": "Tình trạng",
}


class _OrgView(ScopedModelView):
    """Common behaviour of the three org screens; ``kind`` says which nodes it shows."""

    kind = ""
    parent_kind = ""
    label_columns = ORG_LABELS
    formatters_columns = {c: or_blank for c in ("parent", "unit", "unit_type", "declared_headcount", "block")}
    search_columns = ["name", "parent"]
    order_columns = ["name", "created_on"]
    base_order = ("name", "asc")
    preselect_single_choice = ("parent",)

    def pre_add(self, item):
        item.kind = self.kind
        self.guard(org_service.save, item, self.actor(), self.actor_user())

    def pre_update(self, item):
        # The service judges the node where it sat (its stored links) and where the form puts it; an empty
        # parent (``__None``) is refused there, with a message on the field.
        self.guard(org_service.save, item, self.actor(), self.actor_user())

    def pre_delete(self, item):
        self.guard(org_service.check_delete, item, self.actor(), self.actor_user())


class BlockView(_OrgView):
    datamodel = AppInterface(OrgUnit)
    class_permission_name = "Blocks"
    route_base = "/blocks"
    kind = "block"
    list_title = show_title = "Khối"
    add_title = "Thêm khối"
    edit_title = "Sửa khối"
    base_filters = [["id", org_scope_filter("block"), None]]
    list_columns = ["name", "created_on"]
    show_columns = ["name", "parent", "created_on"]
    add_columns = edit_columns = ["name"]
    search_columns = ["name"]

    def pre_add(self, item):
        from sqlalchemy import select

        item.parent = self.session.scalar(select(OrgUnit).where(OrgUnit.kind == "district"))
        super().pre_add(item)


class UnitView(_OrgView):
    datamodel = AppInterface(OrgUnit)
    class_permission_name = "Units"
    route_base = "/units"
    kind = "unit"
    list_title = show_title = "Đơn vị"
    add_title = "Thêm đơn vị"
    edit_title = "Sửa đơn vị"
    base_filters = [["id", org_scope_filter("unit"), None]]
    list_columns = ["name", "parent", "unit_type", "declared_headcount", "staff_count", "status_label"]
    show_columns = ["name", "parent", "unit_type", "declared_headcount", "staff_count", "status_label", "created_on"]
    add_columns = edit_columns = ["name", "parent", "unit_type", "declared_headcount"]
    search_columns = ["name", "parent", "unit_type"]
    label_columns = {**ORG_LABELS, "parent": "Khối"}
    add_form_query_rel_fields = edit_form_query_rel_fields = {"parent": [["id", org_scope_filter("block", manage=True), None]]}
    add_form_extra_fields = edit_form_extra_fields = {
        "unit_type": SelectField(
            "Loại hình", choices=[("", "—")] + [(t, t) for t in UNIT_TYPES], widget=Select2Widget()
        )
    }

    def pre_update(self, item):
        item.unit_type = item.unit_type or None
        super().pre_update(item)

    def pre_add(self, item):
        item.unit_type = item.unit_type or None
        super().pre_add(item)


class DepartmentView(_OrgView):
    datamodel = AppInterface(OrgUnit)
    class_permission_name = "Departments"
    route_base = "/departments"
    kind = "department"
    list_title = show_title = "Phòng, ban"
    add_title = "Thêm phòng, ban"
    edit_title = "Sửa phòng, ban"
    base_filters = [["id", org_scope_filter("department"), None]]
    list_columns = ["name", "parent", "unit", "staff_count"]
    show_columns = ["name", "parent", "unit", "staff_count", "created_on"]
    add_columns = edit_columns = ["name", "parent"]
    search_columns = ["name", "unit"]
    label_columns = {**ORG_LABELS, "parent": "Trực thuộc (đơn vị hoặc phòng)"}


def _dept_parent_filter():
    """Departments hang under a unit or department the actor manages."""
    from flask_appbuilder.models.filters import BaseFilter

    from app.security.scope import current_actor, org_clause

    class DeptParentFilter(BaseFilter):
        name = "Trong phạm vi quản lý"

        def apply(self, query, value):
            actor = current_actor()
            return query.filter(
                OrgUnit.kind.in_(("unit", "department")),
                org_clause(actor, "department", manage=True),
            )

    return DeptParentFilter


DepartmentView.add_form_query_rel_fields = DepartmentView.edit_form_query_rel_fields = {
    "parent": [["id", _dept_parent_filter(), None]]
}


class OrgApi(ScopedReadApi):
    resource_name = "org"
    datamodel = AppInterface(OrgUnit)
    class_permission_name = "OrgApi"
    base_filters = [["id", org_scope_filter("unit"), None]]
    list_columns = ["id", "name", "unit_type", "block_id", "declared_headcount"]
    show_columns = list_columns
