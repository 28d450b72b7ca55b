"""The read queries: what they return, and that they stay on the indexes and take a fixed number of
statements whatever the organisation's size (the benchmark compares them with a bare FAB list page)."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from app.domain.evaluation import workflow as wf
from app.services.evaluation import inbox as Q
from app.services.evaluation import sheets as S
from app.services.uow import unit_of_work
from tests.evaluation_fixtures import (
    COMMENT_DAY, GRADING_DAY, SELF_DAY, actor_of, admin_actor, clock_at, full_scores, make_unit, open_period, sheet_of,
)


@contextmanager
def statements(session):
    """The SQL statements (with their parameters) run inside the block."""
    engine = session.get_bind()
    seen = []

    def log(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", log)


def run(session, fn, *args, **kwargs):
    with unit_of_work(session):
        return fn(session, *args, **kwargs)


@pytest.fixture
def month(ctx):
    """A unit of 12 in the grading phase: 9 submitted sheets commented, 1 waiting for its comment."""
    unit = make_unit(ctx, size=12)
    open_period(ctx)
    clock_at(SELF_DAY)
    for p in unit.staff[:9]:
        sid = sheet_of(ctx, p)
        run(ctx, S.submit, sid, actor_of(ctx, p), 1, scores=full_scores(ctx, sid), worked_days=20)
    clock_at(COMMENT_DAY)
    for p in unit.staff[:8]:
        sid = sheet_of(ctx, p)
        run(ctx, S.comment, sid, actor_of(ctx, unit.deputy), 2, "Tốt")
    return unit


def test_inbox_counts_roles_and_days_left(ctx, month):
    unit = month
    clock_at(COMMENT_DAY)
    deputy = Q.inbox(ctx, actor_of(ctx, unit.deputy))
    assert deputy.counts == {wf.COMMENTER: 1, wf.EVALUATOR: 0} and deputy.total == 1
    item = deputy.items[0]
    assert (item.sheet_id, item.role, item.days_left, item.deadline.isoformat()) == (
        sheet_of(ctx, unit.staff[8]), wf.COMMENTER, 3, "2026-11-28")
    head = Q.inbox(ctx, actor_of(ctx, unit.head))
    assert head.counts == {wf.COMMENTER: 0, wf.EVALUATOR: 8}
    assert {i.role for i in head.items} == {wf.EVALUATOR} and {i.days_left for i in head.items} == {9}
    page = Q.inbox(ctx, actor_of(ctx, unit.head), page=1, page_size=5)
    assert len(page.items) == 3 and page.total == 8
    names = [i.person_name for i in Q.inbox(ctx, actor_of(ctx, unit.head)).items]
    assert names == sorted(names)
    assert Q.inbox(ctx, actor_of(ctx, unit.staff[0])).total == 0  # nothing waits for a staff member


def test_inbox_days_left_follow_a_unit_extension_and_a_closed_period_leaves_it(ctx, month):
    from app.models import OrgUnit, Period
    from app.services.evaluation import periods

    unit = month
    period = ctx.scalar(select(Period))
    with unit_of_work(ctx):
        periods.extend(ctx, period, ctx.get(OrgUnit, unit.unit_id), "grading", "2026-12-10", admin_actor(ctx), "Đại hội")
    clock_at(GRADING_DAY)
    head = Q.inbox(ctx, actor_of(ctx, unit.head))
    assert {(i.deadline.isoformat(), i.days_left) for i in head.items} == {("2026-12-10", 11)}
    with unit_of_work(ctx):
        periods.close_period(ctx, period, admin_actor(ctx))
    assert Q.inbox(ctx, actor_of(ctx, unit.head)).total == 0


def test_my_sheet_open_sheets_and_history(ctx, month):
    unit = month
    me = unit.staff[0]
    clock_at(GRADING_DAY)
    sid = sheet_of(ctx, me)
    run(ctx, S.finalise, sid, actor_of(ctx, unit.head), 3, grade="B", grade_reason="Chưa chủ động")
    assert Q.my_sheet(ctx, me, "2026-11").id == sid
    assert Q.my_sheet(ctx, 1, "2026-11") is None  # the root admin has no unit, so no sheet
    with pytest.raises(Exception) as exc:
        Q.my_sheet(ctx, me, "2026-10")
    assert getattr(exc.value, "code", None) == "not_found"
    mine = Q.my_open_sheets(ctx, me)
    assert [(m.sheet_id, m.state, m.days_left) for m in mine] == [(sid, wf.FINALISED, 0)]
    items, total = Q.history(ctx, me)
    assert total == 1 and (items[0].grade, items[0].grade_label, items[0].period_label) == (
        "B", "Hoàn thành tốt nhiệm vụ", "tháng 11/2026")
    items, _ = Q.history(ctx, unit.staff[1])
    assert (items[0].state, items[0].grade) == (wf.COMMENTED, None)  # no grade before it is final


def test_review_list_shows_what_the_actor_may_see(ctx, month):
    unit = month
    synthesis = Q.review_list(ctx, actor_of(ctx, unit.synthesis), "2026-11", unit.unit_id)
    assert synthesis.total == 12 and synthesis.by_state == {wf.DRAFT: 3, wf.SUBMITTED: 1, wf.COMMENTED: 8}
    assert [r.person_name for r in synthesis.rows] == sorted(r.person_name for r in synthesis.rows)
    only_commented = Q.review_list(ctx, actor_of(ctx, unit.synthesis), "2026-11", unit.unit_id, state=wf.COMMENTED, page_size=5)
    assert only_commented.total == 8 and len(only_commented.rows) == 5
    staff = Q.review_list(ctx, actor_of(ctx, unit.staff[0]), "2026-11", unit.unit_id)
    assert [r.person_id for r in staff.rows] == [unit.staff[0]]
    evaluator = Q.review_list(ctx, actor_of(ctx, unit.outside_evaluator), "2026-11", unit.unit_id)
    assert [r.person_id for r in evaluator.rows] == [unit.head]  # district leadership sees the head's sheet only
    with pytest.raises(Exception):
        Q.review_list(ctx, actor_of(ctx, unit.synthesis), "2026-11", unit.unit_id, state="lost")
    with pytest.raises(Exception):
        Q.review_list(ctx, actor_of(ctx, unit.synthesis), "2026-11", page_size=501)


def _plans(session, seen):
    """(statement, plan lines) of each SELECT. On PostgreSQL sequential scans are priced out first: on a
    small test table the planner would rightly prefer one, so a scan left in the plan means no index fits."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
    out = []
    for statement, params in seen:
        if not statement.lstrip().upper().startswith("SELECT"):
            continue
        rows = conn.exec_driver_sql(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, params).all()
        out.append((statement, [str(r[-1]).strip() for r in rows]))
    return out


FULL_SCAN = re.compile(r"(SCAN|Seq Scan on) (sheet|sheet_score|sheet_event)\b")


def test_the_screens_queries_stay_on_the_indexes(ctx, month):
    """No full scan of ``sheet`` in the inbox, the sheet form and the review list (SQLite's and PostgreSQL's plans)."""
    unit = month
    clock_at(GRADING_DAY)
    head = actor_of(ctx, unit.head)
    sid = sheet_of(ctx, unit.staff[0])
    with statements(ctx) as seen:
        Q.inbox(ctx, head)
        S.sheet_view(ctx, sid, head)
        Q.review_list(ctx, head, "2026-11", unit.unit_id)
        Q.history(ctx, unit.staff[0])
        Q.my_open_sheets(ctx, unit.staff[0])
    plans = _plans(ctx, seen)
    assert len(plans) >= 10
    for statement, details in plans:
        for d in details:
            assert not FULL_SCAN.search(d), (d, statement[:200])


def test_the_number_of_statements_does_not_grow_with_the_organisation(ctx):
    """Each screen query is a fixed handful of statements: the same for a unit of 6 and one of 60."""
    units = [make_unit(ctx, size=6), make_unit(ctx, size=60)]
    open_period(ctx)
    for unit in units:
        clock_at(SELF_DAY)
        for p in unit.staff[:3]:
            sid = sheet_of(ctx, p)
            run(ctx, S.submit, sid, actor_of(ctx, p), 1, scores=full_scores(ctx, sid), worked_days=20)
    clock_at(GRADING_DAY)
    counts = []
    for unit in units:
        ctx.expire_all()
        ctx.info.pop("evaluation_rule_versions", None)
        head = actor_of(ctx, unit.head)
        sid = sheet_of(ctx, unit.staff[0])
        with statements(ctx) as seen:
            assert Q.inbox(ctx, actor_of(ctx, unit.deputy)).total == 3
            n_inbox = len(seen)
            S.sheet_view(ctx, sid, head)
            n_view = len(seen) - n_inbox
            Q.review_list(ctx, head, "2026-11", unit.unit_id)
            n_review = len(seen) - n_inbox - n_view
        counts.append((n_inbox, n_view, n_review))
    assert counts[0] == counts[1] and max(counts[0]) <= 12, counts
