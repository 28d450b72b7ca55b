"""Role × sheet route × foreign unit, signed in with Bearer tokens: a sheet outside reach is 404 on every
route of the sheet API, lists never show it, and nothing changes.

Routes come from the app's URL map (a route added later is covered, or the coverage test fails) and actors
from the role table, like tests/views/test_scope_matrix.py does for the screens.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.roles import SECURITY_ROLES
from app.domain.text import fold
from tests.evaluation_fixtures import SELF_DAY, actor_of, clock_at, fingerprint, full_scores, open_period

OWN_UNIT = "UBND phường Cống Vị"
SAME_BLOCK_UNIT = "UBND phường Kim Mã"
OTHER_BLOCK_UNIT = "Trường Tiểu học Kim Đồng"
OWN_BLOCK = "Khối xã, phường"

ACTORS = [(r.name, OWN_BLOCK if r.name == "block_admin" else OWN_UNIT) for r in SECURITY_ROLES if r.name != "Admin"]
CASES = [(kind, home, OTHER_BLOCK_UNIT) for kind, home in ACTORS] + [
    (kind, home, SAME_BLOCK_UNIT) for kind, home in ACTORS if kind != "block_admin"
]

# Every pk route of the sheet API, with a body that would be accepted on a sheet in the right state.
def _bodies(version, scores):
    return {
        "get": None,
        "put_self": {"version": version, "scores": scores, "worked_days": 20},
        "submit": {"version": version, "scores": scores, "worked_days": 20},
        "recall": {"version": version},
        "comment": {"version": version, "text": "Nhận xét từ ngoài phạm vi"},
        "return_": {"version": version, "reason": "Trả lại từ ngoài phạm vi"},
        "finalise": {"version": version, "grade": "D", "grade_reason": "Từ ngoài phạm vi"},
        "save_comment": {"version": version, "text": "Nháp từ ngoài phạm vi"},
        "save_final": {"version": version, "scores": scores},
        "reopen": {"version": version, "reason": "Mở lại từ ngoài phạm vi"},
        "reassign": {"version": version, "commenter_id": None, "reason": "Giao lại từ ngoài phạm vi"},
    }


def _pk_routes(app):
    return sorted(
        (rule.endpoint.split(".", 1)[1], rule.rule, sorted(rule.methods & {"GET", "PUT", "POST", "DELETE"}))
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("SheetApi.") and "pk" in rule.arguments
    )


def _foreign_sheets(app, unit_name):
    """Sheets of ``unit_name`` in each state (draft, submitted, commented, finalised), moved on by their people."""
    from app.extensions import db
    from app.models import OrgUnit, Sheet
    from app.services.evaluation import sheets as S
    from app.services.uow import unit_of_work

    with app.test_request_context():
        s = db.session
        unit = s.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(unit_name)))
        rows = s.scalars(select(Sheet).where(Sheet.unit_id == unit.id, Sheet.commenter_id.isnot(None),
                                             Sheet.evaluator_id.isnot(None)).order_by(Sheet.id).limit(4)).all()
        people = [(r.id, r.person_id, r.commenter_id, r.evaluator_id) for r in rows]
        for i, (sid, owner, commenter, evaluator) in enumerate(people):
            if i >= 1:
                with unit_of_work(s):
                    S.submit(s, sid, actor_of(s, owner), 1, scores=full_scores(s, sid), worked_days=20)
            if i >= 2:
                with unit_of_work(s):
                    S.comment(s, sid, actor_of(s, commenter), 2, "Tốt")
            if i >= 3:
                with unit_of_work(s):
                    S.finalise(s, sid, actor_of(s, evaluator), 3)
        out = {
            "unit_id": unit.id,
            "sheets": [sid for sid, *_ in people],
            "names": [s.get(Sheet, sid).person.display_name for sid, *_ in people],
        }
        db.session.remove()
        return out


def _fingerprints(app, ids):
    from app.extensions import db

    with app.app_context():
        out = [fingerprint(db.session, i) for i in ids]
        db.session.remove()
        return out


@pytest.mark.parametrize("kind,home,foreign_unit", CASES, ids=[f"{k}->{u}" for k, _, u in CASES])
def test_no_sheet_route_reaches_a_foreign_unit(app, demo, api, kind, home, foreign_unit):
    from app.extensions import db

    with app.app_context():
        open_period(db.session)
        db.session.remove()
    clock_at(SELF_DAY)  # every window of 2026-11 is open: only scope can refuse
    f = _foreign_sheets(app, foreign_unit)
    me = demo.user(kind, home)["username"]
    before = _fingerprints(app, f["sheets"])
    with app.app_context():
        scores = full_scores(db.session, f["sheets"][0])
        db.session.remove()
    checked = 0
    for sid, version in zip(f["sheets"], (1, 2, 3, 4)):
        bodies = _bodies(version, scores)
        for endpoint, rule, methods in _pk_routes(app):
            url = rule.replace("<int:pk>", str(sid))
            for method in methods:
                resp = api.call(method, url, me, bodies[endpoint])
                assert resp.status_code == 404, f"{kind} {method} {url}: {resp.status_code} {resp.get_json()}"
                assert resp.get_json() == {"code": "not_found", "message": "Không tìm thấy phiếu đánh giá."}
                checked += 1
    assert checked == 4 * 11
    assert _fingerprints(app, f["sheets"]) == before, f"{kind} changed a foreign sheet"
    # the lists never show a foreign sheet
    listings = [
        api.get(f"/api/v1/sheet/?period=2026-11&unit={f['unit_id']}&page_size=500", me),
        api.get("/api/v1/sheet/?period=2026-11&page_size=500", me),
        api.get("/api/v1/sheet/inbox?page_size=500", me),
        api.get("/api/v1/sheet/history", me),
        api.get("/api/v1/sheet/mine?period=2026-11", me),
    ]
    for resp in listings:
        assert resp.status_code == 200, resp.get_json()
        text = resp.get_data(as_text=True)
        for name in f["names"]:
            assert name not in text, f"{kind}: {name} listed"
    assert listings[0].get_json()["count"] == 0
    # periods are the district admin's
    assert api.get("/api/v1/period/", me).status_code == 403
    assert api.post("/api/v1/period/", me, {"period": "2026-12"}).status_code == 403


def test_the_matrix_covers_every_sheet_route(app):
    """Every pk route of SheetApi has a body in the matrix above (a new transition must be added there)."""
    endpoints = {e for e, _, _ in _pk_routes(app)}
    assert endpoints == set(_bodies(1, [])), endpoints


# Control: the same routes do reach the actor's own unit, so the matrix is not vacuous.
OWN_READERS = {"block_admin": OWN_BLOCK, "unit_admin": OWN_UNIT, "leader": OWN_UNIT, "synthesis": OWN_UNIT}


@pytest.mark.parametrize("kind", sorted(OWN_READERS))
def test_own_unit_sheets_are_visible_to_its_admins_leaders_and_synthesis(app, demo, api, ctx, kind):
    from app.models import OrgUnit, Sheet

    open_period(ctx)
    unit_id = ctx.scalar(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(OWN_UNIT)))
    me = demo.user(kind, OWN_READERS[kind])
    not_routed = select(Sheet.id).where(Sheet.unit_id == unit_id, Sheet.person_id != me["id"],
                                        func.coalesce(Sheet.commenter_id, 0) != me["id"],
                                        func.coalesce(Sheet.evaluator_id, 0) != me["id"]).limit(1)
    # the unit head grades everybody in the demo unit: any other sheet then
    other = ctx.scalar(not_routed) or ctx.scalar(select(Sheet.id).where(Sheet.unit_id == unit_id, Sheet.person_id != me["id"]).limit(1))
    assert api.get(f"/api/v1/sheet/{other}", me["username"]).status_code == 200
    listing = api.get(f"/api/v1/sheet/?period=2026-11&unit={unit_id}&page_size=500", me["username"]).get_json()
    assert listing["count"] == ctx.scalar(select(func.count()).select_from(Sheet).where(Sheet.unit_id == unit_id)) > 30


def test_department_heads_and_staff_see_only_their_own_and_routed_sheets(app, demo, api, ctx):
    from app.models import OrgUnit, Sheet

    open_period(ctx)
    unit_id = ctx.scalar(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(OWN_UNIT)))
    for kind in ("department_head", "staff"):
        me = demo.user(kind, OWN_UNIT)
        mine = ctx.scalars(select(Sheet.id).where(
            (Sheet.person_id == me["id"]) | (Sheet.commenter_id == me["id"]) | (Sheet.evaluator_id == me["id"]))).all()
        listing = api.get(f"/api/v1/sheet/?period=2026-11&unit={unit_id}&page_size=500", me["username"]).get_json()
        assert sorted(r["sheet_id"] for r in listing["result"]) == sorted(mine) and mine
        stranger = ctx.scalar(select(Sheet.id).where(Sheet.unit_id == unit_id, Sheet.id.notin_(mine)).limit(1))
        assert api.get(f"/api/v1/sheet/{stranger}", me["username"]).status_code == 404
