"""Period keys, working days with explicit holiday sets, default windows, extensions."""
from __future__ import annotations

import datetime as dt

import pytest

from app.domain.errors import ValidationError
from app.domain.evaluation import periods as P

d = dt.date


@pytest.mark.parametrize("text,key,first,last,months", [
    ("2026-11", "2026-11", d(2026, 11, 1), d(2026, 11, 30), ((2026, 11),)),
    (" 2026-02 ", "2026-02", d(2026, 2, 1), d(2026, 2, 28), ((2026, 2),)),
    ("2028-02", "2028-02", d(2028, 2, 1), d(2028, 2, 29), ((2028, 2),)),
    ("2026-Q4", "2026-Q4", d(2026, 10, 1), d(2026, 12, 31), ((2026, 10), (2026, 11), (2026, 12))),
    ("2026-q1", "2026-Q1", d(2026, 1, 1), d(2026, 3, 31), ((2026, 1), (2026, 2), (2026, 3))),
    ("2026-Q2", "2026-Q2", d(2026, 4, 1), d(2026, 6, 30), ((2026, 4), (2026, 5), (2026, 6))),
])
def test_good_keys(text, key, first, last, months):
    k = P.parse_key(text)
    assert (k.text, k.first_day, k.last_day, k.months) == (key, first, last, months)
    assert str(k) == key and P.parse_key(k.text) == k


@pytest.mark.parametrize("text", [
    "2026-13", "2026-00", "2026-1", "26-11", "2026/11", "2026-Q5", "2026-Q0", "2026-Q", "", None, "1999-12",
    "2100-01", "2026-11-01", "2026-M11", "tháng 11", "2026-１１", "２０２６-11",
])
def test_bad_keys(text):
    with pytest.raises(ValidationError) as exc:
        P.parse_key(text)
    assert exc.value.code == "bad_period" and exc.value.field == "period"
    assert exc.value.message == "Kỳ đánh giá phải có dạng YYYY-MM (tháng) hoặc YYYY-Qn (quý), ví dụ 2026-11 hoặc 2026-Q4."


def test_key_labels_and_order():
    assert P.parse_key("2026-11").label == "tháng 11/2026"
    assert P.parse_key("2026-Q4").label == "quý IV/2026"
    assert P.parse_key("2026-Q4").first_month_key == "2026-10"
    assert P.parse_key("2026-Q4").calendar_days == 92
    keys = sorted(P.parse_key(k) for k in ("2026-11", "2026-Q4", "2025-12", "2026-10", "2026-Q1"))
    assert [k.text for k in keys] == ["2025-12", "2026-Q1", "2026-10", "2026-Q4", "2026-11"]


def test_parse_month_refuses_a_quarter():
    assert P.parse_month("2021-12").text == "2021-12"
    for bad in ("2026-Q1", "2026-13", "x"):
        with pytest.raises(ValidationError) as exc:
            P.parse_month(bad)
        assert exc.value.code == "bad_month" and exc.value.field == "effective_from"


@pytest.mark.parametrize("key,expected", [
    ("2021-11", None), ("2021-12", "v2021"), ("2025-12", "v2021"), ("2025-Q4", "v2021"),
    ("2026-01", "v2026"), ("2026-Q1", "v2026"), ("2026-11", "v2026"),
])
def test_version_in_force(key, expected):
    versions = [("2026-01", "v2026"), ("2021-12", "v2021"), ("bad", "ignored")]
    assert P.in_force(versions, P.parse_key(key)) == expected


# -- working days, holidays passed in ----------------------------------------------------------------
TET_2026 = {d(2026, 2, 16), d(2026, 2, 17), d(2026, 2, 18), d(2026, 2, 19), d(2026, 2, 20)}


@pytest.mark.parametrize("key,holidays,extra,expected", [
    ("2026-02", set(), set(), 20),
    ("2026-02", TET_2026, set(), 15),  # Tết Bính Ngọ: Mon 16 – Fri 20 February
    ("2026-11", set(), set(), 21),
    ("2026-11", {d(2026, 11, 24)}, set(), 20),
    ("2026-09", {d(2026, 9, 1), d(2026, 9, 2)}, set(), 20),  # Quốc khánh on Tue–Wed
    ("2026-08", {d(2026, 8, 31)}, {d(2026, 8, 22)}, 21),  # bridge day off, Saturday 22 worked in exchange
    ("2026-05", {d(2026, 5, 1)}, set(), 20),
    ("2026-11", {d(2026, 11, 1)}, set(), 21),  # a holiday on a Sunday changes nothing
    ("2026-Q1", TET_2026 | {d(2026, 1, 1)}, set(), 22 + 20 + 22 - 6),
    ("2024-02", set(), set(), 21),  # leap year: 29 February 2024 is a Thursday
])
def test_working_days(key, holidays, extra, expected):
    assert P.period_working_days(P.parse_key(key), holidays, extra) == expected


def test_an_extra_workday_that_is_also_a_holiday_is_off():
    assert P.working_days(d(2026, 8, 22), d(2026, 8, 22), {d(2026, 8, 22)}, {d(2026, 8, 22)}) == 0


@pytest.mark.parametrize("value,ok", [(20, 20), ("20", 20), (" 15 ", 15), (28, 28)])
def test_working_days_override(value, ok):
    assert P.check_working_days(value, P.parse_key("2026-02")) == ok


@pytest.mark.parametrize("value", [0, 29, -1, "abc", "20.5", 20.5, True, None, ""])
def test_working_days_override_refused(value):
    with pytest.raises(ValidationError) as exc:
        P.check_working_days(value, P.parse_key("2026-02"))
    assert exc.value.field == "working_days" and "từ 1 đến 28" in exc.value.message


# -- windows -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,span", [("20-25", (20, 25)), ("20–25", (20, 25)), (" 1 - 31 ", (1, 31)), ("20-34", (20, 34)), ("5-5", (5, 5))])
def test_spans(text, span):
    s = P.parse_span(text, "EVAL_SELF_WINDOW")
    assert (s.start, s.end) == span


@pytest.mark.parametrize("text", ["25-20", "0-5", "20", "a-b", "20-61", "32-40", "", None, "20-25-30"])
def test_bad_spans_name_the_variable(text):
    with pytest.raises(ValidationError) as exc:
        P.parse_span(text, "EVAL_SELF_WINDOW")
    assert exc.value.message.startswith("EVAL_SELF_WINDOW phải có dạng") and exc.value.field == "EVAL_SELF_WINDOW"


@pytest.mark.parametrize("key,self_w,comment_w,grading_w", [
    ("2026-11", (d(2026, 11, 20), d(2026, 11, 25)), (d(2026, 11, 20), d(2026, 11, 28)), (d(2026, 11, 20), d(2026, 12, 4))),
    ("2026-02", (d(2026, 2, 20), d(2026, 2, 25)), (d(2026, 2, 20), d(2026, 2, 28)), (d(2026, 2, 20), d(2026, 3, 6))),
    ("2026-Q4", (d(2026, 12, 20), d(2026, 12, 25)), (d(2026, 12, 20), d(2026, 12, 28)), (d(2026, 12, 20), d(2027, 1, 3))),
])
def test_default_windows_run_into_the_next_month(key, self_w, comment_w, grading_w):
    w = P.default_windows(P.parse_key(key))
    assert (w.self_assessment.start, w.self_assessment.end) == self_w
    assert (w.comment.start, w.comment.end) == comment_w
    assert (w.grading.start, w.grading.end) == grading_w


def test_default_windows_from_other_spans():
    w = P.default_windows(P.parse_key("2026-11"), {P.STEP_SELF: P.DaySpan(15, 22)})
    assert (w.self_assessment.start, w.self_assessment.end) == (d(2026, 11, 15), d(2026, 11, 22))
    assert w.comment.end == d(2026, 11, 28)


def test_make_windows_overrides_steps():
    key = P.parse_key("2026-11")
    w = P.make_windows(key, {"self_assessment": ("2026-11-18", "2026-11-24"), "grading": (d(2026, 11, 25), d(2026, 12, 10))})
    assert w.self_assessment == P.Window(d(2026, 11, 18), d(2026, 11, 24))
    assert w.comment == P.Window(d(2026, 11, 20), d(2026, 11, 28))
    assert w.grading.end == d(2026, 12, 10)


@pytest.mark.parametrize("given,field,fragment", [
    ({"vote": ("2026-11-01", "2026-11-02")}, "windows.vote", "Không có bước"),
    ({"comment": ("2026-11-31", "2026-12-01")}, "windows.comment", "không hợp lệ"),
    ({"comment": "2026-11-20"}, "windows.comment", "gồm ngày bắt đầu và ngày kết thúc"),
    ({"comment": ("2026-11-28", "2026-11-20")}, "windows.comment", "ngày bắt đầu phải trước"),
    ({"self_assessment": ("2026-10-28", "2026-11-20")}, "windows.self_assessment", "trước ngày đầu kỳ (01/11/2026)"),
    ({"grading": ("2026-11-20", "2027-03-01")}, "windows.grading", "không được kết thúc sau"),
    ({"comment": ("2026-11-20", "2026-11-22")}, "windows.comment", "trước thời hạn tự đánh giá"),
    ({"grading": ("2026-11-20", "2026-11-26")}, "windows.grading", "trước thời hạn nhận xét"),
])
def test_make_windows_refuses(given, field, fragment):
    with pytest.raises(ValidationError) as exc:
        P.make_windows(P.parse_key("2026-11"), given)
    assert exc.value.field == field and fragment in exc.value.message


def test_window_open_over_and_days_left_with_an_extension():
    w = P.Window(d(2026, 11, 20), d(2026, 11, 25))
    assert not w.is_open(d(2026, 11, 19)) and w.is_open(d(2026, 11, 20)) and w.is_open(d(2026, 11, 25))
    assert not w.is_open(d(2026, 11, 26)) and w.is_over(d(2026, 11, 26)) and not w.is_over(d(2026, 11, 25))
    assert w.is_open(d(2026, 11, 27), until=d(2026, 11, 27)) and not w.is_over(d(2026, 11, 27), until=d(2026, 11, 27))
    assert w.end_with(d(2026, 11, 1)) == d(2026, 11, 25)  # an extension never shortens
    assert w.days_left(d(2026, 11, 24)) == 2 and w.days_left(d(2026, 11, 30)) == 0
    assert w.days_left(d(2026, 11, 24), until=d(2026, 11, 28)) == 5


def test_open_steps_per_unit():
    w = P.default_windows(P.parse_key("2026-11"))
    assert w.open_steps(d(2026, 11, 19)) == frozenset()
    assert w.open_steps(d(2026, 11, 22)) == set(P.STEPS)
    assert w.open_steps(d(2026, 11, 26)) == {P.STEP_COMMENT, P.STEP_GRADING}
    assert w.open_steps(d(2026, 11, 26), {P.STEP_SELF: d(2026, 11, 27)}) == set(P.STEPS)
    assert w.open_steps(d(2026, 12, 5)) == frozenset()


def test_check_extension():
    w = P.Window(d(2026, 11, 20), d(2026, 11, 25))
    assert P.check_extension(w, "2026-11-27", P.STEP_SELF) == d(2026, 11, 27)
    with pytest.raises(ValidationError) as exc:
        P.check_extension(w, d(2026, 11, 25), P.STEP_SELF)
    assert exc.value.code == "bad_extension" and "sau ngày kết thúc hiện tại (25/11/2026)" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        P.check_extension(w, d(2026, 11, 30), "vote")
    assert exc.value.field == "step"
