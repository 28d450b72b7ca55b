"""The task rules as tables: statuses, plan approval, NĐ 335 scoring line by line, band conditions."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal as D
from fractions import Fraction

import pytest

from app.domain import tasks as T
from app.domain.errors import PermissionDenied, ValidationError

DEADLINE = dt.date(2026, 11, 20)
AFTER = dt.date(2026, 12, 5)


def facts(i=1, qty="1", coef="1", status=T.DONE, done=None, finished=DEADLINE, fails=0, delays=0, exempt=False,
          exceeded=False, deadline=DEADLINE):
    return T.TaskFacts(i, f"Nhiệm vụ {i}", D(qty), D(coef), deadline, status, D(done) if done is not None else None,
                       finished if status == T.DONE else None, fails, delays, exempt, exceeded)


# -- statuses --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key,step", sorted(T.TASK_TRANSITIONS.items()))
def test_every_task_transition(key, step):
    status, action = key
    to, needs_reason = step
    if needs_reason:
        with pytest.raises(ValidationError) as exc:
            T.task_transition(status, action, "")
        assert exc.value.field == "reason"
    assert T.task_transition(status, action, "vì lý do") == to


@pytest.mark.parametrize("status", T.STATUSES)
@pytest.mark.parametrize("action", [T.START, T.FINISH, T.REOPEN, T.CARRY, T.CANCEL])
def test_transitions_not_in_the_table_are_refused(status, action):
    if (status, action) in T.TASK_TRANSITIONS:
        return
    with pytest.raises(ValidationError) as exc:
        T.task_transition(status, action, "lý do")
    assert exc.value.code == "bad_transition" and "không thể" in exc.value.message


@pytest.mark.parametrize("status,progress,expected", [
    (T.NEW, 0, T.NEW), (T.NEW, 10, T.IN_PROGRESS), (T.NEW, 100, T.DONE), (T.IN_PROGRESS, 100, T.DONE),
    (T.IN_PROGRESS, 50, T.IN_PROGRESS), (T.DONE, 50, T.DONE), (T.CARRIED, 100, T.CARRIED),
])
def test_progress_moves_the_status(status, progress, expected):
    assert T.status_for_progress(status, progress) == expected


@pytest.mark.parametrize("value", ["-1", "101", "x", "50.5", None, True, "nan"])
def test_bad_progress(value):
    with pytest.raises(ValidationError) as exc:
        T.parse_progress(value)
    assert exc.value.field == "progress"


@pytest.mark.parametrize("key,step", sorted(T.PLAN_TRANSITIONS.items()))
def test_every_plan_transition(key, step):
    state, action = key
    to, who, needs_reason = step
    other = T.APPROVER if who == T.OWNER else T.OWNER
    with pytest.raises(PermissionDenied):
        T.plan_transition(state, action, frozenset({other}), "lý do")
    if needs_reason:
        with pytest.raises(ValidationError):
            T.plan_transition(state, action, frozenset({who}), " ")
    assert T.plan_transition(state, action, frozenset({who}), "lý do") == to


@pytest.mark.parametrize("state,needs", [(T.DRAFT, False), (T.SUBMITTED, True), (T.APPROVED, True)])
def test_changes_after_submission_need_a_reason(state, needs):
    assert T.needs_change_reason(state) is needs
    if needs:
        with pytest.raises(ValidationError) as exc:
            T.check_change_reason(state, "")
        assert exc.value.field == "change_reason"
    assert T.check_change_reason(state, " đổi hạn ") == "đổi hạn"


# -- input -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,code", [("0", "quantity_not_positive"), ("-3", "quantity_not_positive"),
                                        ("x", "bad_quantity"), ("1.234", "bad_quantity"), (None, "bad_quantity"),
                                        ("inf", "bad_quantity")])
def test_bad_quantities(value, code):
    with pytest.raises(ValidationError) as exc:
        T.parse_quantity(value)
    assert exc.value.code == code and exc.value.field == "quantity"


def test_quantity_with_a_decimal_comma():
    assert T.parse_quantity("2,5") == D("2.50")


@pytest.mark.parametrize("day,ok", [(dt.date(2026, 11, 1), True), (dt.date(2026, 11, 30), True),
                                    (dt.date(2026, 10, 31), False), (dt.date(2026, 12, 1), False), (None, False)])
def test_deadline_inside_the_period(day, ok):
    first, last = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    if ok:
        assert T.check_deadline(day, first, last) == day
    else:
        with pytest.raises(ValidationError) as exc:
            T.check_deadline(day, first, last)
        assert exc.value.field == "deadline"


# -- scoring, line by line -------------------------------------------------------------------------------
LINE_CASES = [
    # (facts kwargs, units, done units, quality %, timeliness %, late)
    (dict(qty="3", coef="2"), "6.00", "6.00", "100.00", "100.00", False),
    (dict(qty="3", coef="2", fails=1), "6.00", "6.00", "75.00", "100.00", False),
    (dict(qty="3", coef="2", fails=5), "6.00", "6.00", "0.00", "100.00", False),
    (dict(qty="2", coef="1.5", delays=1), "3.00", "3.00", "100.00", "75.00", True),
    (dict(qty="2", coef="1", finished=dt.date(2026, 11, 21)), "2.00", "2.00", "100.00", "75.00", True),
    (dict(qty="2", coef="1", finished=dt.date(2026, 11, 21), delays=1), "2.00", "2.00", "100.00", "50.00", True),
    (dict(qty="2", coef="1", finished=dt.date(2026, 11, 21), delays=1, exempt=True), "2.00", "2.00", "100.00", "100.00", True),
    (dict(qty="4", coef="1", status=T.IN_PROGRESS, done="1"), "4.00", "1.00", "100.00", "75.00", True),
    (dict(qty="4", coef="1", status=T.IN_PROGRESS), "4.00", "0.00", "100.00", "75.00", True),
    (dict(qty="4", coef="1", status=T.DONE, done="9"), "4.00", "4.00", "100.00", "100.00", False),
    (dict(qty="1", coef="0.33", delays=4), "0.33", "0.33", "100.00", "0.00", True),
]


@pytest.mark.parametrize("kw,units,done,quality,timeliness,late", LINE_CASES)
def test_task_line(kw, units, done, quality, timeliness, late):
    line = T.task_line(facts(**kw), AFTER)
    assert (line.units, line.done_units, line.quality_factor, line.timeliness_factor, line.late) == (
        D(units), D(done), D(quality), D(timeliness), late)
    assert line.quality_units == (line.done_units * line.quality_factor / 100).quantize(D("0.01"), ROUND_DOWN)


def _independent(tasks, today, leader=False, d=None, dd=None, e=None):
    """The same rule, written again with fractions (exact), cut to two decimals only where shown."""
    def cut(x):
        return D(int(x * 100)) / 100 if x >= 0 else None

    units = done = quality = timely = Fraction(0)
    for t in tasks:
        if t.status not in (T.NEW, T.IN_PROGRESS, T.DONE):
            continue
        u = cut(Fraction(t.quantity) * Fraction(t.coefficient))
        qd = t.quantity_done if t.quantity_done is not None else (t.quantity if t.status == T.DONE else 0)
        du = min(cut(Fraction(qd) * Fraction(t.coefficient)), u)
        late = (t.status == T.DONE and t.finished_on > t.deadline) or (t.status != T.DONE and today > t.deadline)
        n = t.delays + (1 if late else 0)
        qf = max(Fraction(0), 1 - Fraction(t.quality_fails, 4))
        tf = Fraction(1) if t.exempt else max(Fraction(0), 1 - Fraction(n, 4))
        units += Fraction(u)
        done += Fraction(du)
        quality += Fraction(cut(Fraction(du) * qf))
        timely += Fraction(cut(Fraction(du) * tf))
    a = cut(done * 100 / units) if units else D(0)
    b = cut(quality * 100 / done) if done else D(0)
    c = cut(timely * 100 / done) if done else D(0)
    parts = [a, b, c] + ([d if d is not None else D(100), dd or D(0), e or D(0)] if leader else [])
    return cut(Fraction(sum(parts)) / len(parts) * 70 / 100), (a, b, c)


def test_a_period_of_tasks_equals_an_independent_computation():
    tasks = [
        facts(1, "3", "2"),
        facts(2, "5", "0.5", fails=1),
        facts(3, "1", "4", finished=dt.date(2026, 11, 25)),
        facts(4, "2", "1", status=T.IN_PROGRESS, done="1"),
        facts(5, "1", "3", delays=2, exempt=True, fails=2),
        facts(6, "7", "1.25", status=T.CARRIED),
        facts(7, "2", "1", status=T.CANCELLED),
    ]
    b = T.score(tasks, AFTER)
    points, abc = _independent(tasks, AFTER)
    assert (b.a, b.b, b.c) == abc
    assert b.points == points
    assert len(b.lines) == 5  # carried and cancelled tasks are not scored
    assert b.units == D("3") * 2 + D("2.5") + 4 + 2 + 3
    assert "a + b + c" in b.formula and f"{b.points:.2f}" in b.formula
    assert b.formula == (f"(a + b + c) / 3 × 70 điểm = ({b.a:.2f} % + {b.b:.2f} % + {b.c:.2f} %) / 3 × 70 điểm "
                         f"= {b.points:.2f} điểm")


@pytest.mark.parametrize("grades,d", [(["A", "B", "C"], "100.00"), (["A", "D"], "50.00"), ([], "100.00")])
def test_leader_d(grades, d):
    assert T.leader_d(grades) == D(d)


def test_a_leader_scores_over_six_parts():
    tasks = [facts(1, "2", "1"), facts(2, "1", "2", fails=1)]
    b = T.score(tasks, AFTER, leader=True, d=D("50"), dd=D("80"), e=D("90.5"))
    points, _ = _independent(tasks, AFTER, True, D("50"), D("80"), D("90.5"))
    assert b.points == points and b.leader and len(b.parts) == 6
    assert "d + đ + e" in b.formula


def test_points_are_cut_down_never_rounded_up():
    # a = 2/3 → 66.66 (not 66.67); points = (66.66 + 100 + 100) / 3 × 0.7 = 62.22 (cut from 62.2206…)
    tasks = [facts(1, "3", "1", status=T.IN_PROGRESS, done="2", deadline=dt.date(2026, 12, 31))]
    b = T.score(tasks, AFTER)
    assert b.a == D("66.66") and b.points == D("62.22")


def test_no_tasks_scores_zero_with_a_note():
    b = T.score([], AFTER)
    assert b.points == D("0.00") and b.notes


# -- band conditions -------------------------------------------------------------------------------------
BAND_CASES = [
    # (tasks, grade, passes)
    ([facts(1, exceeded=True), facts(2), facts(3)], "A", True),  # 33 % exceeded, all on time
    ([facts(1, exceeded=True), facts(2), facts(3), facts(4)], "A", False),  # 25 % exceeded
    ([facts(1, exceeded=True), facts(2, delays=1)], "A", False),  # one late
    ([facts(1), facts(2)], "B", True),
    ([facts(1), facts(2, delays=1)], "B", False),
    ([facts(1), facts(2, delays=1, exempt=True)], "B", True),  # an objective cause is not late
    ([facts(i) for i in range(1, 5)] + [facts(5, delays=1)], "C", True),  # 20 % late
    ([facts(i) for i in range(1, 4)] + [facts(5, delays=1)], "C", False),  # 25 % late
    ([facts(1, delays=3)], "D", True),
]


@pytest.mark.parametrize("tasks,grade,passes", BAND_CASES)
def test_band_conditions_of_qd366(tasks, grade, passes):
    b = T.score(tasks, AFTER)
    assert (T.band_failures(grade, T.QD366, b) == []) is passes
    if not passes:
        with pytest.raises(ValidationError) as exc:
            T.check_band(grade, T.QD366, b)
        assert exc.value.field == "grade" and f"xếp loại {grade}" in exc.value.message


def test_band_conditions_are_validated():
    assert T.condition_problems(T.QD366) == []
    assert T.condition_problems({"A": {"nonsense": 1}})
    assert T.condition_problems({"A": {"max_late_percent": 120}})
    assert T.condition_problems({"A": "x"})


@pytest.mark.parametrize("status,ok", [(T.NEW, True), (T.IN_PROGRESS, True), (T.DONE, False), (T.CARRIED, False)])
def test_carry_over_needs_an_unfinished_task_and_a_reason(status, ok):
    with pytest.raises(ValidationError):
        T.check_carry(status, "")
    if ok:
        assert T.check_carry(status, "chờ số liệu") == "chờ số liệu"
    else:
        with pytest.raises(ValidationError):
            T.check_carry(status, "chờ số liệu")
