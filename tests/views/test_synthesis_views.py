"""The synthesis screens: what each role sees, exports, charts with their tables, results with feedback, notices."""
from __future__ import annotations

import pytest

from tests.evaluation_fixtures import NOVEMBER, make_unit, open_period
from tests.synthesis_fixtures import apply_plan, random_plan


@pytest.fixture
def world(app):
    from app.extensions import db

    with app.app_context():
        s = db.session
        a = make_unit(s, size=8)
        b = make_unit(s, size=6)
        open_period(s, NOVEMBER)
        plan = random_plan(a.people, 3)
        apply_plan(s, NOVEMBER, {**plan, **random_plan(b.people, 4)})
        db.session.remove()
    return a, b, plan


def test_board_summary_dashboard_for_the_units_synthesis(app, demo, world):
    a, b, plan = world
    client = app.test_client()
    demo.login(client, "synthesis", a.name)
    board = client.get("/synthesis/board")
    body = board.get_data(as_text=True)
    assert board.status_code == 200 and a.name in body and b.name not in body
    assert f"Phiếu chưa xong ({sum(1 for p in plan.values() if p['state'] != 'finalised')})" in body
    summary = client.get("/synthesis/summary").get_data(as_text=True)
    assert "Hoàn thành xuất sắc nhiệm vụ" in summary and "Lãnh đạo" in summary and "Chỉ tiêu loại A" in summary
    dash = client.get("/synthesis/dashboard").get_data(as_text=True)
    assert dash.count("<svg") == 2 and "Số liệu của biểu đồ trên" in dash
    assert "cdn" not in dash.lower() and "<script" not in dash.split("<figure>")[1].split("</figure>")[0]
    export = client.get("/synthesis/export")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    people = client.get("/synthesis/export?people=1")
    assert people.status_code == 200 and people.data[:2] == b"PK"
    assert client.get("/synthesis/rollup?span=2026").status_code == 200


@pytest.mark.parametrize("url,status,message", [
    ("/synthesis/board?period=2031-01", 404, "Không tìm thấy"),
    ("/synthesis/board?period=xx", 400, None),
    ("/synthesis/summary?unit=abc", 400, "Không tìm thấy đơn vị"),
    ("/synthesis/summary?unit=99999999999999999999", 404, None),
    ("/synthesis/rollup?span=2026-Q7", 400, "không phải năm"),
    ("/synthesis/rollup?policy=zz", 400, "Không có cách tổng hợp"),
    ("/synthesis/board?page=-1", 400, "Số trang"),
    ("/synthesis/board?period=" + "x" * 100, 400, "không hợp lệ"),
])
def test_bad_input_is_refused_in_vietnamese(app, demo, world, url, status, message):
    client = app.test_client()
    demo.login(client, "admin")
    resp = client.get(url)
    body = resp.get_data(as_text=True)
    assert resp.status_code in (status, 400, 404) and resp.status_code < 500
    if message:
        assert message in body, body[:500]


def test_a_unit_cannot_look_at_another(app, demo, world):
    a, b, _ = world
    client = app.test_client()
    demo.login(client, "synthesis", a.name)
    for url in (f"/synthesis/board?unit={b.unit_id}", f"/synthesis/summary?unit={b.unit_id}",
                f"/synthesis/export?unit={b.unit_id}", f"/synthesis/dashboard?unit={b.unit_id}"):
        resp = client.get(url)
        assert resp.status_code == 404, url
        assert b.name not in resp.get_data(as_text=True)


def test_staff_has_no_synthesis_screens(app, demo, world):
    a, _, _ = world
    client = app.test_client()
    demo.login(client, "staff", a.name)
    for url in ("/synthesis/board", "/synthesis/summary", "/synthesis/export", "/synthesis/dashboard", "/synthesis/rollup"):
        assert client.get(url).status_code == 403, url
    assert client.get("/results/").status_code == 200
    assert client.get("/notices/").status_code == 200


def test_block_admin_sees_the_block(app, demo, world):
    a, b, _ = world
    client = app.test_client()
    demo.login(client, "block_admin", "Khối xã, phường")
    body = client.get("/synthesis/summary").get_data(as_text=True)
    assert a.name in body and b.name in body and "Trường Tiểu học Kim Đồng" not in body
