"""The sheet API's drafts (comment, final scores) and admin acts (reopen, reassign), with their refusals."""
from __future__ import annotations

import pytest

from app.api.schemas import SheetSchema
from tests.evaluation_fixtures import (
    COMMENT_DAY, GRADING_DAY, SELF_DAY, clock_at, fingerprint, full_scores, make_unit, open_period, sheet_of,
)


@pytest.fixture
def world(app, ctx):
    unit = make_unit(ctx, size=8)
    open_period(ctx)
    return unit


def submitted(ctx, api, world):
    owner = world.usernames[world.staff[0]]
    sid = sheet_of(ctx, world.staff[0])
    clock_at(SELF_DAY)
    resp = api.post(f"/api/v1/sheet/{sid}/submit", owner, {"version": 1, "scores": full_scores(ctx, sid), "worked_days": 20})
    assert resp.status_code == 200, resp.get_json()
    return sid


def test_the_commenter_saves_a_draft_then_passes_it_on(app, ctx, api, world):
    sid = submitted(ctx, api, world)
    deputy = world.usernames[world.deputy]
    clock_at(COMMENT_DAY)
    version = api.get(f"/api/v1/sheet/{sid}", deputy).get_json()["version"]
    resp = api.put(f"/api/v1/sheet/{sid}/comment", deputy, {"version": version, "text": "  Bản nháp  "})
    draft = resp.get_json()
    assert resp.status_code == 200 and SheetSchema().validate(draft) == {}
    assert (draft["state"], draft["comment"], draft["version"]) == ("submitted", "Bản nháp", version + 1)
    # Not the commenter: refused, nothing changes.
    before = fingerprint(ctx, sid)
    resp = api.put(f"/api/v1/sheet/{sid}/comment", world.usernames[world.staff[1]], {"version": version + 1, "text": "x"})
    assert resp.status_code in (403, 404) and fingerprint(ctx, sid) == before
    resp = api.post(f"/api/v1/sheet/{sid}/comment", deputy, {"version": version + 1, "text": "Hoàn thành tốt."})
    assert resp.status_code == 200 and resp.get_json()["state"] == "commented"


def test_the_evaluator_saves_scores_then_an_admin_reopens_the_finalised_sheet(app, ctx, api, world):
    sid = submitted(ctx, api, world)
    deputy, head = world.usernames[world.deputy], world.usernames[world.head]
    clock_at(COMMENT_DAY)
    v = api.get(f"/api/v1/sheet/{sid}", deputy).get_json()["version"]
    api.post(f"/api/v1/sheet/{sid}/comment", deputy, {"version": v, "text": "Tốt."})
    clock_at(GRADING_DAY)
    v = api.get(f"/api/v1/sheet/{sid}", head).get_json()["version"]
    resp = api.put(f"/api/v1/sheet/{sid}/final", head, {"version": v, "scores": full_scores(ctx, sid, 0.8)})
    saved = resp.get_json()
    assert resp.status_code == 200 and (saved["state"], saved["grade"]) == ("commented", None)
    assert saved["final_total"] == 72 and saved["computed_grade"] == "B"
    resp = api.put(f"/api/v1/sheet/{sid}/final", head, {"version": saved["version"], "scores": full_scores(ctx, sid, 2)})
    assert resp.status_code == 400 and resp.get_json()["code"] == "above_max"
    resp = api.post(f"/api/v1/sheet/{sid}/finalise", head, {"version": saved["version"]})
    final = resp.get_json()
    assert resp.status_code == 200 and (final["state"], final["grade"]) == ("finalised", "B")
    # Reopening needs an admin in scope and a reason.
    before = fingerprint(ctx, sid)
    assert api.post(f"/api/v1/sheet/{sid}/reopen", head, {"version": final["version"], "reason": "Sai"}).status_code in (403, 404)
    resp = api.post(f"/api/v1/sheet/{sid}/reopen", "admin", {"version": final["version"], "reason": " "})
    assert resp.status_code == 400 and resp.get_json()["field"] == "reason"
    assert fingerprint(ctx, sid) == before
    resp = api.post(f"/api/v1/sheet/{sid}/reopen", "admin", {"version": final["version"], "reason": "Chấm nhầm tiêu chí 2"})
    body = resp.get_json()
    assert resp.status_code == 200 and body["grade"] is None and body["state"] != "finalised"
    assert body["events"][-1]["action"] == "reopen" and body["events"][-1]["reason"] == "Chấm nhầm tiêu chí 2"


def test_an_admin_reassigns_the_evaluator_and_the_inbox_follows(app, ctx, api, world):
    sid = submitted(ctx, api, world)
    v = api.get(f"/api/v1/sheet/{sid}", "admin").get_json()["version"]
    before = fingerprint(ctx, sid)
    resp = api.post(f"/api/v1/sheet/{sid}/reassign", "admin", {"version": v, "evaluator_id": world.staff[0], "reason": "Nghỉ phép"})
    assert resp.status_code == 400 and resp.get_json()["field"] == "evaluator_id"  # nobody grades themself
    resp = api.post(f"/api/v1/sheet/{sid}/reassign", "admin", {"version": v, "evaluator_id": world.deputy,
                                                                "commenter_id": world.deputy, "reason": "Nghỉ phép"})
    assert resp.status_code == 400 and resp.get_json()["code"] == "same_person"
    resp = api.post(f"/api/v1/sheet/{sid}/reassign", world.usernames[world.staff[1]],
                    {"version": v, "evaluator_id": world.deputy, "reason": "x"})
    assert resp.status_code in (403, 404)
    assert fingerprint(ctx, sid) == before
    resp = api.post(f"/api/v1/sheet/{sid}/reassign", "admin", {"version": v, "commenter_id": None,
                                                                "evaluator_id": world.deputy, "reason": "Chủ tịch nghỉ phép"})
    body = resp.get_json()
    assert resp.status_code == 200, body
    assert body["events"][-1]["action"] == "reassign"
    clock_at(GRADING_DAY)
    box = api.get("/api/v1/sheet/inbox", world.usernames[world.deputy]).get_json()
    assert sid in [item["sheet_id"] for item in box["result"] if item["role"] == "evaluator"]
    assert sid not in [i["sheet_id"] for i in api.get("/api/v1/sheet/inbox", world.usernames[world.head]).get_json()["result"]]

