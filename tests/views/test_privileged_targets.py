"""Holders of Admin and block admins are changed by the district admin only, whatever the path.

Two block admins of the demo sit in Phòng Nội vụ: that unit's admin sees them in the list, and every screen
path (edit, delete, reset, lock) must still refuse to touch them.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.text import fold
from tests.views.test_bad_input import _staff_form

HOME = "Phòng Nội vụ"


def _holder(session):
    from app.models import OrgUnit, Staff

    unit = session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(HOME)))
    return session.scalar(select(Staff).where(Staff.unit_id == unit.id, Staff.managed_block_id.isnot(None)).order_by(Staff.id))


def _state(session, pid):
    from app.models import Staff

    session.expire_all()
    p = session.get(Staff, pid)
    return (p.full_name, p.position, p.unit_id, p.managed_block_id, p.password, p.active, p.lock_reason,
            p.session_version, sorted(r.name for r in p.roles))


PATHS = {
    "edit": lambda c, p: c.post(f"/staff/edit/{p.id}", data=_staff_form(p, position="Đã bị sửa", managed_block="")),
    "delete": lambda c, p: c.post(f"/staff/delete/{p.id}"),
    "reset_password": lambda c, p: c.post(f"/staff/action/reset_password/{p.id}"),
    "lock": lambda c, p: c.post(f"/staff/action/lock/{p.id}"),
    "reset_password_bulk": lambda c, p: c.post("/staff/action_post", data={"action": "reset_password", "rowid": [p.id]}),
}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_unit_admin_never_changes_a_block_admin_of_the_unit(app, demo, ctx, path):
    holder = _holder(ctx)
    client = app.test_client()
    demo.login(client, "unit_admin", HOME)
    assert holder.username in client.get("/staff/list/?psize_StaffView=1000").get_data(as_text=True)  # in reach
    before = _state(ctx, holder.id)
    resp = PATHS[path](client, holder)
    assert resp.status_code in (200, 302, 403, 404)
    assert _state(ctx, holder.id) == before


def test_the_district_admin_may(app, demo, ctx):
    holder = _holder(ctx)
    client = app.test_client()
    demo.login(client, "admin")
    before = _state(ctx, holder.id)
    PATHS["lock"](client, holder)
    assert _state(ctx, holder.id)[6] is not None and _state(ctx, holder.id) != before
