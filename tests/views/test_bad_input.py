"""Bad input through the screens: a clear Vietnamese message, and nothing changed."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from app.domain.text import fold
from tests.conftest import flashes

OWN_UNIT = "UBND phường Cống Vị"
OTHER_UNIT = "UBND phường Kim Mã"


def _unit(session, name):
    from app.models import OrgUnit

    return session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(name)))


def _staff_form(person, **changes):
    data = {
        "full_name": person.full_name,
        "position": person.position or "",
        "phone": person.phone or "",
        "contact_email": person.contact_email or "",
        "unit": person.unit_id,
        "department": person.department_id or "",
        "eval_role": person.eval_role or "staff",
        "reviewer": person.reviewer_id or "",
        "evaluator": person.evaluator_id or "",
        "managed_block": person.managed_block_id or "",
    }
    if person.is_unit_admin:
        data["is_unit_admin"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _snapshot(session, person_id):
    from app.models import Staff

    session.expire_all()
    p = session.get(Staff, person_id)
    return (p.full_name, p.unit_id, p.department_id, p.eval_role, p.is_unit_admin, p.managed_block_id,
            sorted(r.name for r in p.roles))


def test_delete_unit_with_staff_is_refused(app, demo, ctx):
    from app.models import OrgUnit

    client = app.test_client()
    demo.login(client, "admin")
    unit = _unit(ctx, OTHER_UNIT)
    before = ctx.scalar(select(func.count(OrgUnit.id)))
    body = client.post(f"/units/delete/{unit.id}", follow_redirects=True).get_data(as_text=True)
    assert "Không thể xóa" in body and "còn" in body and "người" in body
    ctx.expire_all()
    assert ctx.scalar(select(func.count(OrgUnit.id))) == before


def test_department_of_another_unit_is_refused(app, demo, ctx):
    from app.models import OrgUnit, Staff

    client = app.test_client()
    demo.login(client, "admin")
    own, other = _unit(ctx, OWN_UNIT), _unit(ctx, OTHER_UNIT)
    foreign_dept = ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "department", OrgUnit.unit_id == other.id))
    person = ctx.scalar(select(Staff).where(Staff.unit_id == own.id, Staff.eval_role == "staff"))
    before = _snapshot(ctx, person.id)
    body = client.post(f"/staff/edit/{person.id}", data=_staff_form(person, department=foreign_dept.id), follow_redirects=True).get_data(as_text=True)
    assert "không thuộc đơn vị" in " ".join(flashes(body)), flashes(body)
    assert _snapshot(ctx, person.id) == before


def test_duplicate_username_is_refused(app, demo, ctx):
    from app.models import Staff

    client = app.test_client()
    demo.login(client, "admin")
    own = _unit(ctx, OWN_UNIT)
    taken = ctx.scalar(select(Staff.username).where(Staff.unit_id == own.id))
    count = ctx.scalar(select(func.count(Staff.id)))
    body = client.post("/staff/add", data={"full_name": "Nguyễn Văn Mới", "username": taken, "unit": own.id, "eval_role": "staff"},
                       follow_redirects=True).get_data(as_text=True)
    assert "đã có người dùng" in " ".join(flashes(body)), flashes(body)
    ctx.expire_all()
    assert ctx.scalar(select(func.count(Staff.id))) == count


def test_cycle_in_the_tree_is_refused(app, demo, ctx):
    from app.models import OrgUnit

    client = app.test_client()
    demo.login(client, "admin")
    unit = _unit(ctx, OWN_UNIT)
    parent_dept = ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "department", OrgUnit.unit_id == unit.id))
    child = OrgUnit(name="Tổ con", name_key=fold("Tổ con"), kind="department", parent_id=parent_dept.id, unit_id=unit.id, block_id=unit.block_id)
    ctx.add(child)
    ctx.commit()
    body = client.post(f"/departments/edit/{parent_dept.id}", data={"name": parent_dept.name, "parent": child.id},
                       follow_redirects=True).get_data(as_text=True)
    assert "bên trong chính nó" in body
    ctx.expire_all()
    assert ctx.get(OrgUnit, parent_dept.id).parent_id == unit.id


def test_admin_creates_a_person_with_a_generated_username_and_one_time_password(app, demo, ctx):
    from app.models import Staff

    client = app.test_client()
    demo.login(client, "admin")
    own = _unit(ctx, OWN_UNIT)
    resp = client.post("/staff/add", data={"full_name": "  Đặng   Thị  Ánh ", "unit": own.id, "eval_role": "staff", "phone": "912345678"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Đã tạo tài khoản" in body and "dangthianh_badinh" in body
    password = re.search(r"<code>([^<]+)</code>", body).group(1)
    assert password not in " ".join(resp.headers.getlist("Set-Cookie"))  # never flashed through the cookie
    ctx.expire_all()
    person = ctx.scalar(select(Staff).where(Staff.full_name == "Đặng Thị Ánh"))
    assert person.username == "dangthianh_badinh"
    assert person.phone == "0912345678"
    assert person.must_change_password and person.password_change_due is not None
    assert {r.name for r in person.roles} == {"staff"}


class TestUnitAdminLimits:
    def _login(self, app, demo):
        client = app.test_client()
        me = demo.login(client, "unit_admin", OWN_UNIT)
        return client, me

    def test_cannot_move_a_person_to_another_unit(self, app, demo, ctx):
        from app.models import Staff

        client, me = self._login(app, demo)
        person = ctx.scalar(select(Staff).where(Staff.unit_id == me["unit_id"], Staff.id != me["id"], Staff.eval_role == "staff"))
        before = _snapshot(ctx, person.id)
        resp = client.post(f"/staff/edit/{person.id}", data=_staff_form(person, unit=_unit(ctx, OTHER_UNIT).id), follow_redirects=True)
        assert resp.status_code == 200
        assert "Lựa chọn không hợp lệ" in resp.get_data(as_text=True) or "ngoài phạm vi" in resp.get_data(as_text=True)
        assert _snapshot(ctx, person.id) == before

    def test_cannot_grant_block_admin(self, app, demo, ctx):
        from app.models import Staff

        client, me = self._login(app, demo)
        person = ctx.scalar(select(Staff).where(Staff.unit_id == me["unit_id"], Staff.id != me["id"], Staff.eval_role == "staff"))
        before = _snapshot(ctx, person.id)
        own = _unit(ctx, OWN_UNIT)
        client.post(f"/staff/edit/{person.id}", data=_staff_form(person, managed_block=own.block_id), follow_redirects=True)
        assert _snapshot(ctx, person.id) == before

    def test_cannot_edit_themself_into_more_rights(self, app, demo, ctx):
        from app.models import Staff

        client, me = self._login(app, demo)
        person = ctx.get(Staff, me["id"])
        before = _snapshot(ctx, person.id)
        body = client.post(f"/staff/edit/{person.id}", data=_staff_form(person, eval_role="leader"), follow_redirects=True).get_data(as_text=True)
        assert "không thể tự thay đổi" in body
        assert _snapshot(ctx, person.id) == before

    def test_cannot_touch_a_block_admin_in_their_unit(self, app, demo, ctx):
        """The block admin of the government block sits in Phòng Nội vụ; that unit's admin can't edit them."""
        from app.models import Staff

        client = app.test_client()
        me = demo.login(client, "unit_admin", "Phòng Nội vụ")
        target = ctx.scalar(select(Staff).where(Staff.unit_id == me["unit_id"], Staff.managed_block_id.isnot(None)))
        before = _snapshot(ctx, target.id)
        body = client.post(f"/staff/edit/{target.id}", data=_staff_form(target, full_name="Đổi Tên"), follow_redirects=True).get_data(as_text=True)
        assert "Chỉ quản trị cấp quận" in body
        assert _snapshot(ctx, target.id) == before
        client.post(f"/staff/delete/{target.id}", follow_redirects=True)
        assert _snapshot(ctx, target.id) == before

    def test_can_edit_own_unit_person(self, app, demo, ctx):
        from app.models import AuditEvent, Staff

        client, me = self._login(app, demo)
        person = ctx.scalar(select(Staff).where(Staff.unit_id == me["unit_id"], Staff.id != me["id"], Staff.eval_role == "staff"))
        body = client.post(f"/staff/edit/{person.id}", data=_staff_form(person, position="Chuyên viên chính"), follow_redirects=True).get_data(as_text=True)
        ctx.expire_all()
        assert ctx.get(Staff, person.id).position == "Chuyên viên chính", body[:3000]
        assert ctx.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "user_updated", AuditEvent.target_id == person.id)) == 1


def test_admin_grants_and_withdraws_block_admin(app, demo, ctx):
    from app.models import Staff

    client = app.test_client()
    demo.login(client, "admin")
    own = _unit(ctx, OWN_UNIT)
    person = ctx.scalar(select(Staff).where(Staff.unit_id == own.id, Staff.eval_role == "staff", Staff.is_unit_admin.is_(False)))
    client.post(f"/staff/edit/{person.id}", data=_staff_form(person, managed_block=own.block_id), follow_redirects=True)
    assert "block_admin" in _snapshot(ctx, person.id)[-1]
    person = ctx.get(Staff, person.id)
    client.post(f"/staff/edit/{person.id}", data=_staff_form(person, managed_block=""), follow_redirects=True)
    snap = _snapshot(ctx, person.id)
    assert snap[5] is None and "block_admin" not in snap[-1]


def test_unit_admin_renames_own_department_and_block_admin_moves_a_unit_within_the_block(app, demo, ctx):
    from app.models import OrgUnit

    client = app.test_client()
    demo.login(client, "unit_admin")
    own = _unit(ctx, OWN_UNIT)
    dept = ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "department", OrgUnit.unit_id == own.id))
    body = client.post(f"/departments/edit/{dept.id}", data={"name": "Bộ phận Một cửa", "parent": own.id},
                       follow_redirects=True).get_data(as_text=True)
    ctx.expire_all()
    assert ctx.get(OrgUnit, dept.id).name == "Bộ phận Một cửa", flashes(body)

    block_admin = app.test_client()
    demo.login(block_admin, "block_admin", "Khối xã, phường")
    other = _unit(ctx, OTHER_UNIT)
    body = block_admin.post(f"/units/edit/{other.id}", data={"name": "UBND phường Kim Mã (mới)", "parent": other.block_id, "unit_type": "Đơn vị hành chính"},
                            follow_redirects=True).get_data(as_text=True)
    ctx.expire_all()
    assert ctx.get(OrgUnit, other.id).name == "UBND phường Kim Mã (mới)", flashes(body)
