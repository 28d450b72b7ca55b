"""The period API: the district admin lists, opens (with defaults or given windows) and closes periods."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.api.schemas import PeriodListSchema, PeriodSchema


def test_open_list_close(app, ctx, api):
    from app.models import Sheet

    resp = api.post("/api/v1/period/", "admin", {"period": "2026-Q4", "trial": True, "working_days": 60, "windows": {
        "self_assessment": ["2026-12-18", "2026-12-24"]}})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert PeriodSchema().validate(body) == {}
    assert (body["period"], body["kind"], body["trial"], body["working_days"], body["state"]) == ("2026-Q4", "quarter", True, 60, "open")
    assert body["windows"] == {"self_assessment": ["2026-12-18", "2026-12-24"], "comment": ["2026-12-20", "2026-12-28"],
                               "grading": ["2026-12-20", "2027-01-03"]}
    assert body["sheets"] == ctx.scalar(select(func.count()).select_from(Sheet)) > 300
    listing = api.get("/api/v1/period/", "admin").get_json()
    assert PeriodListSchema().validate(listing) == {} and [p["period"] for p in listing["result"]] == ["2026-Q4"]
    closed = api.post(f"/api/v1/period/{body['id']}/close", "admin")
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    assert closed.get_json()["forwarded"] == body["sheets"]  # nobody self-assessed
    again = api.post(f"/api/v1/period/{body['id']}/close", "admin")
    assert again.status_code == 400 and again.get_json()["code"] == "period_closed"
    assert api.post("/api/v1/period/999999/close", "admin").status_code == 404


BAD = [
    ({"period": "2026-13"}, "period", None),
    ({"period": "tháng 11"}, "period", None),
    ({"period": 202611}, "period", "bad_period"),
    ({}, "period", "required"),
    ({"period": "2026-11", "working_days": 40}, "working_days", "bad_working_days"),
    ({"period": "2026-11", "windows": {"grading": ["2026-11-30", "2026-11-20"]}}, "windows.grading", "bad_window"),
    ({"period": "2026-11", "windows": {"holiday": ["2026-11-30", "2026-11-30"]}}, "windows.holiday", "bad_window"),
    ({"period": "2026-11", "windows": "20-25"}, "windows", "bad_window"),
    ({"period": "2026-11", "trial": "có"}, "trial", "bad_trial"),
    ({"period": "2026-11", "sheets": 3}, "sheets", "unknown_field"),
]


@pytest.mark.parametrize("data,field,code", BAD, ids=[str(b[0]) for b in BAD])
def test_bad_period_input(app, ctx, api, data, field, code):
    from app.models import Period

    resp = api.post("/api/v1/period/", "admin", data)
    assert resp.status_code == 400, resp.get_json()
    err = resp.get_json()
    assert err["field"] == field and (code is None or err["code"] == code) and err["message"]
    assert ctx.scalar(select(func.count()).select_from(Period)) == 0


def test_a_period_opens_once(app, ctx, api):
    assert api.post("/api/v1/period/", "admin", {"period": "2026-11"}).status_code == 201
    resp = api.post("/api/v1/period/", "admin", {"period": "2026-11"})
    assert resp.status_code == 400 and resp.get_json()["code"] == "period_exists"


@pytest.mark.parametrize("kind", ["block_admin", "unit_admin", "leader", "staff"])
def test_only_the_district_admin_manages_periods(app, ctx, api, demo, kind):
    from app.models import Period

    me = demo.user(kind, "Khối xã, phường" if kind == "block_admin" else "UBND phường Cống Vị")["username"]
    for resp in (api.get("/api/v1/period/", me), api.post("/api/v1/period/", me, {"period": "2026-11"})):
        assert resp.status_code == 403
        assert resp.get_json() == {"code": "forbidden", "message": "Bạn không có quyền thực hiện thao tác này."}
    assert ctx.scalar(select(func.count()).select_from(Period)) == 0
