"""The empty option of a select (``__None``) through the screens: never a NULL that skips the checks.

A form that picks "—" for a person's unit or a node's parent sets the relationship to None while the FK
column still holds the stored id: a check that read ``obj.unit or get(obj.unit_id)`` judged the old value
and the flush then saved NULL (a person nobody but the district sees, a unit outside every block).
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.text import fold
from tests.conftest import flashes
from tests.views.test_bad_input import _snapshot, _staff_form, _unit

OWN_UNIT = "UBND phường Cống Vị"
SAME_BLOCK_UNIT = "UBND phường Kim Mã"
OTHER_BLOCK_UNIT = "Trường Tiểu học Kim Đồng"
OWN_BLOCK = "Khối xã, phường"
EMPTY = "__None"

# who signs in, where, and the unit of the person they edit (in reach)
EDITORS = [("unit_admin", OWN_UNIT, OWN_UNIT), ("block_admin", OWN_BLOCK, SAME_BLOCK_UNIT), ("admin", None, OWN_UNIT)]


def _person(session, unit_name):
    from app.models import Staff

    unit = _unit(session, unit_name)
    return session.scalar(select(Staff).where(Staff.unit_id == unit.id, Staff.eval_role == "staff",
                                              Staff.is_unit_admin.is_(False), Staff.managed_block_id.is_(None))
                          .order_by(Staff.id))


def _login(app, demo, kind, home):
    client = app.test_client()
    if kind == "admin":
        demo.login(client, "admin")
    else:
        demo.login(client, kind, home)
    return client


@pytest.mark.parametrize("kind,home,target_unit", EDITORS, ids=[k for k, _, _ in EDITORS])
def test_empty_unit_of_a_person_is_refused_with_a_field_message(app, demo, ctx, kind, home, target_unit):
    client = _login(app, demo, kind, home)
    person = _person(ctx, target_unit)
    before = _snapshot(ctx, person.id)
    resp = client.post(f"/staff/edit/{person.id}", data=_staff_form(person, unit=EMPTY, full_name="Tên Đã Đổi"),
                       follow_redirects=True)
    assert resp.status_code == 200
    messages = " ".join(flashes(resp.get_data(as_text=True)))
    assert "Hãy chọn đơn vị công tác" in messages, messages
    assert _snapshot(ctx, person.id) == before  # neither NULL nor the other edits of the form


@pytest.mark.parametrize("kind,home", [("unit_admin", OWN_UNIT), ("block_admin", OWN_BLOCK)])
def test_empty_unit_on_a_new_person_is_refused(app, demo, ctx, kind, home):
    from app.models import Staff

    client = _login(app, demo, kind, home)
    resp = client.post("/staff/add", data={"full_name": "Người Không Đơn Vị", "unit": EMPTY, "eval_role": "staff"},
                       follow_redirects=True)
    assert "Hãy chọn đơn vị công tác" in " ".join(flashes(resp.get_data(as_text=True)))
    ctx.expire_all()
    assert ctx.scalar(select(Staff).where(Staff.name_key == fold("Người Không Đơn Vị"))) is None


@pytest.mark.parametrize("kind,home", [("unit_admin", OWN_UNIT), ("block_admin", OWN_BLOCK)])
def test_empty_unit_on_a_person_out_of_reach_changes_nothing(app, demo, ctx, kind, home):
    client = _login(app, demo, kind, home)
    person = _person(ctx, OTHER_BLOCK_UNIT)
    before = _snapshot(ctx, person.id)
    resp = client.post(f"/staff/edit/{person.id}", data=_staff_form(person, unit=EMPTY), follow_redirects=True)
    assert resp.status_code in (403, 404) or "Hãy chọn" in resp.get_data(as_text=True)
    assert _snapshot(ctx, person.id) == before


def test_district_admin_keeps_own_record_without_a_unit(app, demo, ctx):
    """The district's own admin sits at the root: an empty unit is what their record holds, and stays."""
    from app.models import Staff

    client = _login(app, demo, "admin", None)
    admin = ctx.scalar(select(Staff).where(Staff.username == "admin"))
    resp = client.post(f"/staff/edit/{admin.id}", data=_staff_form(admin, unit=EMPTY, position="Chuyên viên chính"),
                       follow_redirects=True)
    ctx.expire_all()
    admin = ctx.get(Staff, admin.id)
    assert admin.position == "Chuyên viên chính", flashes(resp.get_data(as_text=True))
    assert admin.unit_id is None and "Admin" in {r.name for r in admin.roles}


def _node(session, kind, **where):
    from app.models import OrgUnit

    q = select(OrgUnit).where(OrgUnit.kind == kind)
    for k, v in where.items():
        q = q.where(getattr(OrgUnit, k) == v)
    return session.scalar(q.order_by(OrgUnit.id))


def _tree(session, node_id):
    from app.models import OrgUnit

    session.expire_all()
    n = session.get(OrgUnit, node_id)
    return (n.name, n.parent_id, n.block_id, n.unit_id)


@pytest.mark.parametrize("kind,home", [("block_admin", OWN_BLOCK), ("admin", None)])
def test_empty_parent_of_a_unit_is_refused(app, demo, ctx, kind, home):
    client = _login(app, demo, kind, home)
    unit = _unit(ctx, SAME_BLOCK_UNIT)
    before = _tree(ctx, unit.id)
    resp = client.post(f"/units/edit/{unit.id}", data={"name": unit.name + " (sửa)", "parent": EMPTY,
                                                       "unit_type": unit.unit_type or ""}, follow_redirects=True)
    messages = " ".join(flashes(resp.get_data(as_text=True)))
    assert "phải thuộc một khối" in messages, messages
    assert _tree(ctx, unit.id) == before


@pytest.mark.parametrize("kind,home", [("unit_admin", OWN_UNIT), ("block_admin", OWN_BLOCK), ("admin", None)])
def test_empty_parent_of_a_department_is_refused(app, demo, ctx, kind, home):
    unit = _unit(ctx, OWN_UNIT)
    dept = _node(ctx, "department", unit_id=unit.id)
    client = _login(app, demo, kind, home)
    before = _tree(ctx, dept.id)
    resp = client.post(f"/departments/edit/{dept.id}", data={"name": dept.name, "parent": EMPTY}, follow_redirects=True)
    messages = " ".join(flashes(resp.get_data(as_text=True)))
    assert "phải thuộc một đơn vị" in messages, messages
    assert _tree(ctx, dept.id) == before


@pytest.mark.parametrize("kind,home", [("unit_admin", OWN_UNIT), ("block_admin", OWN_BLOCK)])
def test_new_department_without_a_parent_is_refused(app, demo, ctx, kind, home):
    from app.models import OrgUnit

    client = _login(app, demo, kind, home)
    resp = client.post("/departments/add", data={"name": "Tổ Không Nơi", "parent": EMPTY}, follow_redirects=True)
    assert "phải thuộc một đơn vị" in " ".join(flashes(resp.get_data(as_text=True)))
    ctx.expire_all()
    assert ctx.scalar(select(OrgUnit).where(OrgUnit.name_key == fold("Tổ Không Nơi"))) is None


@pytest.mark.parametrize("kind,home", [("unit_admin", OWN_UNIT), ("block_admin", OWN_BLOCK)])
def test_empty_parent_on_a_node_out_of_reach_changes_nothing(app, demo, ctx, kind, home):
    unit = _unit(ctx, OTHER_BLOCK_UNIT)
    dept = _node(ctx, "department", unit_id=unit.id)
    client = _login(app, demo, kind, home)
    for url, node, data in ((f"/units/edit/{unit.id}", unit, {"name": "HACKED", "parent": EMPTY}),
                            (f"/departments/edit/{dept.id}", dept, {"name": "HACKED", "parent": EMPTY})):
        before = _tree(ctx, node.id)
        resp = client.post(url, data=data, follow_redirects=True)
        assert resp.status_code in (200, 403, 404)
        assert _tree(ctx, node.id) == before, url
