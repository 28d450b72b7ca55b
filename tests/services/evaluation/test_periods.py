"""Opening, auto-forwarding, extending and closing periods, on the demo district."""
from __future__ import annotations

import datetime as dt
import json

import holidays
import pytest
from sqlalchemy import func, select, update

from app.domain.errors import PermissionDenied, ValidationError
from app.domain.evaluation import workflow as wf
from app.domain.evaluation.periods import STEP_COMMENT, STEP_SELF, parse_key
from app.services.evaluation import periods as service

d = dt.date


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    from app.domain.dates import TZ

    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _version_id(session, code: str, effective_from: str) -> int:
    from app.models import RuleSet, RuleSetVersion

    return session.scalar(select(RuleSetVersion.id).join(RuleSet).where(RuleSet.code == code, RuleSetVersion.effective_from == effective_from))


# -- working days from the holidays package -----------------------------------------------------------------
def test_tet_2026_comes_from_the_holidays_package():
    vn = holidays.country_holidays("VN", years=2026)
    tet = {day for day in vn if day.month == 2}
    assert {d(2026, 2, 16), d(2026, 2, 17), d(2026, 2, 18), d(2026, 2, 19), d(2026, 2, 20)} <= tet
    off, extra = service.vietnamese_days_off(parse_key("2026-02"))
    assert off == tet and extra == set()
    weekdays = sum(1 for i in range(28) if d(2026, 2, 1 + i).weekday() < 5)
    assert service.default_working_days(parse_key("2026-02")) == weekdays - len({x for x in tet if x.weekday() < 5}) == 15


def test_a_bridge_day_and_its_saturday_from_the_holidays_package():
    off, extra = service.vietnamese_days_off(parse_key("2026-08"))
    assert d(2026, 8, 31) in off and d(2026, 8, 22) in extra
    assert service.default_working_days(parse_key("2026-08")) == 21


@pytest.mark.parametrize("key", ["2026-01", "2026-04", "2026-09", "2026-Q1", "2027-02"])
def test_default_working_days_agree_with_the_package(key):
    k = parse_key(key)
    vn = holidays.country_holidays("VN", years=sorted({y for y, _ in k.months}))
    expected = vn.get_working_days_count(k.first_day, k.last_day)
    assert service.default_working_days(k) == expected


# -- opening ----------------------------------------------------------------------------------------------
def test_open_creates_one_sheet_per_person_with_a_unit_with_the_routing(ctx, admin):
    from app.models import Period, Sheet, Staff

    period = service.open_period(ctx, "2026-11", admin, now=at(d(2026, 11, 1)))
    people = {
        r.id: (r.unit_id, r.department_id, r.eval_role, r.reviewer_id, r.evaluator_id)
        for r in ctx.execute(select(Staff.id, Staff.unit_id, Staff.department_id, Staff.eval_role, Staff.reviewer_id, Staff.evaluator_id)
                             .where(Staff.unit_id.isnot(None)))
    }
    sheets = {
        s.person_id: (s.unit_id, s.department_id, s.eval_role, s.commenter_id, s.evaluator_id)
        for s in ctx.scalars(select(Sheet).where(Sheet.period_id == period.id))
    }
    assert len(people) > 250 and sheets == people
    admin_user = ctx.scalar(select(Staff).where(Staff.username == "admin"))
    assert admin_user.unit_id is None and admin_user.id not in sheets
    assert any(v[3] is not None for v in sheets.values()) and any(v[3] is None for v in sheets.values())

    version = _version_id(ctx, "hn1841", "2021-12")
    rows = ctx.execute(select(Sheet.rule_version_id, Sheet.state, Sheet.version, Sheet.self_assessed, Sheet.created_at)
                       .where(Sheet.period_id == period.id).distinct()).all()
    assert rows == [(version, wf.DRAFT, 1, True, at(d(2026, 11, 1)))]
    p = ctx.scalar(select(Period).where(Period.key == "2026-11"))
    assert (p.kind, p.first_day, p.last_day, p.state, p.trial) == ("month", d(2026, 11, 1), d(2026, 11, 30), "open", False)
    assert p.working_days == 20  # 21 weekdays, minus Ngày Văn hóa Việt Nam (24/11) in the 2026 calendar
    w = p.windows
    assert (w.self_assessment.start, w.self_assessment.end) == (d(2026, 11, 20), d(2026, 11, 25))
    assert (w.comment.end, w.grading.end) == (d(2026, 11, 28), d(2026, 12, 4))
    assert p.opened_by_id == admin.id


def test_open_is_recorded_in_the_audit_log(ctx, admin):
    from app.models import AuditEvent, Sheet

    service.open_period(ctx, "2026-11", admin)
    event = ctx.scalar(select(AuditEvent).where(AuditEvent.action == "period_opened"))
    detail = json.loads(event.detail)
    assert event.actor_id == admin.id and detail["period"] == "2026-11" and detail["sheets"] == _count(ctx, Sheet) > 250
    assert event.action_label == "Mở kỳ đánh giá"


def test_a_locked_account_still_gets_a_sheet_and_a_self_routing_is_dropped(ctx, admin):
    from app.models import Sheet, Staff

    locked, selfish = ctx.scalars(select(Staff).where(Staff.unit_id.isnot(None), Staff.reviewer_id.isnot(None)).order_by(Staff.id).limit(2))
    locked.active, locked.locked_at, locked.lock_reason = False, at(d(2026, 10, 1)), "password_expired"
    selfish.reviewer_id = selfish.evaluator_id = selfish.id
    ctx.flush()
    period = service.open_period(ctx, "2026-11", admin)
    got = {s.person_id: s for s in ctx.scalars(select(Sheet).where(Sheet.period_id == period.id, Sheet.person_id.in_([locked.id, selfish.id])))}
    assert set(got) == {locked.id, selfish.id}
    assert got[selfish.id].commenter_id is None and got[selfish.id].evaluator_id is None


def test_quarter_and_trial_and_overrides(ctx, admin):
    p = service.open_period(ctx, "2026-q4", admin, trial=True, working_days="60",
                            windows={"self_assessment": ["2026-12-15", "2026-12-22"], "grading": ("2026-12-20", "2027-01-10")})
    assert (p.key, p.kind, p.trial, p.working_days) == ("2026-Q4", "quarter", True, 60)
    assert (p.self_from, p.self_to) == (d(2026, 12, 15), d(2026, 12, 22))
    assert (p.comment_from, p.comment_to) == (d(2026, 12, 20), d(2026, 12, 28))
    assert p.grading_to == d(2027, 1, 10)


@pytest.mark.parametrize("key,kwargs,code,field", [
    ("2026-13", {}, "bad_period", "period"),
    ("", {}, "bad_period", "period"),
    ("2026-11", {"working_days": 0}, "bad_working_days", "working_days"),
    ("2026-11", {"working_days": "31"}, "bad_working_days", "working_days"),
    ("2026-11", {"windows": {"comment": ("2026-11-28", "2026-11-20")}}, "bad_window", "windows.comment"),
    ("2026-11", {"windows": {"vote": ("2026-11-20", "2026-11-21")}}, "bad_window", "windows.vote"),
    ("2021-11", {}, "no_rule_set", "period"),  # before any version of the default family
])
def test_open_refuses_bad_input_and_creates_nothing(ctx, admin, key, kwargs, code, field):
    from app.models import Period, Sheet
    from app.services.uow import unit_of_work

    with pytest.raises(ValidationError) as exc:
        with unit_of_work(ctx):
            service.open_period(ctx, key, admin, **kwargs)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert _count(ctx, Period) == 0 and _count(ctx, Sheet) == 0


def test_an_open_key_is_refused(ctx, admin):
    service.open_period(ctx, "2026-11", admin)
    with pytest.raises(ValidationError) as exc:
        service.open_period(ctx, " 2026-11", admin)
    assert exc.value.code == "period_exists" and exc.value.message == "Kỳ đánh giá 2026-11 (tháng 11/2026) đã được mở."


def test_only_the_district_admin_opens_and_the_attempt_is_on_record(ctx, staff_actor):
    from app.models import AuditEvent, Period
    from app.services.uow import unit_of_work

    with pytest.raises(PermissionDenied) as exc:
        with unit_of_work(ctx):
            service.open_period(ctx, "2026-11", staff_actor)
    assert exc.value.message == "Chỉ quản trị cấp quận mới được mở kỳ đánh giá."
    assert _count(ctx, Period) == 0
    row = ctx.scalar(select(AuditEvent).where(AuditEvent.action == "access_denied"))
    assert row.actor_id == staff_actor.id and row.target_label == "2026-11"


def test_a_unit_with_its_own_rule_set(ctx, admin):
    from app.models import OrgUnit, RuleSet, Sheet, UnitEvalSetting

    unit = ctx.scalar(select(OrgUnit).where(OrgUnit.name == "UBND phường Kim Mã"))
    nd335 = ctx.scalar(select(RuleSet).where(RuleSet.code == "nd335"))
    ctx.add(UnitEvalSetting(unit_id=unit.id, rule_set_id=nd335.id))
    ctx.flush()
    period = service.open_period(ctx, "2026-11", admin)
    kim_ma = set(ctx.scalars(select(Sheet.rule_version_id).where(Sheet.period_id == period.id, Sheet.unit_id == unit.id)))
    others = set(ctx.scalars(select(Sheet.rule_version_id).where(Sheet.period_id == period.id, Sheet.unit_id != unit.id)))
    assert kim_ma == {_version_id(ctx, "nd335", "2026-01")} and others == {_version_id(ctx, "hn1841", "2021-12")}
    with pytest.raises(ValidationError) as exc:  # NĐ 335 is in force only from 2026-01
        service.open_period(ctx, "2025-12", admin)
    assert exc.value.code == "no_rule_set" and "NĐ 335/2025" in exc.value.message


# -- auto-forward -----------------------------------------------------------------------------------------
def _sheets(ctx, period):
    from app.models import Sheet

    ctx.expire_all()
    return list(ctx.scalars(select(Sheet).where(Sheet.period_id == period.id).order_by(Sheet.id)))


def test_auto_forward_moves_overdue_drafts_to_the_evaluator(ctx, admin):
    from app.models import Sheet, SheetEvent

    period = service.open_period(ctx, "2026-11", admin)
    first = _sheets(ctx, period)[0]
    ctx.execute(update(Sheet).where(Sheet.id == first.id).values(state=wf.SUBMITTED, version=Sheet.version + 1))
    assert service.auto_forward_overdue(ctx, at(d(2026, 11, 25), 23)) == 0  # the window's last day
    n = service.auto_forward_overdue(ctx, at(d(2026, 11, 26), 0))
    sheets = _sheets(ctx, period)
    assert n == len(sheets) - 1
    for s in sheets[1:]:
        assert s.state == (wf.COMMENTED if s.commenter_id else wf.SUBMITTED)
        assert (s.self_assessed, s.version, s.opened_at) == (False, 2, None)
    assert sheets[0].state == wf.SUBMITTED and sheets[0].self_assessed
    events = ctx.scalars(select(SheetEvent).where(SheetEvent.action == wf.AUTO_FORWARD)).all()
    assert len(events) == n and {e.actor_id for e in events} == {None}
    assert {(e.from_state, e.to_state) for e in events} == {(wf.DRAFT, wf.COMMENTED), (wf.DRAFT, wf.SUBMITTED)}
    assert events[0].action_label == "Không tự đánh giá (chuyển tự động)"
    assert service.auto_forward_overdue(ctx, at(d(2026, 11, 27))) == 0  # nothing left to move


def test_a_unit_extension_holds_its_drafts_back(ctx, admin):
    from app.models import OrgUnit

    period = service.open_period(ctx, "2026-11", admin)
    unit = ctx.scalar(select(OrgUnit).where(OrgUnit.name == "Phòng Tư pháp"))
    service.extend(ctx, period, unit, STEP_SELF, "2026-11-28", admin, "Đơn vị đi học tập trung")
    held = sum(1 for s in _sheets(ctx, period) if s.unit_id == unit.id)
    total = len(_sheets(ctx, period))
    assert service.auto_forward_overdue(ctx, at(d(2026, 11, 26))) == total - held
    assert {s.state for s in _sheets(ctx, period) if s.unit_id == unit.id} == {wf.DRAFT}
    assert service.open_steps(ctx, period, unit.id, d(2026, 11, 27)) == {STEP_SELF, STEP_COMMENT, "grading"}
    assert service.auto_forward_overdue(ctx, at(d(2026, 11, 29))) == held


def test_closed_periods_are_not_auto_forwarded(ctx, admin):
    period = service.open_period(ctx, "2026-11", admin)
    service.close_period(ctx, period, admin, now=at(d(2026, 11, 10)))
    assert service.auto_forward_overdue(ctx, at(d(2026, 12, 1))) == 0


# -- close ------------------------------------------------------------------------------------------------
def test_close_forwards_the_drafts_and_locks(ctx, admin):
    from app.models import AuditEvent, Sheet

    period = service.open_period(ctx, "2026-11", admin)
    first = _sheets(ctx, period)[0]
    ctx.execute(update(Sheet).where(Sheet.id == first.id).values(state=wf.FINALISED, grade="B", version=Sheet.version + 1))
    result = service.close_period(ctx, period, admin, now=at(d(2026, 12, 5)))
    sheets = _sheets(ctx, period)
    assert result["forwarded"] == len(sheets) - 1
    assert result["by_state"][wf.FINALISED] == 1 and sum(result["by_state"].values()) == len(sheets)
    assert not any(s.state == wf.DRAFT for s in sheets)
    assert period.state == "closed" and period.is_closed and period.closed_at == at(d(2026, 12, 5))
    assert ctx.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "period_closed")) == 1
    with pytest.raises(ValidationError) as exc:
        service.close_period(ctx, period, admin)
    assert exc.value.code == "period_closed"
    # the workflow refuses everything on a closed period
    facts = wf.Facts(period_closed=period.is_closed, reason="x")
    with pytest.raises(ValidationError):
        wf.transition(wf.FINALISED, wf.REOPEN, wf.ADMIN, facts)
    assert service.open_steps(ctx, period, first.unit_id, d(2026, 11, 22)) == frozenset()


def test_only_the_district_admin_closes(ctx, admin, staff_actor):
    period = service.open_period(ctx, "2026-11", admin)
    with pytest.raises(PermissionDenied):
        service.close_period(ctx, period, staff_actor)
    assert period.state == "open"


# -- extensions, working days, windows ------------------------------------------------------------------------
def test_extend_validates_and_replaces(ctx, admin, staff_actor):
    from app.models import OrgUnit, PeriodExtension

    period = service.open_period(ctx, "2026-11", admin)
    unit = ctx.scalar(select(OrgUnit).where(OrgUnit.name == "Phòng Tư pháp"))
    block = ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "block").limit(1))
    cases = [
        ((block, STEP_SELF, "2026-11-28", admin, "x"), "bad_unit"),
        ((unit, "vote", "2026-11-28", admin, "x"), "bad_window"),
        ((unit, STEP_SELF, "2026-11-25", admin, "x"), "bad_extension"),
        ((unit, STEP_SELF, "28/11/2026", admin, "x"), "bad_date"),
        ((unit, STEP_SELF, "2026-11-28", admin, "  "), "reason_required"),
    ]
    for args, code in cases:
        with pytest.raises(ValidationError) as exc:
            service.extend(ctx, period, *args)
        assert exc.value.code == code
    with pytest.raises(PermissionDenied):
        service.extend(ctx, period, unit, STEP_SELF, "2026-11-28", staff_actor, "x")
    service.extend(ctx, period, unit, STEP_SELF, "2026-11-27", admin, "Lý do một")
    service.extend(ctx, period, unit, STEP_SELF, d(2026, 11, 29), admin, "Lý do hai")
    rows = ctx.scalars(select(PeriodExtension)).all()
    assert [(r.unit_id, r.step, r.until, r.reason) for r in rows] == [(unit.id, STEP_SELF, d(2026, 11, 29), "Lý do hai")]
    assert service.unit_extensions(ctx, period, unit.id) == {STEP_SELF: d(2026, 11, 29)}


def test_set_working_days_and_windows(ctx, admin):
    period = service.open_period(ctx, "2026-11", admin)
    service.set_working_days(ctx, period, 19, admin)
    assert period.working_days == 19
    with pytest.raises(ValidationError):
        service.set_working_days(ctx, period, 40, admin)
    service.set_windows(ctx, period, {"comment": ("2026-11-21", "2026-11-30")}, admin)
    assert (period.comment_from, period.comment_to, period.self_to) == (d(2026, 11, 21), d(2026, 11, 30), d(2026, 11, 25))
    with pytest.raises(ValidationError) as exc:  # grading would end before the comment step
        service.set_windows(ctx, period, {"grading": ("2026-11-20", "2026-11-29")}, admin)
    assert exc.value.field == "windows.grading"
    service.close_period(ctx, period, admin)
    with pytest.raises(ValidationError) as exc:
        service.set_working_days(ctx, period, 18, admin)
    assert exc.value.code == "period_closed"


def test_list_and_find(ctx, admin):
    from app.domain.errors import OutOfReach

    service.open_period(ctx, "2026-10", admin)
    service.open_period(ctx, "2026-11", admin)
    service.open_period(ctx, "2026-Q3", admin)
    assert [p.key for p in service.list_periods(ctx)] == ["2026-11", "2026-10", "2026-Q3"]
    assert service.find_period(ctx, "2026-q3").key == "2026-Q3" and service.find_period(ctx, "2026-12") is None
    with pytest.raises(OutOfReach) as exc:
        service.get_period(ctx, "2026-12")
    assert exc.value.message == "Chưa có kỳ đánh giá 2026-12."


@pytest.mark.parametrize("first, second, clash", [
    ("2026-11", "2026-Q4", "2026-11"),
    ("2026-Q4", "2026-12", "2026-Q4"),
    ("2026-Q4", "2026-10", "2026-Q4"),
])
def test_overlapping_periods_are_refused(ctx, admin, first, second, clash):
    from app.models import Period, Sheet
    from sqlalchemy import func, select

    service.open_period(ctx, first, admin)
    sheets = ctx.scalar(select(func.count(Sheet.id)))
    with pytest.raises(ValidationError) as exc:
        service.open_period(ctx, second, admin)
    assert (exc.value.code, exc.value.field) == ("period_overlap", "period")
    assert f"trùng thời gian với kỳ {clash}" in exc.value.message
    assert ctx.scalar(select(func.count(Period.id))) == 1 and ctx.scalar(select(func.count(Sheet.id))) == sheets


def test_adjacent_month_after_a_quarter_opens(ctx, admin):
    service.open_period(ctx, "2026-Q3", admin)
    assert service.open_period(ctx, "2026-10", admin).key == "2026-10"
