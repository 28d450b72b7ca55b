"""The period summary and the follow-up board agree with a count made here from the plan of the test."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from app.domain.errors import OutOfReach, PermissionDenied
from app.services.synthesis import followup, summary as summary_service
from tests.evaluation_fixtures import NOVEMBER, actor_of, make_unit, open_period
from tests.synthesis_fixtures import apply_plan, grade_for, random_plan


@pytest.fixture
def world(ctx):
    a = make_unit(ctx, size=14)
    b = make_unit(ctx, size=9, commenter=False)
    open_period(ctx, NOVEMBER)
    plan_a, plan_b = random_plan(a.people, 1), random_plan(b.people, 2, finalised_share=0.3)
    apply_plan(ctx, NOVEMBER, {**plan_a, **plan_b})
    return a, b, plan_a, plan_b


def _expected(plan):
    graded = Counter(grade_for(p["final_total"]) for p in plan.values() if p["state"] == "finalised")
    return len(plan), graded


def test_unit_summary_counts_each_grade(ctx, admin, world):
    a, b, plan_a, plan_b = world
    s = summary_service.summary(ctx, admin, NOVEMBER)
    by_unit = {u.unit_id: u for u in s.units}
    for unit, plan in ((a, plan_a), (b, plan_b)):
        total, graded = _expected(plan)
        u = by_unit[unit.unit_id]
        assert u.total == total
        assert {g: u.count(g) for g in "ABCD"} == {g: graded.get(g, 0) for g in "ABCD"}
        assert u.not_graded == total - sum(graded.values())
    # the organisation's totals are the sum of every unit (the demo's units included)
    t = s.totals
    assert t.total == sum(u.total for u in s.units) and t.graded == sum(u.graded for u in s.units)


def test_unit_level_lists_people_leaders_apart(ctx, world):
    a, _, plan_a, _ = world
    synth = actor_of(ctx, a.synthesis)
    s = summary_service.summary(ctx, synth, NOVEMBER)
    assert s.scope.level == "unit" and [u.unit_id for u in s.units] == [a.unit_id]
    assert {p.person_id for p in s.leaders} == {a.head, a.deputy}
    assert {p.person_id for p in s.staff} == set(a.people) - {a.head, a.deputy}
    for p in s.people:
        expected = plan_a[p.person_id]
        assert p.grade == (grade_for(expected["final_total"]) if expected["state"] == "finalised" else None)
    assert s.units[0].quota is not None and s.units[0].quota_text


def test_reach_refuses_another_unit(ctx, world):
    a, b, _, _ = world
    synth = actor_of(ctx, a.synthesis)
    with pytest.raises(OutOfReach):
        summary_service.summary(ctx, synth, NOVEMBER, unit_id=b.unit_id)
    with pytest.raises(PermissionDenied):
        summary_service.summary(ctx, actor_of(ctx, a.staff[0]), NOVEMBER)


def test_board_counts_who_has_not_submitted_and_who_waits(ctx, admin, world):
    a, b, plan_a, plan_b = world
    board = followup.board(ctx, admin, NOVEMBER, block_id=None, today=dt.date(2026, 11, 27))
    by_unit = {u.unit_id: u for u in board.units}
    for unit, plan in ((a, plan_a), (b, plan_b)):
        u = by_unit[unit.unit_id]
        states = Counter(p["state"] for p in plan.values())
        assert u.not_submitted == states["draft"]
        assert u.finalised == states["finalised"]
        assert u.waiting_comment + u.waiting_grade == states["submitted"] + states["commented"]
        # 27/11: the self-assessment window (to 25/11) is over, comment (to 28/11) and grading are not
        assert u.late == states["draft"]
    # b is furthest behind (a smaller share finalised): before a
    order = [u.unit_id for u in board.units]
    assert order.index(b.unit_id) < order.index(a.unit_id)
    # unit b has no commenter: nothing of it waits for a comment
    assert by_unit[b.unit_id].waiting_comment == 0


def test_board_items_name_the_holder(ctx, world):
    a, _, plan_a, _ = world
    leader = actor_of(ctx, a.head)
    board = followup.board(ctx, leader, NOVEMBER, page_size=500, today=dt.date(2026, 11, 27))
    waiting = {pid for pid, p in plan_a.items() if p["state"] != "finalised"}
    assert board.items_total == len(waiting) == len(board.items)
    from app.models import Staff
    names = {ctx.get(Staff, i).full_name: i for i in a.people}
    for item in board.items:
        pid = names[item.person_name]
        state = plan_a[pid]["state"]
        expected = {"draft": item.person_name, "submitted": ctx.get(Staff, a.deputy).full_name if pid not in (a.head, a.deputy) else ctx.get(Staff, ctx.get(Staff, pid).evaluator_id).full_name}.get(state)
        if expected:
            assert item.holder_name == expected, (item, state)
        assert item.late == (state == "draft")


def test_an_extension_moves_the_units_deadline(ctx, admin, world):
    from sqlalchemy import select

    from app.models import Period, PeriodExtension

    a, b, plan_a, plan_b = world
    period = ctx.scalar(select(Period).where(Period.key == NOVEMBER))
    ctx.add(PeriodExtension(period_id=period.id, unit_id=a.unit_id, step="self_assessment", until=dt.date(2026, 11, 30),
                            reason="Đơn vị đông người đi học"))
    ctx.commit()
    board = followup.board(ctx, admin, NOVEMBER, today=dt.date(2026, 11, 27))
    by_unit = {u.unit_id: u for u in board.units}
    assert by_unit[a.unit_id].not_submitted == sum(1 for p in plan_a.values() if p["state"] == "draft") > 0
    assert by_unit[a.unit_id].late == 0  # its window runs to 30/11
    assert by_unit[b.unit_id].late == sum(1 for p in plan_b.values() if p["state"] == "draft")
    assert by_unit[a.unit_id].deadlines["self_assessment"] == dt.date(2026, 11, 30)


def test_charts_escape_and_carry_a_title():
    from app.views import charts

    svg = charts.stacked_bars("Phân bố <b>", [("Đơn vị <script>", {"A": 2, "B": 1}, 4)], ("A", "B", "C", "D"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<title>Phân bố &lt;b&gt;</title>" in svg
    assert svg.count("<rect") == 3 + 5  # A, B and not graded; the legend's five
    line = charts.lines("Xu hướng", ["2026-10", "2026-11"], {"A": [10, 20], "B": [50, 40]})
    assert line.count("<polyline") == 2 and "2026-11" in line
