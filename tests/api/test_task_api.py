"""``/api/v1/task/`` with Bearer tokens: create, progress, evidence, plan approval, rating, follow-up, breakdown;
errors {code, message, field}; every role against a foreign unit's task, sheet and evidence gets 404 and
nothing changes (routes from the URL map, as the sheet API's matrix does)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from app.domain.roles import SECURITY_ROLES
from tests.evaluation_fixtures import clock_at, make_unit, open_period

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def world(app, ctx):
    from app.domain.scope import SYSTEM
    from app.services import tasks as S
    from app.services.uow import unit_of_work

    unit = make_unit(ctx, size=6)
    clock_at(dt.date(2026, 11, 2))
    open_period(ctx)
    with unit_of_work(ctx):
        bc = S.save_product(ctx, SYSTEM, unit.unit_id, "BC", "Báo cáo", "2").id
    return unit, bc


def _body(bc, **kw):
    data = {"period": "2026-11", "title": "Báo cáo tháng", "product_type_id": bc, "quantity": 2, "deadline": "2026-11-20"}
    data.update(kw)
    return data


def test_a_task_through_the_api(app, api, world, tmp_path):
    from app.settings import replace

    unit, bc = world
    me, head = unit.usernames[unit.staff[0]], unit.usernames[unit.head]
    previous = replace(app, evidence_dir=str(tmp_path))
    try:
        resp = api.post("/api/v1/task/", me, _body(bc))
        assert resp.status_code == 200, resp.get_json()
        task = resp.get_json()
        assert (task["quantity"], task["coefficient"], task["assigned_kind"], task["status"]) == (2.0, 2.0, "self", "new")
        for bad, code, field in (({"quantity": 0}, "quantity_not_positive", "quantity"),
                                 ({"deadline": "2026-12-01"}, "deadline_outside_period", "deadline"),
                                 ({"product_type_id": 424242}, "not_in_catalogue", "product_type_id"),
                                 ({"colour": "red"}, "unknown_field", "colour")):
            r = api.post("/api/v1/task/", me, _body(bc, **bad))
            assert r.status_code == 400 and r.get_json()["code"] == code and r.get_json()["field"] == field, r.get_json()
        other = make_unit(_session(app), size=4)
        r = api.post("/api/v1/task/", head, _body(bc, person_id=other.staff[0]))
        assert r.status_code == 404 and r.get_json()["field"] == "person_id"
        # e-office systems assign by document
        r = api.post("/api/v1/task/", head, _body(bc, person_id=unit.staff[0], assigned_kind="document",
                                                  document_ref="45/UBND", external_ref="EOFFICE-9"))
        assert r.status_code == 200 and r.get_json()["external_ref"] == "EOFFICE-9"
        tid = task["id"]
        r = api.post(f"/api/v1/task/{tid}/progress", me, {"progress": 100})
        assert r.get_json()["status"] == "done"
        r = api.client.post(f"/api/v1/task/{tid}/evidence", headers={"Authorization": f"Bearer {api.token(me)}"},
                            data={"file": (io.BytesIO(b"MZ" + b"\x00" * 50), "x.pdf")}, content_type="multipart/form-data")
        assert r.status_code == 400 and r.get_json()["code"] == "file_type"
        r = api.client.post(f"/api/v1/task/{tid}/evidence", headers={"Authorization": f"Bearer {api.token(me)}"},
                            data={"file": (io.BytesIO(PDF), "bc.pdf")}, content_type="multipart/form-data")
        eid = r.get_json()["evidence"][0]["id"]
        got = api.get(f"/api/v1/task/evidence/{eid}", head)
        assert got.status_code == 200 and got.data == PDF and got.headers["X-Content-Type-Options"] == "nosniff"
        assert got.headers["Content-Disposition"].startswith("attachment;")
        assert api.get(f"/api/v1/task/evidence/{eid}", unit.usernames[unit.staff[1]]).status_code == 404
        r = api.post("/api/v1/task/plan/submit", me, {"period": "2026-11"})
        assert r.get_json()["plan"]["state"] == "submitted"
        r = api.post("/api/v1/task/plan/approve", unit.usernames[unit.deputy], {"period": "2026-11", "person_id": unit.staff[0]})
        assert r.get_json()["plan"]["state"] == "approved"
        r = api.put(f"/api/v1/task/{tid}", me, {"quantity": 3})
        assert r.status_code == 400 and r.get_json()["field"] == "change_reason"
        r = api.post(f"/api/v1/task/{tid}/rate", head, {"passed": False, "note": "Sai số liệu"})
        assert r.status_code == 200 and r.get_json()["quality_assessments"][0]["passed"] is False
        assert api.post(f"/api/v1/task/{tid}/rate", me, {"passed": True}).status_code == 403
        mine = api.get("/api/v1/task/mine?period=2026-11", me).get_json()
        assert mine["breakdown"]["b"] == 75.0 and mine["breakdown"]["formula"]
        assert api.get("/api/v1/task/followup?period=2026-11", head).status_code == 200
    finally:
        app.extensions["settings"] = previous


def _session(app):
    from app.extensions import db

    return db.session


ACTORS = [r.name for r in SECURITY_ROLES if r.name != "Admin"]


def _task_routes(app):
    return sorted((rule.endpoint, rule.rule, sorted(rule.methods & {"GET", "PUT", "POST"}))
                  for rule in app.url_map.iter_rules() if rule.endpoint.startswith("TaskApi.") and rule.arguments)


@pytest.mark.parametrize("kind", ACTORS)
def test_every_task_route_is_404_outside_reach(app, api, ctx, kind):
    from app.domain.text import fold
    from app.models import OrgUnit, Staff
    from tests.task_targets import foreign_task_targets
    from tests.views.test_scope_matrix import TASK_PKS, _task_fingerprint

    unit = make_unit(ctx, size=7)  # the actor's: a fresh unit of the same block
    foreign_unit = ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold("Trường Tiểu học Kim Đồng")))
    person = ctx.scalar(select(Staff).where(Staff.unit_id == foreign_unit.id).order_by(Staff.id))
    f = foreign_task_targets(ctx, foreign_unit.id, person.id, "FOREIGN")
    f["person_id"] = person.id
    who = {"leader": unit.head, "synthesis": unit.synthesis, "unit_admin": unit.unit_admin, "staff": unit.staff[0],
           "department_head": unit.staff[1], "block_admin": unit.staff[2]}[kind]
    username = unit.usernames[who]
    if kind in ("department_head", "block_admin"):  # give the role to a person of the unit
        from flask_appbuilder.security.sqla.models import Role

        p = ctx.get(Staff, who)
        p.roles.append(ctx.scalar(select(Role).where(Role.name == kind)))
        if kind == "block_admin":
            p.managed_block_id = ctx.get(OrgUnit, unit.unit_id).block_id
        ctx.commit()
    before = _task_fingerprint(ctx, f)
    checked = 0
    for endpoint, rule, methods in _task_routes(app):
        pk = f[TASK_PKS[endpoint]] if endpoint in TASK_PKS else f["task_id"]
        url = rule.replace("<int:pk>", str(pk)).replace("<string:action>", "approve")
        for method in methods:
            body = {"period": "2026-11", "person_id": f["person_id"], "progress": 100, "passed": False, "note": "x",
                    "quantity": 9} if method != "GET" else None
            if endpoint == "TaskApi.update":
                body = {"quantity": 9, "change_reason": "x"}
            elif endpoint == "TaskApi.progress":
                body = {"progress": 100}
            elif endpoint == "TaskApi.rate":
                body = {"passed": False, "note": "x"}
            elif endpoint == "TaskApi.plan":
                body = {"period": "2026-11", "person_id": f["person_id"]}
            resp = api.call(method, url, username, body)
            text = resp.get_data(as_text=True)
            assert "FOREIGN" not in text, (kind, method, url)
            if endpoint != "TaskApi.evidence" or method != "POST":
                assert resp.status_code == 404, (kind, method, url, resp.status_code, text)
            else:
                assert resp.status_code in (400, 404), (kind, method, url, resp.status_code)
            checked += 1
    ctx.expire_all()
    assert _task_fingerprint(ctx, f) == before
    followup = api.get("/api/v1/task/followup?period=2026-11&kind=open", username).get_json()
    assert all(t["id"] != f["task_id"] for t in followup["tasks"])
    assert checked >= 8  # get, update, progress, evidence, evidence file, plan, rate, breakdown
