"""Periods as pure rules: keys, days, working days, the three day windows and unit extensions.

A period is a month (``2026-11``) or a quarter (``2026-Q4``, QĐ 366-QĐ/TW). Keys compare by their
first month, so a quarter ``2026-Q4`` is graded under the rule version in force in ``2026-10``.

Working days are weekdays minus holidays. The holidays are a set of dates the *caller* passes: the
services take Vietnamese public holidays (lunar Tết included) and the Saturdays worked in exchange
(``extra_workdays``) from the ``holidays`` package; this module stays stdlib so the rule is testable
with explicit sets.

Windows are given as days of the period's *last* month ("20-25"); a day beyond the month's length runs
into the next month (day 34 of November is 4 December). A window is open from its first to its last
day inclusive, in Hà Nội dates. A unit extension moves one step's end date for one unit: the effective
end is the later of the two.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, TypeVar, Union

from app.domain.dates import fmt_date
from app.domain.errors import ValidationError

MONTH = "month"
QUARTER = "quarter"
KIND_LABELS = {MONTH: "Tháng", QUARTER: "Quý"}
# A trial period (letter 875-CV/HU: the first two months) runs the whole flow but counts in no roll-up;
# every screen and export that names the period says so with these words.
TRIAL_LABEL = "Vận hành thử"
TRIAL_NOTE = "Kỳ vận hành thử: kết quả không được tính vào tổng hợp quý, năm."


def period_title(label: str, trial: bool) -> str:
    """A period's name as screens and exports print it: "Tháng 11/2026 (Vận hành thử)"."""
    return f"{label} ({TRIAL_LABEL})" if trial else label
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

MIN_YEAR, MAX_YEAR = 2000, 2099
_MONTH_RE = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_QUARTER_RE = re.compile(r"^([0-9]{4})-[Qq]([1-4])$")

KEY_MESSAGE = "Kỳ đánh giá phải có dạng YYYY-MM (tháng) hoặc YYYY-Qn (quý), ví dụ 2026-11 hoặc 2026-Q4."
MONTH_MESSAGE = "Tháng áp dụng phải có dạng YYYY-MM, ví dụ 2026-01."

# The three steps of a period, named as in the API (``windows: {self_assessment, comment, grading}``).
STEP_SELF = "self_assessment"
STEP_COMMENT = "comment"
STEP_GRADING = "grading"
STEPS = (STEP_SELF, STEP_COMMENT, STEP_GRADING)
STEP_LABELS = {STEP_SELF: "tự đánh giá", STEP_COMMENT: "nhận xét", STEP_GRADING: "đánh giá, xếp loại"}

T = TypeVar("T")
DateLike = Union[dt.date, str]


@dataclass(frozen=True, order=True)
class PeriodKey:
    """A month or a quarter. Ordered by (year, first month, kind)."""

    year: int
    first_month: int
    kind: str = MONTH

    @property
    def quarter(self) -> Optional[int]:
        return (self.first_month - 1) // 3 + 1 if self.kind == QUARTER else None

    @property
    def text(self) -> str:
        if self.kind == QUARTER:
            return f"{self.year}-Q{self.quarter}"
        return f"{self.year}-{self.first_month:02d}"

    def __str__(self) -> str:
        return self.text

    @property
    def months(self) -> tuple[tuple[int, int], ...]:
        n = 3 if self.kind == QUARTER else 1
        return tuple((self.year, self.first_month + i) for i in range(n))

    @property
    def first_month_key(self) -> str:
        """The key of the period's first month: what rule versions' ``effective_from`` compares with."""
        return f"{self.year}-{self.first_month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> dt.date:
        year, month = self.months[-1]
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    @property
    def calendar_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def label(self) -> str:
        """How people read it: "tháng 11/2026", "quý IV/2026"."""
        if self.kind == QUARTER:
            return f"quý {ROMAN[self.quarter]}/{self.year}"
        return f"tháng {self.first_month}/{self.year}"


def parse_key(text: object, field: str = "period") -> PeriodKey:
    """``2026-11`` or ``2026-Q4`` (``q`` accepted) → PeriodKey; ValidationError otherwise."""
    raw = str(text or "").strip()
    m = _MONTH_RE.match(raw)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12:
            return PeriodKey(year, month, MONTH)
    m = _QUARTER_RE.match(raw)
    if m:
        year, quarter = int(m.group(1)), int(m.group(2))
        if MIN_YEAR <= year <= MAX_YEAR:
            return PeriodKey(year, 3 * quarter - 2, QUARTER)
    raise ValidationError("bad_period", KEY_MESSAGE, field, value=raw)


def parse_month(text: object, field: str = "effective_from") -> PeriodKey:
    """A month key only (a rule version's ``effective_from``)."""
    try:
        key = parse_key(text, field)
    except ValidationError:
        key = None
    if key is None or key.kind != MONTH:
        raise ValidationError("bad_month", MONTH_MESSAGE, field, value=str(text))
    return key


def in_force(candidates: Iterable[tuple[str, T]], key: PeriodKey) -> Optional[T]:
    """The item whose ``effective_from`` is the latest one not after the period's first month.

    ``candidates`` are ``(effective_from, item)``; a malformed ``effective_from`` is skipped.
    """
    target = (key.year, key.first_month)
    best: Optional[tuple[tuple[int, int], T]] = None
    for effective_from, item in candidates:
        try:
            k = parse_month(effective_from)
        except ValidationError:
            continue
        start = (k.year, k.first_month)
        if start <= target and (best is None or start > best[0]):
            best = (start, item)
    return best[1] if best else None


# -- working days -----------------------------------------------------------------------------------
def working_days(first: dt.date, last: dt.date, holidays: Iterable[dt.date] = (),
                 extra_workdays: Iterable[dt.date] = ()) -> int:
    """Days from ``first`` to ``last`` inclusive that are Monday–Friday or a listed extra workday
    (a Saturday worked in exchange for a bridge day off), and not a holiday."""
    off = set(holidays)
    extra = set(extra_workdays)
    n = 0
    day = first
    while day <= last:
        if day not in off and (day.weekday() < 5 or day in extra):
            n += 1
        day += dt.timedelta(days=1)
    return n


def period_working_days(key: PeriodKey, holidays: Iterable[dt.date] = (),
                        extra_workdays: Iterable[dt.date] = ()) -> int:
    return working_days(key.first_day, key.last_day, holidays, extra_workdays)


def check_working_days(value: object, key: PeriodKey, field: str = "working_days") -> int:
    """An admin's override of the number: a whole number from 1 to the period's calendar days."""
    n: Optional[int]
    if isinstance(value, bool) or value is None:
        n = None
    elif isinstance(value, int):
        n = value
    else:
        try:
            n = int(str(value).strip())
        except ValueError:
            n = None
    if n is None or not (1 <= n <= key.calendar_days):
        raise ValidationError(
            "bad_working_days",
            f"Số ngày làm việc phải là số nguyên từ 1 đến {key.calendar_days}.",
            field,
        )
    return n


# -- day windows -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DaySpan:
    """A window as days of the period's last month, e.g. 20–25 (days past the month's end roll over)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


MAX_SPAN_DAY = 60


def parse_span(text: object, name: str) -> DaySpan:
    """``"20-25"`` → DaySpan(20, 25). ``name`` (the setting's variable) is named in the message."""
    raw = str(text or "").strip().replace("–", "-").replace(" ", "")
    m = re.match(r"^([0-9]{1,2})-([0-9]{1,2})$", raw)
    if m:
        start, end = int(m.group(1)), int(m.group(2))
        if 1 <= start <= 31 and start <= end <= MAX_SPAN_DAY:
            return DaySpan(start, end)
    raise ValidationError(
        "bad_window",
        f"{name} phải có dạng “ngày-ngày” của tháng cuối kỳ, ví dụ 20-25 (ngày bắt đầu từ 1 đến 31, "
        f"ngày kết thúc không trước ngày bắt đầu, tối đa {MAX_SPAN_DAY}; đang là “{text}”).",
        name,
    )


DEFAULT_SPANS: Mapping[str, DaySpan] = {
    STEP_SELF: DaySpan(20, 25),
    STEP_COMMENT: DaySpan(20, 28),
    STEP_GRADING: DaySpan(20, 34),
}


@dataclass(frozen=True)
class Window:
    """From ``start`` to ``end`` inclusive (Hà Nội dates)."""

    start: dt.date
    end: dt.date

    def end_with(self, until: Optional[dt.date] = None) -> dt.date:
        """The effective end with a unit's extension (never earlier than the period's own end)."""
        return max(self.end, until) if until is not None else self.end

    def is_open(self, day: dt.date, until: Optional[dt.date] = None) -> bool:
        return self.start <= day <= self.end_with(until)

    def is_over(self, day: dt.date, until: Optional[dt.date] = None) -> bool:
        return day > self.end_with(until)

    def days_left(self, day: dt.date, until: Optional[dt.date] = None) -> int:
        """Days left including today (0 once over)."""
        return max((self.end_with(until) - day).days + 1, 0)

    def __str__(self) -> str:
        return f"{fmt_date(self.start)} – {fmt_date(self.end)}"


@dataclass(frozen=True)
class Windows:
    self_assessment: Window
    comment: Window
    grading: Window

    def get(self, step: str) -> Window:
        if step not in STEPS:
            raise KeyError(step)
        return getattr(self, step)

    def items(self) -> tuple[tuple[str, Window], ...]:
        return tuple((s, self.get(s)) for s in STEPS)

    def open_steps(self, day: dt.date, extensions: Optional[Mapping[str, dt.date]] = None) -> frozenset[str]:
        """The steps whose window is open on ``day`` for a unit with these extensions (step → until)."""
        ext = extensions or {}
        return frozenset(s for s, w in self.items() if w.is_open(day, ext.get(s)))


def day_of(key: PeriodKey, n: int) -> dt.date:
    """Day ``n`` of the period's last month; past the month's length it runs into the next month."""
    year, month = key.months[-1]
    return dt.date(year, month, 1) + dt.timedelta(days=n - 1)


def default_windows(key: PeriodKey, spans: Optional[Mapping[str, DaySpan]] = None) -> Windows:
    spans = {**DEFAULT_SPANS, **(spans or {})}
    return Windows(**{s: Window(day_of(key, spans[s].start), day_of(key, spans[s].end)) for s in STEPS})


def _date(value: DateLike, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError("bad_date", f"Ngày “{value}” không hợp lệ (dạng YYYY-MM-DD).", field) from None


def make_windows(key: PeriodKey, given: Optional[Mapping[str, object]] = None,
                 spans: Optional[Mapping[str, DaySpan]] = None, base: Optional[Windows] = None) -> Windows:
    """Windows from ``base`` (default: the windows of ``spans``), with the steps in ``given`` replaced.

    ``given`` maps a step to ``(from, to)`` (dates or ISO strings) or a ``Window``. Refuses an unknown
    step, a bad date, and windows that ``window_problems`` rejects.
    """
    base = base or default_windows(key, spans)
    chosen = {s: base.get(s) for s in STEPS}
    for step, value in (given or {}).items():
        field = f"windows.{step}"
        if step not in STEPS:
            raise ValidationError("bad_window", f"Không có bước “{step}” (chỉ có: {', '.join(STEPS)}).", field)
        if isinstance(value, Window):
            chosen[step] = value
            continue
        try:
            start, end = value  # type: ignore[misc]
        except (TypeError, ValueError):
            raise ValidationError("bad_window", "Thời hạn phải gồm ngày bắt đầu và ngày kết thúc.", field) from None
        chosen[step] = Window(_date(start, field), _date(end, field))
    windows = Windows(**chosen)
    problems = window_problems(windows, key)
    if problems:
        raise problems[0]
    return windows


def window_problems(windows: Windows, key: PeriodKey) -> list[ValidationError]:
    """Each window starts no earlier than the period and ends no earlier than it starts; the steps end
    in order (self-assessment ≤ comment ≤ grading), and none ends more than 60 days after the period."""
    out: list[ValidationError] = []
    latest = key.last_day + dt.timedelta(days=MAX_SPAN_DAY)
    for step, w in windows.items():
        field = f"windows.{step}"
        label = STEP_LABELS[step]
        if w.start > w.end:
            out.append(ValidationError("bad_window", f"Thời hạn {label}: ngày bắt đầu phải trước hoặc trùng ngày kết thúc.", field))
        elif w.start < key.first_day:
            out.append(ValidationError("bad_window", f"Thời hạn {label} không được bắt đầu trước ngày đầu kỳ ({fmt_date(key.first_day)}).", field))
        elif w.end > latest:
            out.append(ValidationError("bad_window", f"Thời hạn {label} không được kết thúc sau {fmt_date(latest)}.", field))
    if not out:
        s, c, g = windows.self_assessment, windows.comment, windows.grading
        if c.end < s.end:
            out.append(ValidationError("bad_window", "Thời hạn nhận xét không được kết thúc trước thời hạn tự đánh giá.", f"windows.{STEP_COMMENT}"))
        if g.end < c.end:
            out.append(ValidationError("bad_window", "Thời hạn đánh giá, xếp loại không được kết thúc trước thời hạn nhận xét.", f"windows.{STEP_GRADING}"))
    return out


def check_extension(window: Window, until: DateLike, step: str, field: str = "until") -> dt.date:
    """A unit extension must end after the step's own end (it extends, never shortens)."""
    if step not in STEPS:
        raise ValidationError("bad_window", f"Không có bước “{step}” (chỉ có: {', '.join(STEPS)}).", "step")
    day = _date(until, field)
    if day <= window.end:
        raise ValidationError(
            "bad_extension",
            f"Ngày gia hạn {STEP_LABELS[step]} phải sau ngày kết thúc hiện tại ({fmt_date(window.end)}).",
            field,
        )
    return day


__all__ = [
    "MONTH", "QUARTER", "PeriodKey", "parse_key", "parse_month", "in_force",
    "working_days", "period_working_days", "check_working_days",
    "STEP_SELF", "STEP_COMMENT", "STEP_GRADING", "STEPS", "STEP_LABELS",
    "DaySpan", "parse_span", "DEFAULT_SPANS", "Window", "Windows", "day_of", "default_windows",
    "make_windows", "window_problems", "check_extension",
]
