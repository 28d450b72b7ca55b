"""What the screens call things: audit actions and actors, role labels, people counts."""
from __future__ import annotations

import html

from sqlalchemy import func, select

from app.domain.roles import EVAL_ROLES
from app.domain.text import fold

OWN_UNIT = "UBND phường Cống Vị"


def _unit(session, name=OWN_UNIT):
    from app.models import OrgUnit

    return session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(name)))


def test_a_department_creation_is_logged_as_one(app, demo, ctx):
    client = app.test_client()
    demo.login(client, "admin")
    unit = _unit(ctx)
    client.post("/departments/add", data={"name": "Tổ Một cửa mới", "parent": unit.id}, follow_redirects=True)
    body = html.unescape(client.get("/audit/list/?_flt_0_target_label=Một cửa mới").get_data(as_text=True))
    assert "Tạo phòng ban" in body and "Tạo đơn vị" not in body
    from app.models import OrgUnit

    dept = ctx.scalar(select(OrgUnit).where(OrgUnit.name == "Tổ Một cửa mới"))
    client.post(f"/departments/delete/{dept.id}", follow_redirects=True)
    body = html.unescape(client.get("/audit/list/?_flt_0_target_label=Một cửa mới").get_data(as_text=True))
    assert "Xóa phòng ban" in body


def test_what_a_command_did_is_signed_by_the_command_line(app, demo):
    from app.extensions import db
    from app.services import audit

    with app.app_context():  # no request: what the CLI does
        audit.record(db.session, "password_reset", target="CLI-MARKER (x_badinh)")
        db.session.commit()
    client = app.test_client()
    demo.login(client, "admin")
    body = html.unescape(client.get("/audit/list/?_flt_0_target_label=CLI-MARKER").get_data(as_text=True))
    assert "Hệ thống (dòng lệnh)" in body


def test_role_labels_are_the_mau01_texts(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    body = html.unescape(client.get("/staff/list/?psize_StaffView=10000").get_data(as_text=True))
    for role in EVAL_ROLES:
        assert role.mau01_text in body, role.mau01_text
    roles = html.unescape(client.get("/roles-overview/").get_data(as_text=True))
    for role in EVAL_ROLES:
        assert role.mau01_text in roles


def test_roles_page_lists_each_role_what_it_may_do_and_how_many_hold_it(app, demo, ctx):
    from flask_appbuilder.security.sqla.models import Role

    from app.models import Staff

    client = app.test_client()
    demo.login(client, "admin")
    resp = client.get("/roles-overview/")
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200 and "Vai trò và quyền" in body
    assert "Cấp lại mật khẩu (mở khóa)".lower() in body.lower() and "Nhập Mẫu 01" in body
    assert "can_" not in body and "menu_access" not in body  # no raw permission strings
    unit_admins = ctx.scalar(select(func.count(Staff.id)).where(Staff.roles.any(Role.name == "unit_admin"), Staff.active.is_(True)))
    assert f'<td class="text-right">{unit_admins}</td>' in body
    for kind in ("unit_admin", "block_admin", "staff"):
        other = app.test_client()
        demo.login(other, kind, "Khối xã, phường" if kind == "block_admin" else OWN_UNIT)
        assert other.get("/roles-overview/").status_code == 403


def test_units_show_the_actual_headcount_beside_the_declared_one(app, demo, ctx):
    from app.models import Staff

    unit = _unit(ctx)
    unit.declared_headcount = 999
    ctx.commit()
    actual = ctx.scalar(select(func.count(Staff.id)).where(Staff.unit_id == unit.id))
    client = app.test_client()
    demo.login(client, "admin")
    body = client.get(f"/units/show/{unit.id}").get_data(as_text=True)
    assert "Số người hiện có" in body and "999" in body and f">{actual}<" in body.replace(" ", "").replace("\n", "")
