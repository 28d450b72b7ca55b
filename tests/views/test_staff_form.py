"""The add/edit person forms: typed values survive a refusal, sensible defaults, only usable fields."""
from __future__ import annotations

import html
import re

from sqlalchemy import func, select

from app.domain.text import fold
from tests.conftest import flashes

OWN_UNIT = "UBND phường Cống Vị"


def _unit(session, name=OWN_UNIT):
    from app.models import OrgUnit

    return session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(name)))


def _input_value(body, name):
    m = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert m, f"no input {name}"
    v = re.search(r'value="([^"]*)"', m.group(0))
    return html.unescape(v.group(1)) if v else ""


def _selected(body, name):
    m = re.search(rf'(?s)<select[^>]*name="{name}"[^>]*>(.*?)</select>', body)
    assert m, f"no select {name}"
    return re.findall(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', m.group(1))


def _selected_values(body, name):
    return [a or b for a, b in _selected(body, name)]


def test_a_refused_add_keeps_what_was_typed(app, demo, ctx):
    from app.models import Staff

    client = app.test_client()
    demo.login(client, "admin")
    own = _unit(ctx)
    taken = ctx.scalar(select(Staff.username).where(Staff.unit_id == own.id))
    count = ctx.scalar(select(func.count(Staff.id)))
    resp = client.post("/staff/add", data={
        "full_name": "Nguyễn Văn Mới", "username": taken, "position": "Chuyên viên chính", "phone": "0912345678",
        "contact_email": "moi@hanoi.gov.vn", "unit": own.id, "eval_role": "synthesis",
    })
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200  # the form again, not a redirect that loses it
    assert "đã có người dùng" in " ".join(flashes(body))
    assert _input_value(body, "full_name") == "Nguyễn Văn Mới"
    assert _input_value(body, "position") == "Chuyên viên chính"
    assert _input_value(body, "phone") == "0912345678"
    assert _input_value(body, "contact_email") == "moi@hanoi.gov.vn"
    assert _selected_values(body, "unit") == [str(own.id)]
    assert _selected_values(body, "eval_role") == ["synthesis"]
    ctx.expire_all()
    assert ctx.scalar(select(func.count(Staff.id))) == count


def test_a_refused_edit_keeps_what_was_typed(app, demo, ctx):
    from app.models import Staff

    client = app.test_client()
    me = demo.login(client, "unit_admin")
    person = ctx.get(Staff, me["id"])
    resp = client.post(f"/staff/edit/{person.id}", data={
        "full_name": person.full_name, "position": "Chức vụ vừa gõ", "unit": person.unit_id, "eval_role": "leader",
        "is_unit_admin": "y",
    })
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "không thể tự thay đổi" in body
    assert _input_value(body, "position") == "Chức vụ vừa gõ"
    ctx.expire_all()
    assert ctx.get(Staff, person.id).position != "Chức vụ vừa gõ"


def test_add_form_defaults_to_the_staff_role_and_the_only_unit(app, demo, ctx):
    unit_admin = app.test_client()
    demo.login(unit_admin, "unit_admin")
    body = unit_admin.get("/staff/add").get_data(as_text=True)
    assert _selected_values(body, "eval_role") == ["staff"]
    assert _selected_values(body, "unit") == [str(_unit(ctx).id)]
    admin = app.test_client()
    demo.login(admin, "admin")
    body = admin.get("/staff/add").get_data(as_text=True)
    assert _selected_values(body, "eval_role") == ["staff"]
    assert _selected_values(body, "unit") in ([], ["__None"])  # many units: the admin chooses


def test_fields_a_person_cannot_use_are_not_shown(app, demo, ctx):
    from app.models import Staff

    unit_admin = app.test_client()
    me = demo.login(unit_admin, "unit_admin")
    other = ctx.scalar(select(Staff).where(Staff.unit_id == me["unit_id"], Staff.id != me["id"]))
    for url in ("/staff/add", f"/staff/edit/{other.id}"):
        body = unit_admin.get(url).get_data(as_text=True)
        assert 'name="managed_block"' not in body and "Quản trị khối" not in body, url
        assert 'name="full_name"' in body
    admin = app.test_client()
    demo.login(admin, "admin")
    assert 'name="managed_block"' in admin.get("/staff/add").get_data(as_text=True)


def test_a_hidden_field_keeps_its_value_whatever_is_posted(app, demo, ctx):
    from app.models import Staff

    client = app.test_client()
    me = demo.login(client, "unit_admin")
    other = ctx.scalar(select(Staff).where(Staff.unit_id == me["unit_id"], Staff.id != me["id"], Staff.eval_role == "staff",
                                           Staff.managed_block_id.is_(None), Staff.is_unit_admin.is_(False)))
    block_id = _unit(ctx).block_id
    resp = client.post(f"/staff/edit/{other.id}", data={
        "full_name": other.full_name, "position": "Chuyên viên", "unit": other.unit_id, "eval_role": "staff",
        "managed_block": block_id,
    }, follow_redirects=True)
    assert resp.status_code == 200
    ctx.expire_all()
    saved = ctx.get(Staff, other.id)
    assert saved.position == "Chuyên viên" and saved.managed_block_id is None
