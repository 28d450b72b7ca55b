"""What the screens needed from the services: folded name search in the review list, whom an admin may
assign, page bounds, editing a rule version (refused once frozen) and a new version from a later month."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.domain.errors import Conflict, PermissionDenied, ValidationError
from app.domain.text import fold
from app.services.evaluation import inbox as Q
from app.services.evaluation import rules as RS
from app.services.evaluation import sheets as S
from app.services.uow import unit_of_work
from tests.evaluation_fixtures import (
    COMMENT_DAY, GRADING_DAY, SELF_DAY, actor_of, admin_actor, clock_at, full_scores, make_unit, open_period, sheet_of,
)


@pytest.fixture
def unit(ctx):
    u = make_unit(ctx, size=8)
    open_period(ctx)
    return u


def test_review_list_finds_names_folded(ctx, unit):
    from app.models import Staff

    head = actor_of(ctx, unit.head)
    target = ctx.get(Staff, unit.staff[2])
    for typed in (target.full_name, fold(target.full_name).upper(), fold(target.full_name)[-8:]):
        page = Q.review_list(ctx, head, "2026-11", name=typed)
        assert [r.person_id for r in page.rows] == [target.id], typed
        assert page.total == 1 and sum(page.by_state.values()) == 1
    assert Q.review_list(ctx, head, "2026-11", name="%").total == 0  # LIKE wildcards are literal
    assert Q.review_list(ctx, head, "2026-11", name="").total == 8
    outsider = actor_of(ctx, unit.staff[0])  # staff see their own sheet only
    assert [r.person_id for r in Q.review_list(ctx, outsider, "2026-11", name="").rows] == [unit.staff[0]]


def test_paging_refuses_a_page_beyond_any_list(ctx):
    assert Q.paging(Q.MAX_PAGE, 10) == (Q.MAX_PAGE, 10)
    with pytest.raises(ValidationError):
        Q.paging(Q.MAX_PAGE + 1, 10)
    with pytest.raises(ValidationError):
        Q.paging("99999999999999999999", 10)


def test_assignable_people_are_leaders_within_the_admins_reach(ctx, unit):
    from app.models import Staff

    admin = actor_of(ctx, unit.unit_admin)
    people = Q.assignable_people(ctx, admin, unit.unit_id)
    ids = {p.person_id for p in people}
    assert {unit.head, unit.deputy} <= ids
    assert all(ctx.get(Staff, i).unit_id == unit.unit_id for i in ids)  # a unit admin reaches their unit only
    assert unit.staff[0] not in ids  # not a leader
    district = Q.assignable_people(ctx, admin_actor(ctx), unit.unit_id)
    assert [p.person_id for p in district[:2]] and {district[0].person_id, district[1].person_id} <= {unit.head, unit.deputy}
    assert Q.assignable_people(ctx, actor_of(ctx, unit.staff[0]), unit.unit_id) == []


def _version(ctx, unit):
    from app.models import RuleSetVersion, Sheet

    return ctx.get(RuleSetVersion, ctx.get(Sheet, sheet_of(ctx, unit.staff[0])).rule_version_id)


def test_edit_version_changes_names_maxima_bands_and_quota(ctx, unit):
    row = _version(ctx, unit)
    c = next(c for c in row.criteria if c.group.kind == "normal")
    band = row.bands[0]
    with unit_of_work(ctx):
        RS.edit_version(ctx, row.id, admin_actor(ctx), criteria={c.id: {"name": "Tên mới"}},
                        bands={band.code: {"label": "Xuất sắc (sửa)"}}, quota={"percent": "25"})
    ctx.expire_all()
    assert (c.name, band.label, row.quota_percent) == ("Tên mới", "Xuất sắc (sửa)", Decimal("25.00"))
    assert S.rule_version(ctx, row.id).criterion(c.id).name == "Tên mới"  # the session's cache is refreshed
    for kw, code in [
        (dict(criteria={c.id: {"max_points": "x"}}), "not_a_number"),
        (dict(criteria={c.id: {"max_points": "1.234"}}), "too_many_decimals"),
        (dict(criteria={c.id: {"name": "  "}}), "required"),
        (dict(criteria={999999: {"name": "x"}}), "bad_criterion"),
        (dict(quota={"percent": "150"}), "not_a_number"),
        (dict(), "no_change"),
    ]:
        with pytest.raises(ValidationError) as info, unit_of_work(ctx):
            RS.edit_version(ctx, row.id, admin_actor(ctx), **kw)
        assert info.value.code == code, (kw, info.value.code)
    ctx.expire_all()
    assert c.name == "Tên mới"
    with pytest.raises(PermissionDenied), unit_of_work(ctx):
        RS.edit_version(ctx, row.id, actor_of(ctx, unit.unit_admin), criteria={c.id: {"name": "Không được"}})


def test_a_frozen_version_refuses_edits_and_a_new_version_copies_it(ctx, unit):
    from app.models import RuleSetVersion

    row = _version(ctx, unit)
    owner, sid = unit.staff[0], sheet_of(ctx, unit.staff[0])
    clock_at(SELF_DAY)
    with unit_of_work(ctx):
        S.submit(ctx, sid, actor_of(ctx, owner), 1, scores=full_scores(ctx, sid), worked_days=20)
    clock_at(COMMENT_DAY)
    with unit_of_work(ctx):
        S.comment(ctx, sid, actor_of(ctx, unit.deputy), S.load(ctx, sid, actor_of(ctx, unit.deputy)).sheet.version, "Tốt.")
    clock_at(GRADING_DAY)
    with unit_of_work(ctx):
        S.finalise(ctx, sid, actor_of(ctx, unit.head), S.load(ctx, sid, actor_of(ctx, unit.head)).sheet.version)
    c = row.criteria[0]
    with pytest.raises(Conflict) as info, unit_of_work(ctx):
        RS.edit_version(ctx, row.id, admin_actor(ctx), criteria={c.id: {"name": "Sửa bộ đã dùng"}})
    assert info.value.code == "frozen"
    ctx.expire_all()
    assert c.name != "Sửa bộ đã dùng"
    for month, code in (("2026-13", "bad_month"), (row.effective_from, "version_exists")):
        with pytest.raises(ValidationError) as info, unit_of_work(ctx):
            RS.new_version_from(ctx, row.id, month, admin_actor(ctx))
        assert info.value.code == code
    with unit_of_work(ctx):
        new = RS.new_version_from(ctx, row.id, "2027-01", admin_actor(ctx))
        new_id = new.id
    copy = ctx.get(RuleSetVersion, new_id)
    assert copy.rule_set_id == row.rule_set_id and copy.effective_from == "2027-01"
    assert sorted((x.code, x.max_points) for x in copy.criteria) == sorted((x.code, x.max_points) for x in row.criteria)
    assert {x.id for x in copy.criteria}.isdisjoint({x.id for x in row.criteria})
    with unit_of_work(ctx):
        RS.edit_version(ctx, new_id, admin_actor(ctx), criteria={copy.criteria[0].id: {"name": "Sửa bản mới"}})
