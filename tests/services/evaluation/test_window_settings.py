"""EVAL_SELF_WINDOW, EVAL_COMMENT_WINDOW, EVAL_GRADING_WINDOW: checked at start, used by open_period."""
from __future__ import annotations

import datetime as dt

import pytest

from app.domain.evaluation.periods import DaySpan
from app.settings import Settings, SettingsError

GOOD = {"ACCOUNT_SUFFIX": "badinh", "DISTRICT_NAME": "Quận Ba Đình"}


def test_defaults():
    s = Settings.from_config(GOOD)
    assert s.eval_windows == {"self_assessment": DaySpan(20, 25), "comment": DaySpan(20, 28), "grading": DaySpan(20, 34)}


def test_values_are_read():
    s = Settings.from_config({**GOOD, "EVAL_SELF_WINDOW": "15-22", "EVAL_COMMENT_WINDOW": "18–26", "EVAL_GRADING_WINDOW": "20-33"})
    assert s.eval_windows == {"self_assessment": DaySpan(15, 22), "comment": DaySpan(18, 26), "grading": DaySpan(20, 33)}


@pytest.mark.parametrize("key,value,words", [
    ("EVAL_SELF_WINDOW", "25-20", "EVAL_SELF_WINDOW phải có dạng"),
    ("EVAL_COMMENT_WINDOW", "hai mươi", "EVAL_COMMENT_WINDOW phải có dạng"),
    ("EVAL_GRADING_WINDOW", "20-99", "EVAL_GRADING_WINDOW phải có dạng"),
    ("EVAL_GRADING_WINDOW", "20-26", "phải kết thúc theo thứ tự"),
])
def test_a_bad_window_stops_the_start_naming_the_variable(key, value, words):
    with pytest.raises(SettingsError, match=words):
        Settings.from_config({**GOOD, key: value})


def test_open_period_uses_the_configured_windows(app, ctx, admin):
    from app.settings import replace
    from app.services.evaluation import periods

    previous = replace(app, eval_windows={"self_assessment": DaySpan(1, 10), "comment": DaySpan(5, 15), "grading": DaySpan(10, 40)})
    try:
        p = periods.open_period(ctx, "2026-11", admin)
    finally:
        app.extensions["settings"] = previous
    assert (p.self_from, p.self_to) == (dt.date(2026, 11, 1), dt.date(2026, 11, 10))
    assert (p.comment_from, p.comment_to) == (dt.date(2026, 11, 5), dt.date(2026, 11, 15))
    assert (p.grading_from, p.grading_to) == (dt.date(2026, 11, 10), dt.date(2026, 12, 10))
