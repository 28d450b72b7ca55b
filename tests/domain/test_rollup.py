"""The roll-up policies as tables: a tally in, the proposed grade out."""
from decimal import Decimal

import pytest

from app.domain import rollup as R
from app.domain.errors import ValidationError


def tally(scores_and_shares=(), grades=""):
    counts = {g: grades.count(g) for g in R.GRADES}
    wsum = sum((Decimal(s) * Decimal(w) for s, w in scores_and_shares), Decimal(0))
    weight = sum((Decimal(w) for _, w in scores_and_shares), Decimal(0))
    return R.Tally(len(grades) or len(scores_and_shares), counts, wsum, weight)


ND335 = [
    # (score, worked share) per period -> proposed
    ([(95, 1), (92, 1), (90, 1)], "A"),
    ([(95, 1), (80, 1), (85, 1)], "B"),  # 86.67
    ([(100, "0.2"), (70, 1)], "B"),  # 75: a period barely worked weighs little
    ([(100, 1), (0, 0)], "A"),  # a period not worked at all does not count
    ([(60, 1), (55, 1)], "C"),
    ([(49.99, 1)], "D"),
    ([], None),
]


@pytest.mark.parametrize("periods,expected", ND335)
def test_nd335_grades_the_average_over_time_worked(periods, expected):
    assert R.Nd335Policy().propose(tally(periods)) == expected


COUNTING = [
    ("AAAB", "A"), ("AAB", "A"), ("AABD", "B"), ("ABDD", "D"), ("DD", "D"), ("ABBC", "B"), ("ACCC", "C"),
    ("A", "B"), ("CD", "C"), ("", None),
]


@pytest.mark.parametrize("grades,expected", COUNTING)
def test_counting_policy(grades, expected):
    assert R.CountingPolicy().propose(tally(grades=grades)) == expected


def test_average_is_two_decimals():
    assert tally([(95, 1), (80, 1), (85, 1)]).average == Decimal("86.67")


@pytest.mark.parametrize("text,key,months", [("2026", "2026", 12), ("2026-Q4", "2026-Q4", 3), ("2026-q1", "2026-Q1", 3)])
def test_spans(text, key, months):
    span = R.parse_span(text)
    assert span.key == key and len(span.months) == months


@pytest.mark.parametrize("text", ["", "26", "2026-Q5", "2026-13", "abcd", "2026-Q"])
def test_bad_spans_are_refused_in_vietnamese(text):
    with pytest.raises(ValidationError) as e:
        R.parse_span(text)
    assert "không phải năm" in e.value.message


def test_unknown_policy():
    with pytest.raises(ValidationError):
        R.policy("x")


def test_shares():
    assert R.share(1, 3) == Decimal("33.3") and R.share(0, 0) == Decimal("0.0")

