"""People and units that have sheets are refused deletion with a message (never a database error)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.errors import ValidationError
from app.models import OrgUnit, Sheet, Staff
from app.services import org as org_service
from app.services import staff as staff_service
from app.services.evaluation import periods as service


def test_a_person_with_sheets_is_not_deleted(ctx, admin):
    service.open_period(ctx, "2026-11", admin)
    sheet = ctx.scalar(select(Sheet).order_by(Sheet.id).limit(1))
    person = ctx.get(Staff, sheet.person_id)
    with pytest.raises(ValidationError) as exc:
        staff_service.check_delete(ctx, person, admin)
    assert exc.value.code == "has_sheets" and "1 phiếu đánh giá" in exc.value.message
    assert "Hãy khóa tài khoản" in exc.value.message


def test_a_person_without_sheets_may_still_be_deleted(ctx, admin):
    person = ctx.scalar(select(Staff).where(Staff.username != "admin", Staff.is_unit_admin.is_(False)).order_by(Staff.id).limit(1))
    staff_service.check_delete(ctx, person, admin)  # no sheet yet: no refusal


def test_a_unit_with_past_sheets_is_not_deleted(ctx, admin):
    service.open_period(ctx, "2026-11", admin)
    unit_id = ctx.scalar(select(Sheet.unit_id).order_by(Sheet.id).limit(1))
    unit = ctx.get(OrgUnit, unit_id)
    # Everybody left the unit (moved away): the sheets stay where they were earned.
    for person in ctx.scalars(select(Staff).where((Staff.unit_id == unit.id) | (Staff.department_id == unit.id))):
        person.unit_id, person.department_id = None, None
    ctx.flush()
    ctx.execute(OrgUnit.__table__.update().where(OrgUnit.parent_id == unit.id).values(parent_id=unit.parent_id))
    with pytest.raises(ValidationError) as exc:
        org_service.check_delete(ctx, unit, admin)
    n = ctx.scalar(select(func.count(Sheet.id)).where((Sheet.unit_id == unit.id) | (Sheet.department_id == unit.id)))
    assert exc.value.code == "has_sheets" and f"còn {n} phiếu đánh giá" in exc.value.message
