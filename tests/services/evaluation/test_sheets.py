"""Every sheet transition through its service, with good and bad input; a refusal changes nothing."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.domain.errors import Conflict, OutOfReach, PermissionDenied, ValidationError
from app.domain.evaluation import workflow as wf
from app.services.evaluation import sheets as S
from app.services.uow import unit_of_work
from tests.evaluation_fixtures import (
    AFTER_ALL, COMMENT_DAY, GRADING_DAY, SELF_DAY, actor_of, admin_actor, clock_at, fingerprint, full_scores,
    make_unit, open_period, sheet_of,
)


@pytest.fixture
def unit(ctx):
    u = make_unit(ctx, size=12)
    open_period(ctx)
    return u


def run(session, fn, *args, **kwargs):
    """A service call in its own unit of work, as views and the API make it."""
    with unit_of_work(session):
        return fn(session, *args, **kwargs)


def version(session, sheet_id):
    from app.models import Sheet

    session.expire_all()
    return session.get(Sheet, sheet_id).version


def sheet(session, sheet_id):
    from app.models import Sheet

    session.expire_all()
    return session.get(Sheet, sheet_id)


def events(session, sheet_id):
    from app.models import SheetEvent

    return session.execute(select(SheetEvent.action, SheetEvent.from_state, SheetEvent.to_state, SheetEvent.actor_id,
                                  SheetEvent.reason).where(SheetEvent.sheet_id == sheet_id).order_by(SheetEvent.id)).all()


def audit_actions(session, unit_id):
    from app.models import AuditEvent

    return [a for (a,) in session.execute(select(AuditEvent.action).where(AuditEvent.unit_id == unit_id).order_by(AuditEvent.id))]


def refused(session, sheet_id, exc_type, code, fn, *args, field=None, **kwargs):
    """Call ``fn`` in a unit of work; it must refuse with ``code`` (and ``field``) and change nothing."""
    before = fingerprint(session, sheet_id)
    with pytest.raises(exc_type) as info:
        run(session, fn, *args, **kwargs)
    assert info.value.code == code, (info.value.code, info.value.message)
    if field is not None:
        assert info.value.field == field
    assert info.value.message and any(ch in info.value.message for ch in "ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ"), info.value.message
    assert fingerprint(session, sheet_id) == before
    return info.value


def staff_sheet(ctx, unit, i=0):
    return sheet_of(ctx, unit.staff[i])


def to_submitted(ctx, unit, sid, owner):
    clock_at(SELF_DAY)
    run(ctx, S.submit, sid, actor_of(ctx, owner), version(ctx, sid), scores=full_scores(ctx, sid), worked_days=20)


def to_commented(ctx, unit, sid, owner):
    to_submitted(ctx, unit, sid, owner)
    clock_at(COMMENT_DAY)
    run(ctx, S.comment, sid, actor_of(ctx, unit.deputy), version(ctx, sid), "Hoàn thành tốt nhiệm vụ được giao.")


# -- self-assessment ---------------------------------------------------------------------------------------
def test_save_self_stores_scores_totals_event_and_audit(ctx, unit):
    clock_at(SELF_DAY)
    owner = unit.staff[0]
    sid = staff_sheet(ctx, unit)
    scores = full_scores(ctx, sid, points={"I.1": "4.5", "II.1": "25"}, bonus="Sáng kiến số hóa hồ sơ một cửa")
    s = run(ctx, S.save_self, sid, actor_of(ctx, owner), 1, scores, worked_days="19,5")
    s = sheet(ctx, sid)
    assert (s.state, s.version, s.worked_days, s.self_total) == (wf.DRAFT, 2, Decimal("19.50"), Decimal("89.50"))
    by_code = {row.criterion.code: row for row in s.scores}
    assert by_code["I.1"].self_points == Decimal("4.50") and by_code["III.1"].note == "Sáng kiến số hóa hồ sơ một cửa"
    assert "IV.1" not in by_code  # rows are created only for what was given
    assert events(ctx, sid) == [(wf.SAVE_SELF, wf.DRAFT, wf.DRAFT, owner, None)]
    assert audit_actions(ctx, unit.unit_id)[-1] == "sheet_save_self"


def test_save_self_replaces_the_whole_self_assessment(ctx, unit):
    clock_at(SELF_DAY)
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    run(ctx, S.save_self, sid, actor_of(ctx, owner), 1, full_scores(ctx, sid), worked_days=20)
    first = full_scores(ctx, sid)[:1]
    run(ctx, S.save_self, sid, actor_of(ctx, owner), 2, first, worked_days=None)
    s = sheet(ctx, sid)
    given = [row for row in s.scores if row.self_points is not None]
    assert len(given) == 1 and s.worked_days is None and s.self_total == Decimal(first[0]["points"])


BAD_SELF = [
    # (case, scores change {code: (points, note)}, worked days, code, field is the criterion's)
    ("above max", {"I.1": ("5.5", "")}, 20, "above_max", "I.1"),
    ("negative", {"I.1": ("-1", "")}, 20, "negative", "I.1"),
    ("not a number", {"I.1": ("năm", "")}, 20, "not_a_number", "I.1"),
    ("NaN", {"I.1": ("NaN", "")}, 20, "not_a_number", "I.1"),
    ("infinity", {"I.1": (float("inf"), "")}, 20, "not_a_number", "I.1"),
    ("boolean", {"I.1": (True, "")}, 20, "not_a_number", "I.1"),
    ("three decimals", {"II.2": ("12.345", "")}, 20, "too_many_decimals", "II.2"),
    ("bonus without justification", {"III.2": ("3", "  ")}, 20, "bonus_note", "III.2"),
    ("worked days above working days", {}, 30, "above_max", "worked_days"),
    ("negative worked days", {}, -2, "negative", "worked_days"),
    ("worked days not a number", {}, "hai mươi", "not_a_number", "worked_days"),
]


@pytest.mark.parametrize("case,change,worked,code,field", BAD_SELF, ids=[c[0] for c in BAD_SELF])
def test_bad_self_assessment_is_refused_on_its_field_and_changes_nothing(ctx, unit, case, change, worked, code, field):
    from app.models import Sheet

    clock_at(SELF_DAY)
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    rule = S.rule_version(ctx, ctx.get(Sheet, sid).rule_version_id)
    scores = [r for r in full_scores(ctx, sid) if rule.criterion(r["criterion_id"]).code not in change]
    scores += [{"criterion_id": rule.criterion(code_).id, "points": p, "note": n} for code_, (p, n) in change.items()]
    expected_field = "worked_days" if field == "worked_days" else f"scores.{rule.criterion(field).id}"
    for fn in (S.save_self, S.submit):
        err = refused(ctx, sid, ValidationError, code, fn, sid, actor_of(ctx, owner), 1, scores, worked_days=worked,
                      field=expected_field)
        assert err.http_status == 400


def test_unknown_and_duplicate_criteria_and_bad_shapes_are_refused(ctx, unit):
    clock_at(SELF_DAY)
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    me = actor_of(ctx, owner)
    refused(ctx, sid, ValidationError, "unknown_criterion", S.save_self, sid, me, 1,
            [{"criterion_id": 999999, "points": 1, "note": ""}], field="scores.999999")
    one = full_scores(ctx, sid)[0]
    refused(ctx, sid, ValidationError, "duplicate_criterion", S.save_self, sid, me, 1, [one, one])
    refused(ctx, sid, ValidationError, "bad_scores", S.save_self, sid, me, 1, "5 điểm")
    refused(ctx, sid, ValidationError, "bad_scores", S.save_self, sid, me, 1, [{"points": 1}], field="scores[0]")


def test_a_normal_group_above_its_cap_is_refused(ctx, unit):
    from app.models import CriterionGroup as GroupRow, Sheet

    clock_at(SELF_DAY)
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    version_id = ctx.get(Sheet, sid).rule_version_id
    group = ctx.scalar(select(GroupRow).where(GroupRow.version_id == version_id, GroupRow.code == "I"))
    group.max_points = Decimal("18")  # criteria 4 × 5 = 20 > 18 (an admin's edit of an unfrozen version)
    ctx.commit()
    ctx.info.pop("evaluation_rule_versions", None)
    refused(ctx, sid, ValidationError, "group_above_max", S.save_self, sid, actor_of(ctx, owner), 1, full_scores(ctx, sid),
            worked_days=20, field="groups.I")


def test_submit_needs_every_normal_criterion_and_the_worked_days(ctx, unit):
    clock_at(SELF_DAY)
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    me = actor_of(ctx, owner)
    partial = full_scores(ctx, sid)[1:]
    refused(ctx, sid, ValidationError, "required", S.submit, sid, me, 1, partial, worked_days=20)
    refused(ctx, sid, ValidationError, "required", S.submit, sid, me, 1, full_scores(ctx, sid), worked_days=None,
            field="worked_days")
    run(ctx, S.save_self, sid, me, 1, partial, worked_days=20)
    refused(ctx, sid, ValidationError, "required", S.submit, sid, me, 2)  # what was saved is incomplete


def test_submit_moves_the_sheet_to_its_commenter(ctx, unit):
    clock_at(SELF_DAY)
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    me = actor_of(ctx, owner)
    run(ctx, S.save_self, sid, me, 1, full_scores(ctx, sid, 0.9), worked_days=20)
    run(ctx, S.submit, sid, me, 2)
    s = sheet(ctx, sid)
    assert (s.state, s.self_total, s.submitted_at is not None, s.self_assessed) == (wf.SUBMITTED, Decimal("81.00"), True, True)
    assert wf.holder(s.state, s.commenter_id is not None) == wf.COMMENTER and s.commenter_id == unit.deputy
    assert [e[0] for e in events(ctx, sid)] == [wf.SAVE_SELF, wf.SUBMIT]


def test_outside_the_self_window_nothing_is_saved(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    for day in (dt_date(2026, 11, 19), COMMENT_DAY):
        clock_at(day)
        refused(ctx, sid, ValidationError, "window_closed", S.save_self, sid, actor_of(ctx, owner), 1, full_scores(ctx, sid))


def dt_date(y, m, d):
    import datetime as dt

    return dt.date(y, m, d)


def test_a_unit_extension_keeps_the_self_window_open_for_that_unit_only(ctx, unit):
    from app.models import OrgUnit, Period
    from app.services.evaluation import periods

    period = ctx.scalar(select(Period))
    with unit_of_work(ctx):
        periods.extend(ctx, period, ctx.get(OrgUnit, unit.unit_id), "self_assessment", "2026-11-27", admin_actor(ctx),
                       "Đơn vị tổ chức đại hội")
    clock_at(COMMENT_DAY)
    sid = staff_sheet(ctx, unit)
    run(ctx, S.save_self, sid, actor_of(ctx, unit.staff[0]), 1, full_scores(ctx, sid), worked_days=20)
    assert sheet(ctx, sid).version == 2
    other = ctx.scalar(select(func.min(OrgUnit.id)).where(OrgUnit.kind == "unit", OrgUnit.id != unit.unit_id))
    from app.models import Sheet

    foreign = ctx.scalar(select(Sheet).where(Sheet.unit_id == other).order_by(Sheet.id).limit(1))
    refused(ctx, foreign.id, ValidationError, "window_closed", S.save_self, foreign.id, actor_of(ctx, foreign.person_id), 1,
            full_scores(ctx, foreign.id))


def test_stale_version_is_a_conflict(ctx, unit):
    clock_at(SELF_DAY)
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    me = actor_of(ctx, owner)
    run(ctx, S.save_self, sid, me, 1, full_scores(ctx, sid), worked_days=20)
    err = refused(ctx, sid, Conflict, "stale", S.save_self, sid, me, 1, full_scores(ctx, sid, 0.5), worked_days=20)
    assert err.message == "Phiếu đã được người khác thay đổi, hãy tải lại." and err.http_status == 409
    refused(ctx, sid, Conflict, "stale", S.submit, sid, me, "2x")


def test_not_routed_to_you(ctx, unit):
    """Another staff member of the unit cannot see the sheet (404); a leader of the unit may see it, not act (403)."""
    clock_at(SELF_DAY)
    sid = staff_sheet(ctx, unit)
    scores = full_scores(ctx, sid)
    refused(ctx, sid, OutOfReach, "not_found", S.save_self, sid, actor_of(ctx, unit.staff[1]), 1, scores)
    refused(ctx, sid, PermissionDenied, "read_only", S.save_self, sid, actor_of(ctx, unit.synthesis), 1, scores)
    # the commenter and the evaluator see it but may not self-assess it
    refused(ctx, sid, PermissionDenied, "not_allowed", S.save_self, sid, actor_of(ctx, unit.deputy), 1, scores)
    refused(ctx, sid, PermissionDenied, "not_allowed", S.submit, sid, actor_of(ctx, unit.head), 1, scores)


def test_refusals_outside_reach_are_on_record(ctx, unit):
    from app.models import AuditEvent

    clock_at(SELF_DAY)
    sid = staff_sheet(ctx, unit)
    before = ctx.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "access_denied"))
    refused(ctx, sid, OutOfReach, "not_found", S.submit, sid, actor_of(ctx, unit.staff[1]), 1)
    refused(ctx, sid, PermissionDenied, "read_only", S.submit, sid, actor_of(ctx, unit.synthesis), 1)
    rows = ctx.execute(select(AuditEvent.actor_id, AuditEvent.detail).where(AuditEvent.action == "access_denied")
                       .order_by(AuditEvent.id)).all()[before:]
    assert [r.actor_id for r in rows] == [unit.staff[1], unit.synthesis]
    assert json.loads(rows[0].detail) == {"sheet": sid}


def test_a_missing_sheet_is_not_found(ctx, unit):
    for bad in (10 ** 9, "abc", None):
        with pytest.raises(OutOfReach):
            S.open_sheet(ctx, bad, actor_of(ctx, unit.head))


def test_services_need_an_explicit_actor(ctx, unit):
    with pytest.raises(TypeError):
        S.submit(ctx, staff_sheet(ctx, unit), None, 1)


# -- recall ------------------------------------------------------------------------------------------------
def test_recall_before_the_commenter_opens_it_and_not_after(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_submitted(ctx, unit, sid, owner)
    me = actor_of(ctx, owner)
    run(ctx, S.recall, sid, me, version(ctx, sid))
    assert sheet(ctx, sid).state == wf.DRAFT
    run(ctx, S.submit, sid, me, version(ctx, sid))
    # the owner viewing does not stamp; the commenter viewing does (and bumps the version)
    with unit_of_work(ctx):
        S.open_sheet(ctx, sid, me)
    assert sheet(ctx, sid).opened_at is None
    v = version(ctx, sid)
    with unit_of_work(ctx):
        seen = S.open_sheet(ctx, sid, actor_of(ctx, unit.deputy))
    assert seen.sheet.opened_at is not None and seen.sheet.version == v + 1
    assert wf.RECALL not in S.sheet_view(ctx, sid, me).actions
    refused(ctx, sid, ValidationError, "already_opened", S.recall, sid, me, v + 1)
    assert [e[0] for e in events(ctx, sid)] == [wf.SUBMIT, wf.RECALL, wf.SUBMIT]


def test_commenter_recalls_a_comment_the_evaluator_has_not_opened(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_commented(ctx, unit, sid, owner)
    run(ctx, S.recall, sid, actor_of(ctx, unit.deputy), version(ctx, sid))
    assert sheet(ctx, sid).state == wf.SUBMITTED
    run(ctx, S.comment, sid, actor_of(ctx, unit.deputy), version(ctx, sid), "Nhận xét lại.")
    clock_at(GRADING_DAY)
    with unit_of_work(ctx):
        S.open_sheet(ctx, sid, actor_of(ctx, unit.head))
    refused(ctx, sid, ValidationError, "already_opened", S.recall, sid, actor_of(ctx, unit.deputy), version(ctx, sid))


# -- comment -----------------------------------------------------------------------------------------------
def test_save_comment_then_comment(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_submitted(ctx, unit, sid, owner)
    clock_at(COMMENT_DAY)
    deputy = actor_of(ctx, unit.deputy)
    run(ctx, S.save_comment, sid, deputy, version(ctx, sid), "Bản nháp")
    assert (sheet(ctx, sid).state, sheet(ctx, sid).comment) == (wf.SUBMITTED, "Bản nháp")
    refused(ctx, sid, ValidationError, "comment_required", S.comment, sid, deputy, version(ctx, sid), "   ", field="text")
    run(ctx, S.comment, sid, deputy, version(ctx, sid), "  Chấp hành tốt.  ")
    s = sheet(ctx, sid)
    assert (s.state, s.comment, s.commented_at is not None, s.opened_at) == (wf.COMMENTED, "Chấp hành tốt.", True, None)


def test_comment_outside_its_window_or_by_the_evaluator_is_refused(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_submitted(ctx, unit, sid, owner)
    clock_at(GRADING_DAY)
    refused(ctx, sid, ValidationError, "window_closed", S.comment, sid, actor_of(ctx, unit.deputy), version(ctx, sid), "Muộn")
    clock_at(COMMENT_DAY)
    refused(ctx, sid, PermissionDenied, "not_allowed", S.comment, sid, actor_of(ctx, unit.head), version(ctx, sid), "Tôi")
    refused(ctx, sid, PermissionDenied, "not_your_turn", S.finalise, sid, actor_of(ctx, unit.head), version(ctx, sid))


# -- return ------------------------------------------------------------------------------------------------
def test_returns_go_one_step_back_with_a_reason(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_submitted(ctx, unit, sid, owner)
    clock_at(COMMENT_DAY)
    deputy = actor_of(ctx, unit.deputy)
    refused(ctx, sid, ValidationError, "reason_required", S.return_sheet, sid, deputy, version(ctx, sid), " ", field="reason")
    run(ctx, S.return_sheet, sid, deputy, version(ctx, sid), "Bổ sung minh chứng điểm thưởng")
    assert sheet(ctx, sid).state == wf.DRAFT
    assert events(ctx, sid)[-1] == (wf.RETURN, wf.SUBMITTED, wf.DRAFT, unit.deputy, "Bổ sung minh chứng điểm thưởng")
    # back to commented, the evaluator returns to the commenter
    clock_at(dt_date(2026, 11, 25))
    run(ctx, S.submit, sid, actor_of(ctx, owner), version(ctx, sid))
    clock_at(COMMENT_DAY)
    run(ctx, S.comment, sid, deputy, version(ctx, sid), "Đã bổ sung.")
    clock_at(GRADING_DAY)
    run(ctx, S.return_sheet, sid, actor_of(ctx, unit.head), version(ctx, sid), "Nhận xét chưa rõ")
    assert sheet(ctx, sid).state == wf.SUBMITTED


# -- final grade -------------------------------------------------------------------------------------------
def test_finalise_grades_from_the_final_scores(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_commented(ctx, unit, sid, owner)
    clock_at(GRADING_DAY)
    head = actor_of(ctx, unit.head)
    run(ctx, S.save_final, sid, head, version(ctx, sid), full_scores(ctx, sid, {"II.1": "24.5"}))
    s = sheet(ctx, sid)
    assert (s.state, s.final_total, s.computed_grade, s.grade) == (wf.COMMENTED, Decimal("84.50"), "B", None)
    run(ctx, S.finalise, sid, head, version(ctx, sid), full_scores(ctx, sid, {"II.1": "29.5"}))
    s = sheet(ctx, sid)
    assert (s.state, s.final_total, s.grade, s.working_days, s.finalised_at is not None) == (
        wf.FINALISED, Decimal("89.50"), "B", s.period.working_days, True)
    assert [e[0] for e in events(ctx, sid)][-2:] == [wf.SAVE_FINAL, wf.FINALISE]


def test_finalise_without_scores_takes_the_saved_ones_then_the_self_assessment(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_commented(ctx, unit, sid, owner)
    clock_at(GRADING_DAY)
    head = actor_of(ctx, unit.head)
    first = full_scores(ctx, sid, {"I.1": "3"})[:1]
    run(ctx, S.save_final, sid, head, version(ctx, sid), first)
    run(ctx, S.finalise, sid, head, version(ctx, sid))
    s = sheet(ctx, sid)
    assert (s.final_total, s.grade) == (Decimal("88.00"), "B")
    finals = {row.criterion.code: row.final_points for row in s.scores}
    assert finals["I.1"] == Decimal("3.00") and finals["II.1"] == Decimal("30.00")


BAD_FINAL = [
    ("higher grade than the points", dict(scores_fraction=0.8, grade="A"), ValidationError, "grade_too_high", "grade"),
    ("lower grade without reason", dict(grade="C"), ValidationError, "lower_grade_reason", "grade_reason"),
    ("unknown grade", dict(grade="S"), ValidationError, "bad_grade", "grade"),
    ("fails without a decision reference", dict(fails={"reason": "Kỷ luật khiển trách"}), ValidationError,
     "fail_reference", "fails.reference"),
    ("attendance cap and an A", dict(worked_days=10, grade="A"), ValidationError, "grade_too_high", "grade"),
    ("worked days above working days", dict(worked_days=40), ValidationError, "above_max", "worked_days"),
    ("incomplete", dict(drop_first=True), ValidationError, "required", None),
]


@pytest.mark.parametrize("case,kw,exc,code,field", BAD_FINAL, ids=[c[0] for c in BAD_FINAL])
def test_bad_final_grade_is_refused_and_changes_nothing(ctx, unit, case, kw, exc, code, field):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_commented(ctx, unit, sid, owner)
    clock_at(GRADING_DAY)
    kw = dict(kw)
    scores = full_scores(ctx, sid, kw.pop("scores_fraction", "max"))
    if kw.pop("drop_first", False):
        scores = scores[1:]
    refused(ctx, sid, exc, code, S.finalise, sid, actor_of(ctx, unit.head), version(ctx, sid), scores, field=field, **kw)


def test_lower_grade_with_reason_fail_flag_and_attendance_cap(ctx, unit):
    head = actor_of(ctx, unit.head)
    a, b, c = (staff_sheet(ctx, unit, i) for i in range(3))
    for i, sid in enumerate((a, b, c)):
        to_commented(ctx, unit, sid, unit.staff[i])
    clock_at(GRADING_DAY)
    run(ctx, S.finalise, a, head, version(ctx, a), grade="B", grade_reason="Chưa chủ động trong công việc")
    run(ctx, S.finalise, b, head, version(ctx, b), fails={"reason": "Kỷ luật khiển trách", "reference": "12/QĐ-UBND"})
    run(ctx, S.finalise, c, head, version(ctx, c), worked_days="10")  # 10 of 20 days: at most C
    sa, sb, sc = sheet(ctx, a), sheet(ctx, b), sheet(ctx, c)
    assert (sa.grade, sa.computed_grade, sa.grade_reason) == ("B", "A", "Chưa chủ động trong công việc")
    assert (sb.grade, sb.fails, sb.fail_reason, sb.fail_reference) == ("D", True, "Kỷ luật khiển trách", "12/QĐ-UBND")
    assert (sc.grade, sc.worked_days) == ("C", Decimal("10.00"))


def test_finalise_outside_the_grading_window(ctx, unit):
    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_commented(ctx, unit, sid, owner)
    clock_at(AFTER_ALL)
    refused(ctx, sid, ValidationError, "window_closed", S.finalise, sid, actor_of(ctx, unit.head), version(ctx, sid))


def test_nobody_grades_themself(ctx, unit):
    """A person routed to review their own sheet (an admin's routing error) is refused as owner."""
    from app.models import Sheet

    owner, sid = unit.staff[0], staff_sheet(ctx, unit)
    to_submitted(ctx, unit, sid, owner)
    ctx.get(Sheet, sid).commenter_id = owner
    ctx.commit()
    clock_at(COMMENT_DAY)
    refused(ctx, sid, PermissionDenied, "self_review", S.comment, sid, actor_of(ctx, owner), version(ctx, sid), "Tốt")


# -- quota -------------------------------------------------------------------------------------------------
def test_quota_over_the_limit_needs_a_reason_which_is_logged(ctx):
    """12 sheets at 30 %: 3 A's; the fourth needs a reason (Conflict quota), then it is logged."""
    from app.models import AuditEvent

    unit = make_unit(ctx, size=12)
    open_period(ctx)
    head = actor_of(ctx, unit.head)
    ids = [sheet_of(ctx, p) for p in unit.staff[:4]]
    for person, sid in zip(unit.staff[:4], ids):
        to_commented(ctx, unit, sid, person)
    clock_at(GRADING_DAY)
    for sid in ids[:3]:
        run(ctx, S.finalise, sid, head, version(ctx, sid))
    view = S.sheet_view(ctx, ids[3], head)
    assert (view.quota.used, view.quota.limit, view.quota.message) == (3, 3, "Đơn vị đã có 3/3 A")
    err = refused(ctx, ids[3], Conflict, "quota", S.finalise, ids[3], head, version(ctx, ids[3]), field="quota_reason")
    assert "Đơn vị đã có 3/3 A" in err.message and err.http_status == 409
    run(ctx, S.finalise, ids[3], head, version(ctx, ids[3]), quota_reason="Hoàn thành xuất sắc nhiệm vụ đột xuất")
    s = sheet(ctx, ids[3])
    assert (s.grade, s.quota_reason) == ("A", "Hoàn thành xuất sắc nhiệm vụ đột xuất")
    logged = ctx.scalar(select(AuditEvent.detail).where(AuditEvent.action == "sheet_quota_override"))
    assert json.loads(logged)["reason"] == "Hoàn thành xuất sắc nhiệm vụ đột xuất"
    # a B never needs a reason
    assert S.sheet_view(ctx, ids[3], head).quota.used == 4


def test_an_exceptional_unit_has_the_higher_share(ctx):
    from app.models import UnitEvalSetting

    unit = make_unit(ctx, size=10)
    ctx.add(UnitEvalSetting(unit_id=unit.unit_id, quota_exceptional=True))
    ctx.commit()
    open_period(ctx)
    sid = sheet_of(ctx, unit.staff[0])
    assert S.sheet_view(ctx, sid, actor_of(ctx, unit.head)).quota.limit == 4  # 40 % of 10


def test_a_leaders_sheet_shows_the_units_results(ctx, unit):
    head_sheet = sheet_of(ctx, unit.head)
    sid = staff_sheet(ctx, unit)
    to_commented(ctx, unit, sid, unit.staff[0])
    clock_at(GRADING_DAY)
    run(ctx, S.finalise, sid, actor_of(ctx, unit.head), version(ctx, sid))
    view = S.sheet_view(ctx, head_sheet, actor_of(ctx, unit.outside_evaluator))
    assert view.unit_results.total == 12 and view.unit_results.by_grade == {"A": 1} and view.unit_results.finalised == 1
    assert view.quota is not None  # the evaluator sees the quota
    assert S.sheet_view(ctx, sid, actor_of(ctx, unit.head)).unit_results is None  # not a leader's sheet
    assert S.sheet_view(ctx, sid, actor_of(ctx, unit.staff[0])).quota is None  # the owner does not see it


# -- reopen and reassign -----------------------------------------------------------------------------------
def finalised_sheet(ctx, unit, i=0):
    sid = staff_sheet(ctx, unit, i)
    to_commented(ctx, unit, sid, unit.staff[i])
    clock_at(GRADING_DAY)
    run(ctx, S.finalise, sid, actor_of(ctx, unit.head), version(ctx, sid))
    return sid


def test_reopen_by_an_admin_in_scope_with_a_reason(ctx, unit, demo):
    own = finalised_sheet(ctx, unit, len(unit.staff) - 1)  # the unit admin's own sheet
    refused(ctx, own, PermissionDenied, "self_review", S.reopen, own, actor_of(ctx, unit.unit_admin), version(ctx, own), "Sửa")
    sid = finalised_sheet(ctx, unit)
    other_block_admin = demo.user("block_admin", "Khối Giáo dục")["id"]
    refused(ctx, sid, OutOfReach, "not_found", S.reopen, sid, actor_of(ctx, other_block_admin), version(ctx, sid), "Sửa")
    block_admin = demo.user("block_admin", "Khối xã, phường")["id"]
    refused(ctx, sid, ValidationError, "reason_required", S.reopen, sid, actor_of(ctx, block_admin), version(ctx, sid), "")
    refused(ctx, sid, PermissionDenied, "not_allowed", S.reopen, sid, actor_of(ctx, unit.head), version(ctx, sid), "Sửa")
    run(ctx, S.reopen, sid, actor_of(ctx, block_admin), version(ctx, sid), "Sai số ngày công")
    s = sheet(ctx, sid)
    assert (s.state, s.grade, s.finalised_at) == (wf.COMMENTED, None, None)
    assert events(ctx, sid)[-1] == (wf.REOPEN, wf.FINALISED, wf.COMMENTED, block_admin, "Sai số ngày công")


def test_reopen_refused_once_the_period_is_closed(ctx, unit):
    from app.models import Period
    from app.services.evaluation import periods

    sid = finalised_sheet(ctx, unit)
    with unit_of_work(ctx):
        periods.close_period(ctx, ctx.scalar(select(Period)), admin_actor(ctx))
    refused(ctx, sid, ValidationError, "period_closed", S.reopen, sid, admin_actor(ctx), version(ctx, sid), "Sửa")


def test_reassign_by_an_admin_in_scope(ctx, unit):
    owner, sid = unit.staff[1], staff_sheet(ctx, unit, 1)
    to_submitted(ctx, unit, sid, owner)
    clock_at(COMMENT_DAY)
    with unit_of_work(ctx):
        S.open_sheet(ctx, sid, actor_of(ctx, unit.deputy))
    unit_admin = actor_of(ctx, unit.unit_admin)
    new = unit.staff[2]
    refused(ctx, sid, ValidationError, "self_review", S.reassign, sid, unit_admin, version(ctx, sid), commenter_id=owner,
            field="commenter_id")
    outsider = unit.outside_evaluator
    refused(ctx, sid, ValidationError, "out_of_reach", S.reassign, sid, unit_admin, version(ctx, sid), evaluator_id=outsider,
            field="evaluator_id")
    refused(ctx, sid, ValidationError, "no_change", S.reassign, sid, unit_admin, version(ctx, sid), commenter_id=unit.deputy)
    refused(ctx, sid, ValidationError, "evaluator_required", S.reassign, sid, unit_admin, version(ctx, sid), evaluator_id=None)
    refused(ctx, sid, PermissionDenied, "not_allowed", S.reassign, sid, actor_of(ctx, unit.head), version(ctx, sid),
            commenter_id=new)
    run(ctx, S.reassign, sid, unit_admin, version(ctx, sid), commenter_id=new, reason="Lãnh đạo nghỉ phép")
    s = sheet(ctx, sid)
    assert (s.state, s.commenter_id, s.opened_at) == (wf.SUBMITTED, new, None)
    ev = events(ctx, sid)[-1]
    assert ev[:4] == (wf.REASSIGN, wf.SUBMITTED, wf.SUBMITTED, unit.unit_admin)
    # the new commenter's inbox has it, the old one's no longer
    from app.services.evaluation import inbox

    assert [i.sheet_id for i in inbox.inbox(ctx, actor_of(ctx, new)).items] == [sid]
    assert sid not in [i.sheet_id for i in inbox.inbox(ctx, actor_of(ctx, unit.deputy)).items]
    # the district admin may route to district leadership
    run(ctx, S.reassign, sid, admin_actor(ctx), version(ctx, sid), evaluator_id=outsider)
    assert sheet(ctx, sid).evaluator_id == outsider


# -- viewing -----------------------------------------------------------------------------------------------
def test_the_view_lists_the_buttons_of_each_role(ctx, unit):
    clock_at(SELF_DAY)
    sid = staff_sheet(ctx, unit)
    owner = actor_of(ctx, unit.staff[0])
    assert S.sheet_view(ctx, sid, owner).actions == (wf.SAVE_SELF, wf.SUBMIT)
    assert S.sheet_view(ctx, sid, actor_of(ctx, unit.synthesis)).actions == ()
    assert S.sheet_view(ctx, sid, admin_actor(ctx)).actions == (wf.REASSIGN,)
    to_submitted(ctx, unit, sid, unit.staff[0])
    clock_at(COMMENT_DAY)
    assert S.sheet_view(ctx, sid, actor_of(ctx, unit.deputy)).actions == (wf.SAVE_COMMENT, wf.COMMENT, wf.RETURN)
    assert S.sheet_view(ctx, sid, owner).actions == (wf.RECALL,)
    view = S.sheet_view(ctx, sid, owner)
    windows = {w.step: (w.is_open, w.days_left) for w in view.windows}
    assert windows == {"self_assessment": (False, 0), "comment": (True, 3), "grading": (True, 9)}
    assert view.self_grade == "A" and view.working_days == view.period.working_days


# -- every transition, as a table: it works in its state, and refuses a stale version and a stranger ------
def _prepare(ctx, unit, state):
    """A staff sheet moved to ``state`` (draft, submitted, commented, finalised)."""
    sid = staff_sheet(ctx, unit, 2)
    owner = unit.staff[2]
    if state in ("submitted", "commented", "finalised"):
        to_submitted(ctx, unit, sid, owner)
    if state in ("commented", "finalised"):
        clock_at(COMMENT_DAY)
        run(ctx, S.comment, sid, actor_of(ctx, unit.deputy), version(ctx, sid), "Tốt")
    if state == "finalised":
        clock_at(GRADING_DAY)
        run(ctx, S.finalise, sid, actor_of(ctx, unit.head), version(ctx, sid))
    return sid


TRANSITIONS = [
    # (service, state, day, who, extra arguments, state after)
    ("save_self", "draft", SELF_DAY, "owner", lambda c, s: dict(scores=full_scores(c, s), worked_days=20), "draft"),
    ("submit", "draft", SELF_DAY, "owner", lambda c, s: dict(scores=full_scores(c, s), worked_days=20), "submitted"),
    ("recall", "submitted", SELF_DAY, "owner", lambda c, s: {}, "draft"),
    ("save_comment", "submitted", COMMENT_DAY, "deputy", lambda c, s: dict(text="Nháp"), "submitted"),
    ("comment", "submitted", COMMENT_DAY, "deputy", lambda c, s: dict(text="Tốt"), "commented"),
    ("return_sheet", "submitted", COMMENT_DAY, "deputy", lambda c, s: dict(reason="Bổ sung"), "draft"),
    ("recall", "commented", COMMENT_DAY, "deputy", lambda c, s: {}, "submitted"),
    ("save_final", "commented", GRADING_DAY, "head", lambda c, s: dict(scores=full_scores(c, s, 0.8)), "commented"),
    ("finalise", "commented", GRADING_DAY, "head", lambda c, s: {}, "finalised"),
    ("return_sheet", "commented", GRADING_DAY, "head", lambda c, s: dict(reason="Nhận xét lại"), "submitted"),
    ("reopen", "finalised", GRADING_DAY, "admin", lambda c, s: dict(reason="Sửa sai sót"), "commented"),
    ("reassign", "commented", GRADING_DAY, "admin", None, "commented"),  # the new routing is the unit's own people
]


@pytest.mark.parametrize("fn,state,day,who,extra,after", TRANSITIONS, ids=[f"{t[0]}@{t[1]}" for t in TRANSITIONS])
def test_every_transition_checks_version_and_scope_then_acts(ctx, unit, fn, state, day, who, extra, after):
    sid = _prepare(ctx, unit, state)
    clock_at(day)
    person = {"owner": unit.staff[2], "deputy": unit.deputy, "head": unit.head, "admin": unit.unit_admin}[who]
    me = actor_of(ctx, person)
    kwargs = extra(ctx, sid) if extra else dict(evaluator_id=unit.deputy, commenter_id=None)
    service = getattr(S, fn)
    v = version(ctx, sid)
    refused(ctx, sid, Conflict, "stale", service, sid, me, v - 1, **kwargs)
    refused(ctx, sid, OutOfReach, "not_found", service, sid, actor_of(ctx, unit.staff[3]), v, **kwargs)
    refused(ctx, sid, PermissionDenied, "read_only", service, sid, actor_of(ctx, unit.synthesis), v, **kwargs)
    from app.models import AuditEvent

    action = wf.RETURN if fn == "return_sheet" else fn
    audits = ctx.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == f"sheet_{action}"))
    run(ctx, service, sid, me, v, **kwargs)
    s = sheet(ctx, sid)
    assert (s.state, s.version) == (after, v + 1)
    last = events(ctx, sid)[-1]
    assert (last[0], last[1], last[2], last[3]) == (action, state, after, person)
    assert ctx.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == f"sheet_{action}")) == audits + 1
    # a closed period refuses everything
    from app.models import Period
    from app.services.evaluation import periods

    with unit_of_work(ctx):
        periods.close_period(ctx, ctx.scalar(select(Period)), admin_actor(ctx))
    refused(ctx, sid, ValidationError, "period_closed", service, sid, me, version(ctx, sid), **kwargs)
