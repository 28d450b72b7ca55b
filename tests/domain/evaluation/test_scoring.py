"""Points, totals, grades, the attendance cap, the fail flag and the lower-grade choice, table-tested."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.domain.errors import ValidationError
from app.domain.evaluation import scoring
from app.domain.evaluation.rules import (
    BONUS, DEDUCTION, NORMAL, AttendanceCap, Criterion, CriterionGroup, RuleVersion,
)
from app.domain.evaluation.shipped import HANOI_1841, ND_335


def rule(attendance=AttendanceCap(), normal_max="100", group_max=None, total_cap="100"):
    """One normal criterion "x" worth ``normal_max`` (so the total is what x is given), a bonus group
    (two criteria of 8, capped at 10) and a deduction group (one criterion up to 20)."""
    return RuleVersion(
        "t", "Thử", "2026-01",
        groups=(
            CriterionGroup("N", "Chính", NORMAL, D(group_max or normal_max), (Criterion("x", "Công việc", D(normal_max)),), order=1),
            CriterionGroup("B", "Thưởng", BONUS, D("10"), (Criterion("b1", "Sáng kiến", D("8")), Criterion("b2", "Khen thưởng", D("8"))), order=2),
            CriterionGroup("M", "Trừ", DEDUCTION, D("20"), (Criterion("m", "Vi phạm", D("20")),), order=3),
        ),
        attendance=attendance,
        total_cap=D(total_cap),
    )


R = rule()


@pytest.mark.parametrize("points,grade", [
    ("100", "A"), ("90", "A"), ("90.00", "A"), ("89.99", "B"), ("89.5", "B"), ("89,5", "B"),
    ("70", "B"), ("69.99", "C"), ("50", "C"), ("49.99", "D"), ("0", "D"), ("0.01", "D"),
])
def test_grade_boundaries_never_round_up(points, grade):
    a = scoring.assess(R, {"x": points})
    assert a.ok and a.total == D(points.replace(",", ".")) and a.computed_grade == grade == a.final_grade


@pytest.mark.parametrize("total,grade", [(D("90"), "A"), (D("89.99"), "B"), (D("89.5"), "B"), (D("70"), "B"),
                                         (D("69.99"), "C"), (D("50"), "C"), (D("49.99"), "D"), (D("100"), "A"), (D("0"), "D")])
def test_grade_for_on_the_shipped_bands(total, grade):
    assert HANOI_1841.grade_for(total) == grade == ND_335.grade_for(total)


def test_shipped_89_5_is_b():
    scores = {"I.1": 5, "I.2": 5, "I.3": 5, "I.4": "4,5", "II.1": 30, "II.2": 20, "II.3": 20}
    a = scoring.assess(HANOI_1841, scores, complete=True, worked_days=22, working_days=22)
    assert a.ok and a.total == D("89.50") and a.final_grade == "B"
    half = {c.code: c.max_points for c in ND_335.criteria}
    half["2.1"] = D("2")
    a = scoring.assess(ND_335, half, worked_days="21,5", working_days=22, complete=True)
    assert a.ok and a.total == D("99.50") and a.final_grade == "A"


# -- parsing points -------------------------------------------------------------------------------------
CRIT = Criterion("k", "Chất lượng", D("5"), id=7)


@pytest.mark.parametrize("value,expected", [
    ("2,5", D("2.50")), ("2.5", D("2.50")), (2.5, D("2.50")), (D("2.50"), D("2.50")), (5, D("5.00")), ("5", D("5.00")),
    (" 3 ", D("3.00")), ("2.500", D("2.50")), ("1e0", D("1.00")), (0, D("0.00")), (0.1, D("0.10")), ("", None), (None, None),
    ("4,99", D("4.99")),
])
def test_points_accepted(value, expected):
    assert scoring.parse_points(value, CRIT) == expected


@pytest.mark.parametrize("value,code", [
    ("2.505", "too_many_decimals"), (2.505, "too_many_decimals"), ("1e-3", "too_many_decimals"),
    ("abc", "not_a_number"), ("NaN", "not_a_number"), (float("nan"), "not_a_number"), (float("inf"), "not_a_number"),
    ("Infinity", "not_a_number"), ("-inf", "not_a_number"), (True, "not_a_number"), ("2,5,1", "not_a_number"), ([1], "not_a_number"),
    (-1, "negative"), ("-0.5", "negative"), ("5.01", "above_max"), (6, "above_max"), ("1e100", "above_max"),
])
def test_points_refused(value, code):
    with pytest.raises(ValidationError) as exc:
        scoring.parse_points(value, CRIT)
    assert exc.value.code == code and exc.value.field == "scores.7"
    assert "Chất lượng" in exc.value.message


def test_refusal_messages_are_vietnamese():
    messages = {}
    for value in ("2.505", "abc", -1, 6):
        with pytest.raises(ValidationError) as exc:
            scoring.parse_points(value, CRIT)
        messages[exc.value.code] = exc.value.message
    assert messages["too_many_decimals"] == "Điểm tiêu chí “Chất lượng”: tối đa 2 chữ số thập phân."
    assert messages["not_a_number"] == "Điểm tiêu chí “Chất lượng” phải là một số."
    assert messages["negative"] == "Điểm tiêu chí “Chất lượng” không được âm."
    assert messages["above_max"] == "Điểm tiêu chí “Chất lượng” không được vượt quá điểm tối đa 5."


@pytest.mark.parametrize("value,text", [(D("2.5"), "2,5"), (D("90"), "90"), (D("89.99"), "89,99"), (D("0"), "0"), (None, "")])
def test_fmt_points(value, text):
    assert scoring.fmt_points(value) == text


# -- totals: bonus, deductions, caps ----------------------------------------------------------------------
@pytest.mark.parametrize("scores,total,problem", [
    ({"x": 80, "b1": ("5", "Sáng kiến số hóa hồ sơ")}, "85", None),
    ({"x": 80, "b1": ("5", "")}, "85", "bonus_note"),  # counted for the running total, refused on save
    ({"x": 80, "b1": ("5", "   ")}, "85", "bonus_note"),
    ({"x": 80, "b1": {"points": "0", "note": ""}}, "80", None),  # no bonus, no note needed
    ({"x": 80, "b1": ("8", "a"), "b2": ("8", "b")}, "90", None),  # bonus group capped at 10
    ({"x": 95, "b1": ("8", "a")}, "100", None),  # total capped at 100
    ({"x": 80, "m": "15"}, "65", None),  # deduction subtracts
    ({"x": 10, "m": "20"}, "0", None),  # never below 0
    ({"x": 80, "m": "21"}, "80", "above_max"),  # refused, not counted
    ({"x": 80, "zz": 3}, "80", "unknown_criterion"),
])
def test_totals(scores, total, problem):
    a = scoring.assess(R, scores)
    assert a.total == D(total)
    assert [p.code for p in a.problems] == ([problem] if problem else [])


def test_bonus_justification_field_names_the_criterion():
    a = scoring.assess(R, {"b2": "3"})
    assert a.problems[0].field == "scores.b2" and "cần ghi rõ lý do" in a.problems[0].message


def test_a_normal_group_cannot_exceed_its_cap():
    r = RuleVersion("t", "Thử", "2026-01", groups=(
        CriterionGroup("G", "Nhóm", NORMAL, D("10"), (Criterion("a", "A", D("10")), Criterion("b", "B", D("10")))),
    ), bands=R.bands, total_cap=D("10"))
    a = scoring.assess(r, {"a": 6, "b": 6})
    assert a.problems[0].code == "group_above_max" and a.problems[0].field == "groups.G" and a.total == D("10")
    assert scoring.assess(r, {"a": 6, "b": 4}).ok


def test_complete_requires_every_normal_criterion_and_the_worked_days():
    a = scoring.assess(HANOI_1841, {"I.1": 5}, working_days=22, complete=True)
    missing = {p.field for p in a.problems if p.code == "required"}
    assert missing == {f"scores.{c}" for c in ("I.2", "I.3", "I.4", "II.1", "II.2", "II.3")} | {"worked_days"}
    assert scoring.assess(HANOI_1841, {"I.1": 5}, working_days=22).ok  # a draft may leave blanks


def test_a_refused_value_is_reported_once_even_when_complete():
    a = scoring.assess(R, {"x": "abc"}, complete=True)
    assert [p.code for p in a.problems] == ["not_a_number"]


def test_criteria_are_found_by_id_its_digits_or_code():
    r = RuleVersion("t", "Thử", "2026-01", groups=(
        CriterionGroup("G", "Nhóm", NORMAL, D("100"), (Criterion("a", "A", D("100"), id=41),)),), bands=R.bands)
    assert scoring.assess(r, {41: 95}).final_grade == "A"
    assert scoring.assess(r, {"41": 95}).final_grade == "A"
    assert scoring.assess(r, {"a": 95}).final_grade == "A"
    assert scoring.assess(r, {41: 95}).points == {41: D("95.00")}


# -- attendance cap ------------------------------------------------------------------------------------
@pytest.mark.parametrize("worked,working,points,capped,ceiling", [
    ("11", 22, 95, True, "C"),  # exactly 50 %: capped
    ("11.5", 22, 95, False, "A"),
    ("11,5", 23, 95, True, "C"),  # 11.5 of 23 is exactly half
    ("12", 23, 95, False, "A"),
    ("0", 22, 95, True, "C"),
    ("22", 22, 95, False, "A"),
    ("10", 22, 75, True, "C"),  # B → C
    ("10", 22, 60, True, "C"),  # already C
    ("10", 22, 40, True, "D"),  # the cap never raises a grade
    (None, 22, 95, False, "A"),  # not given: no cap
    ("10", None, 95, False, "A"),
])
def test_attendance_cap(worked, working, points, capped, ceiling):
    a = scoring.assess(R, {"x": points}, worked_days=worked, working_days=working)
    assert a.ok and a.attendance_capped is capped and a.ceiling == ceiling == a.final_grade
    assert a.computed_grade == R.grade_for(D(points))
    assert bool(a.cap_reasons) is capped
    if capped:
        assert "xếp loại tối đa C" in a.cap_reasons[0]


@pytest.mark.parametrize("threshold,max_grade,worked,ceiling", [
    ("60", "C", "13", "C"), ("60", "C", "14", "A"), ("50", "B", "11", "B"), ("50", None, "0", "A"),
])
def test_attendance_cap_is_configurable(threshold, max_grade, worked, ceiling):
    r = rule(attendance=AttendanceCap(D(threshold), max_grade))
    assert scoring.assess(r, {"x": 95}, worked_days=worked, working_days=22).ceiling == ceiling


@pytest.mark.parametrize("worked,code", [("23", "above_max"), ("-1", "negative"), ("abc", "not_a_number"), ("10.555", "too_many_decimals")])
def test_worked_days_refused(worked, code):
    a = scoring.assess(R, {"x": 95}, worked_days=worked, working_days=22)
    assert [(p.code, p.field) for p in a.problems] == [(code, "worked_days")]


def test_worked_days_above_working_days_message():
    a = scoring.assess(R, {"x": 95}, worked_days=23, working_days=22)
    assert a.problems[0].message == "Số ngày làm việc thực tế không được vượt quá số ngày làm việc của kỳ 22."


# -- fail flag and the evaluator's choice -----------------------------------------------------------------
def test_fail_flag_gives_the_failing_grade_whatever_the_points():
    a = scoring.assess(R, {"x": 100}, fails=scoring.Fail("Kỷ luật khiển trách", "15/QĐ-UBND"))
    assert a.ok and a.failed and a.computed_grade == "A" and a.final_grade == "D"
    assert "15/QĐ-UBND" in a.cap_reasons[-1]
    a = scoring.assess(R, {"x": 100}, fails={"reason": "Suy thoái", "reference": "02-KL/UBKT"})
    assert a.final_grade == "D"


def test_fail_flag_needs_a_reason_and_a_reference():
    a = scoring.assess(R, {"x": 100}, fails={"reason": " ", "reference": ""})
    assert [p.field for p in a.problems] == ["fails.reason", "fails.reference"]


@pytest.mark.parametrize("points,worked,chosen,reason,final,problem", [
    (95, None, None, None, "A", None),
    (95, None, "A", None, "A", None),
    (95, None, "B", "Chưa hoàn thành báo cáo quý", "B", None),
    (95, None, "B", "", "B", "lower_grade_reason"),
    (95, None, "D", "Vi phạm", "D", None),
    (75, None, "A", None, "B", "grade_too_high"),
    (89.99, None, "A", "Xứng đáng", "B", "grade_too_high"),
    (95, "10", "B", None, "C", "grade_too_high"),  # attendance: at most C
    (95, "10", "C", None, "C", None),  # the cap is not the leader's choice: no reason needed
    (95, "10", "D", "Nghỉ không phép", "D", None),
    (95, None, "E", None, "A", "bad_grade"),
])
def test_choosing_a_grade(points, worked, chosen, reason, final, problem):
    a = scoring.assess(R, {"x": points}, worked_days=worked, working_days=22, chosen_grade=chosen, reason=reason)
    assert a.final_grade == final
    assert [p.code for p in a.problems] == ([problem] if problem else [])
    assert a.lower_grade is (problem in (None, "lower_grade_reason") and chosen is not None and R.rank(chosen) > R.rank(a.ceiling))


def test_a_failed_sheet_cannot_be_given_a_better_grade():
    a = scoring.assess(R, {"x": 100}, fails=scoring.Fail("Kỷ luật", "1/QĐ"), chosen_grade="C")
    assert a.problems[0].code == "grade_too_high" and a.final_grade == "D"


def test_raise_for_problems_keeps_every_problem():
    a = scoring.assess(R, {"x": "abc", "b1": "3"}, worked_days=30, working_days=22)
    with pytest.raises(ValidationError) as exc:
        a.raise_for_problems()
    assert exc.value.field == "scores.x"
    assert [p["field"] for p in exc.value.detail["problems"]] == ["scores.x", "scores.b1", "worked_days"]
    scoring.assess(R, {"x": 50}).raise_for_problems()  # no problem: no raise
