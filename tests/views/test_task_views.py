"""The task screens: a person's plan, bad input flashed on its field with nothing changed, evidence as an
attachment, approvals, the leader's follow-up, the catalogue, the breakdown of a sheet."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from tests.conftest import flashes
from tests.evaluation_fixtures import clock_at, make_unit, open_period

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def world(app):
    from app.domain.scope import SYSTEM
    from app.extensions import db
    from app.services import tasks as S
    from app.services.uow import unit_of_work

    with app.test_request_context():
        unit = make_unit(db.session, size=6)
        clock_at(dt.date(2026, 11, 2))
        open_period(db.session)
        with unit_of_work(db.session):
            bc = S.save_product(db.session, SYSTEM, unit.unit_id, "BC", "Báo cáo", "2").id
        db.session.remove()
    return unit, bc


def _count_tasks(app):
    from app.extensions import db
    from app.models import Task

    with app.app_context():
        n = db.session.scalar(select(func.count(Task.id)))
        db.session.remove()
    return n


def _tasks_of(app, person_id):
    from app.extensions import db
    from app.models import Task

    with app.app_context():
        rows = [(t.id, t.title, t.status) for t in db.session.scalars(select(Task).where(Task.person_id == person_id))]
        db.session.remove()
    return rows


def _add(client, bc, **kw):
    data = {"period": "2026-11", "title": "Báo cáo tháng", "product_type_id": bc, "quantity": "1",
            "deadline": "20/11/2026", "assigned_kind": "self", "next": "/tasks/?period=2026-11"}
    data.update(kw)
    return client.post("/tasks/add", data=data, follow_redirects=True)


def test_a_person_plans_tasks_on_the_screen(app, demo, world):
    unit, bc = world
    client = app.test_client()
    me = demo.login(client, "staff", unit.name)
    page = client.get("/tasks/")
    assert page.status_code == 200 and "Kế hoạch công tác" in page.get_data(as_text=True)
    resp = _add(client, bc)
    body = resp.get_data(as_text=True)
    assert "Đã thêm nhiệm vụ." in flashes(body) and "Báo cáo tháng" in body
    week = client.get("/tasks/?period=2026-11&view=week&week=2026-11-16").get_data(as_text=True)
    assert "Báo cáo tháng" in week
    other_week = client.get("/tasks/?period=2026-11&view=week&week=2026-11-02").get_data(as_text=True)
    assert "Báo cáo tháng" not in other_week.split('id="tasks"')[1].split("</table>")[0]
    assert [t[1] for t in _tasks_of(app, me["id"])] == ["Báo cáo tháng"]


BAD = [
    ({"deadline": "05/12/2026"}, "Thời hạn phải nằm trong kỳ đánh giá"),
    ({"quantity": "0"}, "Số lượng phải lớn hơn 0"),
    ({"quantity": "-1"}, "Số lượng phải lớn hơn 0"),
    ({"product_type_id": "999999"}, "Loại sản phẩm không có trong danh mục"),
    ({"product_type_id": "99999999999999999999"}, "Loại sản phẩm không có trong danh mục"),
]


@pytest.mark.parametrize("change,message", BAD)
def test_bad_input_is_flashed_and_nothing_changes(app, demo, world, change, message):
    unit, bc = world
    client = app.test_client()
    demo.login(client, "staff", unit.name)
    before = _count_tasks(app)
    body = _add(client, bc, **change).get_data(as_text=True)
    assert any(message in f for f in flashes(body)), flashes(body)
    assert _count_tasks(app) == before


def test_a_task_for_someone_outside_ones_reach_is_refused_on_the_screen(app, demo, world):
    unit, bc = world
    client = app.test_client()
    demo.login(client, "leader")  # a leader of a demo unit: not this unit's
    before = _count_tasks(app)
    body = _add(client, bc, person_id=unit.staff[0]).get_data(as_text=True)
    assert any("phạm vi" in f for f in flashes(body)), flashes(body)
    assert _count_tasks(app) == before
    assert client.get(f"/tasks/person/{unit.staff[0]}?period=2026-11").status_code == 404


def test_evidence_upload_and_download(app, demo, world, tmp_path):
    from app.settings import replace

    previous = replace(app, evidence_dir=str(tmp_path))
    try:
        unit, bc = world
        client = app.test_client()
        me = demo.login(client, "staff", unit.name)
        _add(client, bc)
        tid = _tasks_of(app, me["id"])[0][0]
        body = client.post(f"/tasks/evidence/{tid}", data={"file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 64), "bao-cao.pdf"),
                                                           "next": f"/tasks/edit/{tid}"},
                           content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
        assert any("không phải loại được phép" in f for f in flashes(body)), flashes(body)
        body = client.post(f"/tasks/evidence/{tid}", data={"file": (io.BytesIO(PDF), "<script>.html"), "next": f"/tasks/edit/{tid}"},
                           content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
        assert "Đã đính kèm minh chứng." in flashes(body)
        from app.extensions import db
        from app.models import TaskEvidence

        with app.app_context():
            eid = db.session.scalar(select(TaskEvidence.id).where(TaskEvidence.task_id == tid))
            db.session.remove()
        resp = client.get(f"/tasks/evidence/file/{eid}")
        assert resp.status_code == 200 and resp.data == PDF
        assert resp.headers["Content-Disposition"].startswith("attachment;") and ".pdf" in resp.headers["Content-Disposition"]
        assert "html" not in resp.headers["Content-Disposition"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff" and resp.mimetype == "application/pdf"
        # the head (evaluator) may download; a colleague and the unit's synthesis may not
        for kind, status in (("leader", 200), ("synthesis", 404)):
            c2 = app.test_client()
            demo.login(c2, kind, unit.name)
            assert c2.get(f"/tasks/evidence/file/{eid}").status_code == status, kind
    finally:
        app.extensions["settings"] = previous


def test_approval_and_a_traced_change_on_the_screens(app, demo, world):
    unit, bc = world
    staff, head = app.test_client(), app.test_client()
    me = demo.login(staff, "staff", unit.name)
    demo.login(head, "leader", unit.name)
    _add(staff, bc)
    staff.post(f"/tasks/plan/{me['id']}", data={"period": "2026-11", "action": "submit"})
    waiting = head.get("/tasks/approvals").get_data(as_text=True)
    assert "Phạm Thị Cán Bộ" in waiting
    body = head.post(f"/tasks/plan/{me['id']}", data={"period": "2026-11", "action": "approve",
                                                      "next": f"/tasks/person/{me['id']}?period=2026-11"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Đã phê duyệt kế hoạch." in flashes(body)
    tid = _tasks_of(app, me["id"])[0][0]
    body = staff.post(f"/tasks/save/{tid}", data={"quantity": "4"}, follow_redirects=True).get_data(as_text=True)
    assert any("phải ghi lý do" in f for f in flashes(body))
    staff.post(f"/tasks/save/{tid}", data={"quantity": "4", "change_reason": "Giao thêm"})
    shown = head.get(f"/tasks/person/{me['id']}?period=2026-11").get_data(as_text=True)
    assert "Thay đổi sau khi gửi, phê duyệt" in shown and "Giao thêm" in shown and "Số lượng: 1.00 → 4.00" in shown


def test_the_leader_sees_late_tasks_with_counts(app, demo, world):
    unit, bc = world
    staff = app.test_client()
    demo.login(staff, "staff", unit.name)
    _add(staff, bc, title="Việc trễ hạn", deadline="05/11/2026")
    clock_at(dt.date(2026, 11, 10))
    head = app.test_client()
    demo.login(head, "leader", unit.name)
    body = head.get("/tasks/followup?period=2026-11&kind=late").get_data(as_text=True)
    assert "Việc trễ hạn" in body and "Quá hạn: <b>1</b>" in body
    other = app.test_client()
    demo.login(other, "leader")
    assert "Việc trễ hạn" not in other.get("/tasks/followup?period=2026-11").get_data(as_text=True)


def test_the_catalogue_screen(app, demo, world):
    import openpyxl

    unit, _ = world
    admin = app.test_client()
    demo.login(admin, "unit_admin", unit.name)
    assert admin.get(f"/task-catalogue/?unit_id={unit.unit_id}").status_code == 200
    wb = openpyxl.Workbook()
    wb.active.append(["Mã", "Tên loại sản phẩm", "Hệ số quy đổi", "Định mức theo vị trí"])
    wb.active.append(["TT", "Tờ trình", "1,5", "Chuyên viên: 4"])
    buf = io.BytesIO()
    wb.save(buf)
    body = admin.post("/task-catalogue/import", data={"unit_id": unit.unit_id, "file": (io.BytesIO(buf.getvalue()), "dm.xlsx")},
                      content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "Đã nhập danh mục: 1 loại mới, 0 loại cập nhật." in flashes(body) and "Tờ trình" in body
    staff = app.test_client()
    demo.login(staff, "staff", unit.name)
    assert staff.get("/task-catalogue/").status_code == 403


def test_the_breakdown_page_of_a_sheet(app, demo, world):
    from tests.evaluation_fixtures import sheet_of

    unit, bc = world
    staff = app.test_client()
    me = demo.login(staff, "staff", unit.name)
    _add(staff, bc)
    from app.extensions import db

    with app.app_context():
        sid = sheet_of(db.session, me["id"])
        db.session.remove()
    body = staff.get(f"/tasks/sheet/{sid}/breakdown").get_data(as_text=True)
    assert "Cách tính điểm nhiệm vụ" in body and "a (số lượng)" in body and "Báo cáo tháng" in body
    stranger = app.test_client()
    demo.login(stranger, "staff")
    assert stranger.get(f"/tasks/sheet/{sid}/breakdown").status_code == 404
