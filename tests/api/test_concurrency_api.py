"""Two clients with the same version of one sheet: one wins, the other gets 409 stale; nothing overwritten."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.domain.errors import Conflict
from tests.evaluation_fixtures import (
    COMMENT_DAY, SELF_DAY, actor_of, clock_at, fingerprint, full_scores, make_unit, open_period, sheet_of,
)


def test_two_clients_same_version_one_wins(app, ctx, api):
    unit = make_unit(ctx, size=6)
    open_period(ctx)
    clock_at(SELF_DAY)
    owner = unit.usernames[unit.staff[0]]
    sid = sheet_of(ctx, unit.staff[0])
    # two browser tabs (or an e-office client and a person) loaded version 1
    first = full_scores(ctx, sid, 0.5)
    second = full_scores(ctx, sid, "max")
    a = api.put(f"/api/v1/sheet/{sid}/self", owner, {"version": 1, "scores": first, "worked_days": 20})
    assert a.status_code == 200 and a.get_json()["version"] == 2
    after_first = fingerprint(ctx, sid)
    b = api.put(f"/api/v1/sheet/{sid}/self", owner, {"version": 1, "scores": second, "worked_days": 18})
    assert b.status_code == 409
    assert b.get_json() == {"code": "stale", "message": "Phiếu đã được người khác thay đổi, hãy tải lại.", "field": "version"}
    assert fingerprint(ctx, sid) == after_first
    assert api.get(f"/api/v1/sheet/{sid}", owner).get_json()["self_total"] == 45


def test_the_commenter_and_the_owner_race_on_a_submitted_sheet(app, ctx, api):
    """The owner recalls while the commenter comments on the same version: whoever comes second is stale."""
    unit = make_unit(ctx, size=6)
    open_period(ctx)
    clock_at(SELF_DAY)
    owner, deputy = unit.usernames[unit.staff[0]], unit.usernames[unit.deputy]
    sid = sheet_of(ctx, unit.staff[0])
    api.post(f"/api/v1/sheet/{sid}/submit", owner, {"version": 1, "scores": full_scores(ctx, sid), "worked_days": 20})
    clock_at(COMMENT_DAY)
    comment = api.post(f"/api/v1/sheet/{sid}/comment", deputy, {"version": 2, "text": "Tốt"})
    recall = api.post(f"/api/v1/sheet/{sid}/recall", owner, {"version": 2})
    assert (comment.status_code, recall.status_code, recall.get_json()["code"]) == (200, 409, "stale")
    assert api.get(f"/api/v1/sheet/{sid}", owner).get_json()["state"] == "commented"


def test_racing_service_calls_that_both_passed_the_version_check(app, ctx):
    """Below the client check: two transactions read version 1 at the same time; the mapper's
    UPDATE … WHERE version = 1 lets one commit, the other is Conflict stale."""
    import pytest

    from app.extensions import db
    from app.services.evaluation import sheets as S

    unit = make_unit(ctx, size=6)
    open_period(ctx)
    clock_at(SELF_DAY)
    sid = sheet_of(ctx, unit.staff[0])
    one, two = Session(db.engine), Session(db.engine)
    try:
        me_one, me_two = actor_of(one, unit.staff[0]), actor_of(two, unit.staff[0])
        S.load(one, sid, me_one), S.load(two, sid, me_two)  # both sessions hold version 1
        S.save_self(one, sid, me_one, 1, full_scores(one, sid, 0.5), worked_days=20)
        one.commit()
        with pytest.raises(Conflict) as exc:
            S.save_self(two, sid, me_two, 1, full_scores(two, sid), worked_days=20)
        assert exc.value.code == "stale"
        two.rollback()
    finally:
        one.close()
        two.close()
    ctx.expire_all()
    from app.models import Sheet

    stored = ctx.get(Sheet, sid)
    assert (stored.version, float(stored.self_total)) == (2, 45.0)
