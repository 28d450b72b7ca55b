"""The sheet API: the contract of issue 8, errors as {code, message, field}, nothing changed on refusal."""
from __future__ import annotations

import pytest

from app.api.schemas import InboxSchema, SheetSchema
from tests.evaluation_fixtures import (
    COMMENT_DAY, GRADING_DAY, SELF_DAY, clock_at, fingerprint, full_scores, make_unit, open_period, sheet_of,
)


@pytest.fixture
def world(app, ctx):
    unit = make_unit(ctx, size=8)
    open_period(ctx)
    return unit


def name(unit, pid):
    return unit.usernames[pid]


def test_the_owner_fills_and_submits_through_the_api(app, ctx, api, world):
    clock_at(SELF_DAY)
    me = name(world, world.staff[0])
    resp = api.get("/api/v1/sheet/mine?period=2026-11", me)
    assert resp.status_code == 200, resp.get_json()
    sheet = resp.get_json()
    assert SheetSchema().validate(sheet) == {}
    assert (sheet["state"], sheet["version"], sheet["period"], sheet["person"]["id"]) == ("draft", 1, "2026-11", world.staff[0])
    assert sheet["allowed_actions"] == ["save_self", "submit"] and sheet["my_roles"] == ["owner"]
    assert [c["max_points"] for c in sheet["criteria"]][:5] == [5, 5, 5, 5, 30]
    sid = sheet["id"]
    scores = [{"criterion_id": c["id"], "points": c["max_points"] / 2 + 0.5, "note": ""}
              for c in sheet["criteria"] if c["kind"] == "normal"]
    resp = api.put(f"/api/v1/sheet/{sid}/self", me, {"version": 1, "scores": scores, "worked_days": 19.5})
    assert resp.status_code == 200, resp.get_json()
    saved = resp.get_json()
    assert (saved["version"], saved["self_total"], saved["worked_days"], saved["self_grade"]) == (2, 48.5, 19.5, "D")
    resp = api.post(f"/api/v1/sheet/{sid}/submit", me, {"version": 2})
    assert resp.status_code == 200 and resp.get_json()["state"] == "submitted"
    assert [e["action"] for e in resp.get_json()["events"]] == ["save_self", "submit"]


BAD = [
    # (case, body change, status, code, field)
    ("above max", {"points": 6}, 400, "above_max", "criterion"),
    ("negative", {"points": -1}, 400, "negative", "criterion"),
    ("not a number", {"points": "năm"}, 400, "not_a_number", "criterion"),
    ("three decimals", {"points": 2.555}, 400, "too_many_decimals", "criterion"),
    ("worked days above working days", {"worked_days": 25}, 400, "above_max", "worked_days"),
    ("stale version", {"version": 7}, 409, "stale", "version"),
    ("missing version", {"version": None}, 400, "version_required", "version"),
    ("unknown field", {"extra": 1}, 400, "unknown_field", "extra"),
]


@pytest.mark.parametrize("case,change,status,code,field", BAD, ids=[b[0] for b in BAD])
def test_bad_self_assessment_through_the_api(app, ctx, api, world, case, change, status, code, field):
    clock_at(SELF_DAY)
    me = name(world, world.staff[0])
    sid = sheet_of(ctx, world.staff[0])
    scores = full_scores(ctx, sid)
    body = {"version": 1, "scores": scores, "worked_days": 20}
    if "points" in change:
        scores[0]["points"] = change["points"]
    for key in ("worked_days", "version", "extra"):
        if key in change:
            if change[key] is None:
                body.pop(key)
            else:
                body[key] = change[key]
    before = fingerprint(ctx, sid)
    resp = api.put(f"/api/v1/sheet/{sid}/self", me, body)
    assert resp.status_code == status, resp.get_json()
    err = resp.get_json()
    expected_field = f"scores.{scores[0]['criterion_id']}" if field == "criterion" else field
    assert (err["code"], err.get("field")) == (code, expected_field) and err["message"]
    assert fingerprint(ctx, sid) == before


def test_a_bonus_without_justification_lists_every_problem(app, ctx, api, world):
    clock_at(SELF_DAY)
    me = name(world, world.staff[0])
    sid = sheet_of(ctx, world.staff[0])
    scores = full_scores(ctx, sid, bonus=" ")
    scores[0]["points"] = 99
    resp = api.put(f"/api/v1/sheet/{sid}/self", me, {"version": 1, "scores": scores, "worked_days": 20})
    err = resp.get_json()
    assert resp.status_code == 400 and [p["code"] for p in err["problems"]] == ["above_max", "bonus_note"]


def test_someone_elses_sheet_is_not_found_and_a_readers_is_forbidden(app, ctx, api, world):
    clock_at(SELF_DAY)
    sid = sheet_of(ctx, world.staff[0])
    other = name(world, world.staff[1])
    assert api.get(f"/api/v1/sheet/{sid}", other).status_code == 404
    resp = api.put(f"/api/v1/sheet/{sid}/self", other, {"version": 1, "scores": []})
    assert resp.status_code == 404 and resp.get_json() == {"code": "not_found", "message": "Không tìm thấy phiếu đánh giá."}
    reader = name(world, world.synthesis)
    assert api.get(f"/api/v1/sheet/{sid}", reader).status_code == 200
    resp = api.post(f"/api/v1/sheet/{sid}/submit", reader, {"version": 1})
    assert resp.status_code == 403 and resp.get_json()["code"] == "read_only"


def test_no_token_no_api(app, client, world, ctx):
    sid = sheet_of(ctx, world.staff[0])
    assert client.get(f"/api/v1/sheet/{sid}").status_code == 401
    assert client.post(f"/api/v1/sheet/{sid}/submit", json={"version": 1}).status_code == 401


def test_a_browser_session_cannot_change_a_sheet(app, ctx, demo, world):
    """FAB exempts APIs from CSRF: a cookie must never be enough to act on a sheet."""
    client = app.test_client()
    demo.login(client, "staff")
    sid = sheet_of(ctx, demo.user("staff")["id"])
    before = fingerprint(ctx, sid)
    assert client.post(f"/api/v1/sheet/{sid}/submit", json={"version": 1}).status_code == 401
    assert fingerprint(ctx, sid) == before


def test_comment_return_inbox_and_finalise(app, ctx, api, world):
    owner, deputy, head = (name(world, p) for p in (world.staff[0], world.deputy, world.head))
    sid = sheet_of(ctx, world.staff[0])
    clock_at(SELF_DAY)
    api.post(f"/api/v1/sheet/{sid}/submit", owner, {"version": 1, "scores": full_scores(ctx, sid), "worked_days": 20})
    clock_at(COMMENT_DAY)
    box = api.get("/api/v1/sheet/inbox", deputy).get_json()
    assert InboxSchema().validate(box) == {}
    assert box["counts"] == {"commenter": 1, "evaluator": 0} and box["result"][0]["sheet_id"] == sid
    assert (box["result"][0]["role"], box["result"][0]["days_left"], box["result"][0]["deadline"]) == ("commenter", 3, "2026-11-28")
    opened = api.get(f"/api/v1/sheet/{sid}", deputy).get_json()
    assert opened["opened_at"] is not None and opened["version"] == 3
    resp = api.post(f"/api/v1/sheet/{sid}/return", deputy, {"version": 3, "reason": ""})
    assert resp.status_code == 400 and resp.get_json()["field"] == "reason"
    resp = api.post(f"/api/v1/sheet/{sid}/comment", deputy, {"version": 3, "text": "Hoàn thành tốt."})
    assert resp.status_code == 200 and resp.get_json()["state"] == "commented"
    clock_at(GRADING_DAY)
    assert api.get("/api/v1/sheet/inbox", head).get_json()["counts"] == {"commenter": 0, "evaluator": 1}
    view = api.get(f"/api/v1/sheet/{sid}", head).get_json()
    assert view["quota"] == {"grade": "A", "used": 0, "limit": 2, "remaining": 2, "message": "Đơn vị đã có 0/2 A"}
    resp = api.post(f"/api/v1/sheet/{sid}/finalise", head, {"version": view["version"], "grade": "A",
                                                             "scores": full_scores(ctx, sid, 0.5)})
    assert resp.status_code == 400 and resp.get_json()["code"] == "grade_too_high"
    resp = api.post(f"/api/v1/sheet/{sid}/finalise", head, {"version": view["version"], "grade": "B",
                                                             "grade_reason": "Còn chậm tiến độ"})
    final = resp.get_json()
    assert resp.status_code == 200 and (final["state"], final["grade"], final["final_total"], final["computed_grade"]) == (
        "finalised", "B", 90, "A")
    assert SheetSchema().validate(final) == {}
    history = api.get("/api/v1/sheet/history", owner).get_json()
    assert history["result"][0]["grade"] == "B" and history["count"] == 1
    listing = api.get(f"/api/v1/sheet/?period=2026-11&unit={world.unit_id}", head).get_json()
    assert listing["count"] == 8 and listing["by_state"]["finalised"] == 1
