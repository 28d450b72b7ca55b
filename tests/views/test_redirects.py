"""After an action or a delete (refused or done), back to the list or record the person was on."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from app.domain.text import fold

OWN_UNIT = "UBND phường Cống Vị"


def _unit(session, name=OWN_UNIT):
    from app.models import OrgUnit

    return session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(name)))


def _where(resp):
    assert resp.status_code == 302, resp.status_code
    parts = urlsplit(resp.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_refused_delete_returns_to_the_filtered_list(app, demo, ctx):
    client = app.test_client()
    demo.login(client, "admin")
    unit = _unit(ctx)
    listing = "/units/list/?_flt_0_name=cong&psize_UnitView=25"
    assert client.get(listing).status_code == 200
    assert _where(client.post(f"/units/delete/{unit.id}")) == listing


def test_a_refused_delete_returns_to_the_record(app, demo, ctx):
    client = app.test_client()
    demo.login(client, "admin")
    unit = _unit(ctx)
    client.get("/units/list/")
    client.get(f"/units/show/{unit.id}")
    assert _where(client.post(f"/units/delete/{unit.id}")) == f"/units/show/{unit.id}"
    body = client.get(f"/units/show/{unit.id}").get_data(as_text=True)
    assert "Không thể xóa" in body


def test_a_done_delete_from_the_record_goes_to_the_list(app, demo, ctx):
    from app.models import OrgUnit

    unit = _unit(ctx)
    dept = OrgUnit(name="Tổ tạm", name_key=fold("Tổ tạm"), kind="department", parent_id=unit.id, unit_id=unit.id,
                   block_id=unit.block_id)
    ctx.add(dept)
    ctx.commit()
    client = app.test_client()
    demo.login(client, "admin")
    client.get(f"/departments/show/{dept.id}")
    assert _where(client.post(f"/departments/delete/{dept.id}")) == "/departments/list/"


def test_without_history_a_delete_goes_to_the_views_list_not_home(app, demo, ctx):
    client = app.test_client()
    demo.login(client, "admin")
    assert _where(client.post(f"/units/delete/{_unit(ctx).id}")) == "/units/list/"


def test_an_action_returns_to_the_list_or_record(app, demo, ctx):
    from app.models import Staff

    client = app.test_client()
    demo.login(client, "admin")
    person = ctx.scalar(select(Staff).where(Staff.unit_id == _unit(ctx).id, Staff.eval_role == "staff"))
    listing = "/staff/list/?_flt_0_full_name=a&page_StaffView=1"
    client.get(listing)
    assert _where(client.post("/staff/action_post", data={"action": "lock", "rowid": [person.id]})) == listing
    client.get(f"/staff/show/{person.id}")
    shown = client.post(f"/staff/action/reset_password/{person.id}")  # the password page links back
    assert shown.status_code == 200 and f'/staff/show/{person.id}"' in shown.get_data(as_text=True)
