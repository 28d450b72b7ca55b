"""A unit's current people in the Mẫu 01 layout: the staff list round trip.

The export writes what the import reads: "Đơn vị" is the person's department when they sit in one (the
import puts them back there; the unit's own rows settle a department name found in several units), the
unit otherwise; "Vai trò" the drop-down text; the leaders by full name when that name is unique in the
unit, by account otherwise (the import takes either). Re-imported unchanged, every row is "Không đổi".
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.domain.errors import OutOfReach, ValidationError
from app.domain.roles import EVAL_ROLE_BY_CODE
from app.domain.scope import Actor, require_actor
from app.domain.text import fold
from app.excel.mau01 import staff_list_bytes
from app.models import OrgUnit, Staff
from app.security.scope import org_clause


def unit_in_reach(session, actor: Actor, unit_id) -> OrgUnit:
    """The unit, if the actor manages its people; else OutOfReach (the same answer as a missing unit)."""
    require_actor(actor)
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        raise OutOfReach("unit", "Không tìm thấy đơn vị này.", "unit") from None
    unit = session.scalar(select(OrgUnit).where(OrgUnit.id == unit_id, OrgUnit.kind == "unit",
                                                org_clause(actor, "unit", manage=True)))
    if unit is None:
        raise OutOfReach("unit", "Không tìm thấy đơn vị này.", "unit")
    return unit


def find_unit(session, actor: Actor, name: str) -> OrgUnit:
    """The unit of that name (folded) in the actor's reach; a clear message when none or several."""
    key = fold(name or "")
    units = session.scalars(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == key,
                                                  org_clause(actor, "unit", manage=True)).order_by(OrgUnit.id)).all()
    if not units:
        raise ValidationError("unit", f"Không có đơn vị “{name}” trong phạm vi quản lý.", "unit")
    if len(units) > 1:
        raise ValidationError("unit", f"Có {len(units)} đơn vị tên “{name}”; hãy xuất từ màn hình của từng khối.", "unit")
    return units[0]


def people_rows(session, unit: OrgUnit) -> list[dict]:
    """The unit's active people as Mẫu 01 rows, leaders first, then by department and name."""
    people = session.scalars(select(Staff).where(Staff.unit_id == unit.id, Staff.active.is_(True))).all()
    names = Counter(fold(p.full_name or "") for p in people)
    in_unit = {p.id for p in people}
    linked = {p.reviewer_id for p in people} | {p.evaluator_id for p in people}
    others = {s.id: s for s in session.scalars(select(Staff).where(Staff.id.in_([i for i in linked if i and i not in in_unit])))}
    by_id = {p.id: p for p in people} | others

    def ref(person_id):
        target = by_id.get(person_id)
        if target is None:
            return None
        if target.id in in_unit and names[fold(target.full_name or "")] == 1:
            return target.full_name
        return target.username

    order = {"leader": 0, "department_head": 1, "synthesis": 2, "staff": 3}
    people = sorted(people, key=lambda p: (order.get(p.eval_role, 9), p.department.name if p.department else "", fold(p.full_name or ""), p.id))
    rows = []
    for p in people:
        role = EVAL_ROLE_BY_CODE.get(p.eval_role)
        rows.append({
            "full_name": p.full_name, "position": p.position, "account": p.username, "email": p.contact_email,
            "phone": p.phone, "unit": p.department.name if p.department is not None else unit.name,
            "role": role.mau01_text if role else None, "unit_admin": bool(p.is_unit_admin),
            "reviewer": ref(p.reviewer_id) if p.reviewer_id != p.id else None,
            "evaluator": ref(p.evaluator_id) if p.evaluator_id != p.id else None,
        })
    return rows


def export_unit(session, actor: Actor, unit: OrgUnit) -> bytes:
    """The .xlsx of the unit's people (the actor must manage the unit)."""
    unit = unit_in_reach(session, actor, unit.id)
    return staff_list_bytes(unit.name, unit.unit_type, people_rows(session, unit))


def file_name(unit: OrgUnit) -> str:
    import re

    slug = re.sub(r"[^a-z0-9]+", "_", fold(unit.name)).strip("_") or "don_vi"
    return f"Mau01_{slug[:60]}.xlsx"
