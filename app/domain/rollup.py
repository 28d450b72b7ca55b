"""Monthly (or quarterly) results rolled up per person to a quarter or a year, and the proposed grade.

Input is a ``Tally`` per person: what one grouped query over the person's finalised sheets returns (the
periods graded, the count of each grade, the score weighted by the share of each period the person
actually worked). Trial periods never reach a tally (the query leaves them out), and sheets are counted by
person id, so a person moved from one unit to another keeps every result of the year.

Two policies ship; ``ROLLUP_POLICY`` (settings) picks the one screens and exports propose:

- ``nd335`` — Nghị định 335/2025: the year-end grade comes from the average of the period scores over the
  time actually worked: each period weighs worked days / working days (a period not worked at all weighs
  nothing), and the average is graded with the bands (A ≥ 90, B ≥ 70, C ≥ 50, D below). No graded period:
  no proposal.
- ``counting`` — by counting grades: at least ``a_min`` periods A and no D → A; at least ``d_min`` periods D
  → D; otherwise, at least half the graded periods A or B → B; otherwise C. For a year graded by quarter this
  reads "≥ 2 quarters A and no D → A; ≥ 2 quarters D → D".

A proposal is advice for the annual grading, never stored on a sheet.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import MappingProxyType
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping, NamedTuple, Optional, Sequence

from app.domain.errors import ValidationError
from app.domain.evaluation.rules import DEFAULT_BANDS, GradeBand

GRADES = ("A", "B", "C", "D")
GRADE_NAMES = {b.code: b.label for b in DEFAULT_BANDS}
NOT_GRADED = "Chưa xếp loại"
TWO = Decimal("0.01")


class Tally(NamedTuple):
    """One person's finalised sheets over the span: how many, by grade, and the weighted score.

    A named tuple rather than a frozen dataclass: a roll-up builds one per person (20,000 for a district),
    and a tuple is built in one step, with no per-instance dict.
    """

    periods: int
    counts: Mapping[str, int] = MappingProxyType({})
    weighted_sum: Decimal = Decimal("0")  # Σ score × worked share
    weight: Decimal = Decimal("0")  # Σ worked share (worked days / working days)

    @property
    def average(self) -> Optional[Decimal]:
        """The average score over the time worked (two decimals), None when nothing was worked."""
        if not self.weight:
            return None
        return (Decimal(self.weighted_sum) / Decimal(self.weight)).quantize(TWO, ROUND_HALF_UP)

    def count(self, grade: str) -> int:  # the periods with this grade (not tuple.count)
        return int(self.counts.get(grade, 0) or 0)


def grade_of(score: Decimal, bands: Sequence[GradeBand] = DEFAULT_BANDS) -> str:
    """The best band whose minimum the score meets (the lowest band otherwise)."""
    return _grader(tuple(bands))(score)


@lru_cache(maxsize=32)
def _grader(bands: tuple):
    ordered = [(b.min_points, b.code) for b in sorted(bands, key=lambda b: b.min_points, reverse=True)]
    lowest = ordered[-1][1]

    def grade(score: Decimal) -> str:
        for minimum, code in ordered:
            if score >= minimum:
                return code
        return lowest

    return grade


@dataclass(frozen=True)
class Nd335Policy:
    code: str = "nd335"
    label: str = "NĐ 335/2025: theo điểm bình quân trên thời gian công tác thực tế"
    bands: Sequence[GradeBand] = DEFAULT_BANDS

    @cached_property
    def _grade(self):  # the bands' grader, looked up once rather than once per person
        return _grader(tuple(self.bands))

    def propose(self, tally: Tally) -> Optional[str]:
        average = tally.average
        return None if average is None else self._grade(average)


@dataclass(frozen=True)
class CountingPolicy:
    code: str = "counting"
    label: str = "Đếm số kỳ: ≥ 2 kỳ A và không có D → A; ≥ 2 kỳ D → D"
    a_min: int = 2
    d_min: int = 2

    def propose(self, tally: Tally) -> Optional[str]:
        graded = sum(tally.count(g) for g in GRADES)
        if not graded:
            return None
        if tally.count("A") >= self.a_min and tally.count("D") == 0:
            return "A"
        if tally.count("D") >= self.d_min:
            return "D"
        if 2 * (tally.count("A") + tally.count("B")) >= graded:
            return "B"
        return "C"


POLICIES = {p.code: p for p in (Nd335Policy(), CountingPolicy())}


def policy(code: str):
    try:
        return POLICIES[code]
    except KeyError:
        raise ValidationError("bad_policy", f"Không có cách tổng hợp “{code}”. Chọn một trong: "
                              + ", ".join(POLICIES) + ".", "policy") from None


@dataclass(frozen=True)
class Span:
    """A quarter or a year: the months it covers (period keys "YYYY-MM" and quarter keys "YYYY-Qn")."""

    key: str
    label: str
    months: tuple[str, ...]
    quarters: tuple[str, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return self.months + self.quarters


def parse_span(text: str) -> Span:
    """"2026" (a year) or "2026-Q4" (a quarter); a ValidationError in Vietnamese otherwise."""
    raw = (text or "").strip().upper()
    bad = ValidationError("bad_span", f"“{text}” không phải năm (2026) hay quý (2026-Q4).", "span")
    year_text, _, q_text = raw.partition("-Q")
    if not (year_text.isdigit() and len(year_text) == 4) or not 2000 <= int(year_text) <= 2100:
        raise bad
    year = int(year_text)
    if not q_text and "-" not in raw:
        months = tuple(f"{year}-{m:02d}" for m in range(1, 13))
        return Span(str(year), f"Năm {year}", months, tuple(f"{year}-Q{q}" for q in range(1, 5)))
    if q_text not in ("1", "2", "3", "4"):
        raise bad
    q = int(q_text)
    months = tuple(f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1))
    return Span(f"{year}-Q{q}", f"Quý {q}/{year}", months, (f"{year}-Q{q}",))


def share(part: int, whole: int) -> Decimal:
    """part / whole in percent, one decimal (0 for an empty whole)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


__all__ = ["GRADES", "GRADE_NAMES", "NOT_GRADED", "Tally", "grade_of", "Nd335Policy", "CountingPolicy", "POLICIES",
           "policy", "Span", "parse_span", "share"]
