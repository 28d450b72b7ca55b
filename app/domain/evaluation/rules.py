"""A rule-set version as immutable data: what a period is graded under.

A *family* (``code``, ``name``: "Hà Nội 1841 (khung 3814)") has *versions*, each in force from a period
key (``effective_from``, a month such as ``2021-12``). A version holds groups → criteria, the total
cap, the grade bands (best first), the attendance cap, the A-quota policy and the task-scoring mode.

Everything is data the district admin edits; nothing here knows the regime's numbers except the
defaults of the dataclasses. ``RuleVersion.problems()`` checks a version is usable (every total gets a
grade, the best band is reachable, grades named by the caps exist…), so the admin screens and the
shipped seed are validated the same way.

Points are ``Decimal`` with two decimals (half points, 2.5, are common). Criteria are addressed by a
*key*: the database id when the version came from the database, else the criterion code (pure tests,
seed data); see ``RuleVersion.criterion``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Iterator, Mapping, Optional, Union

from app.domain.evaluation import periods

NORMAL = "normal"
BONUS = "bonus"
DEDUCTION = "deduction"
GROUP_KINDS = (NORMAL, BONUS, DEDUCTION)
GROUP_KIND_LABELS = {NORMAL: "Tiêu chí chấm điểm", BONUS: "Điểm thưởng", DEDUCTION: "Điểm trừ"}

TASK_MODE_NONE = "none"
TASK_MODE_ND335 = "nd335"  # issue 9: the 70 task points computed from the person's tasks
TASK_MODES = (TASK_MODE_NONE, TASK_MODE_ND335)

QUOTA_NONE = "none"
QUOTA_SHARE_OF_SHEETS = "share_of_sheets"  # 3814: A ≤ 30 % of the unit's sheets (40 % if exceptional)
QUOTA_SHARE_OF_GRADE = "share_of_grade"  # NĐ 335: A ≤ 20 % of the number graded B
QUOTA_KINDS = (QUOTA_NONE, QUOTA_SHARE_OF_SHEETS, QUOTA_SHARE_OF_GRADE)

Key = Union[int, str]
CENT = Decimal("0.01")


def dec(value: Any) -> Decimal:
    """A trusted definition value (seed, database) as a two-decimal Decimal."""
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    if isinstance(value, float):
        value = repr(value)
    return Decimal(str(value)).quantize(CENT)


def _two_decimals(value: Decimal) -> bool:
    try:
        return value.is_finite() and value == value.quantize(CENT)
    except InvalidOperation:
        return False


@dataclass(frozen=True)
class Criterion:
    """One scored line. ``kind`` and ``group_code`` are filled in from the group it belongs to."""

    code: str
    name: str
    max_points: Decimal
    order: int = 0
    description: str = ""
    id: Optional[int] = None
    kind: str = NORMAL
    group_code: str = ""

    def __post_init__(self):
        object.__setattr__(self, "max_points", dec(self.max_points))

    @property
    def key(self) -> Key:
        return self.id if self.id is not None else self.code

    @property
    def needs_note(self) -> bool:
        """A bonus needs a written justification when it is given."""
        return self.kind == BONUS


@dataclass(frozen=True)
class CriterionGroup:
    """Criteria of one kind with the group's cap.

    normal: the criteria's points sum to at most ``max_points``; bonus: the sum counts up to
    ``max_points``; deduction: the sum subtracts, up to ``max_points``.
    """

    code: str
    name: str
    kind: str
    max_points: Decimal
    criteria: tuple[Criterion, ...] = ()
    order: int = 0
    id: Optional[int] = None

    def __post_init__(self):
        object.__setattr__(self, "max_points", dec(self.max_points))
        ordered = sorted(self.criteria, key=lambda c: (c.order, c.code))
        object.__setattr__(
            self, "criteria", tuple(dataclasses.replace(c, kind=self.kind, group_code=self.code) for c in ordered)
        )

    @property
    def criteria_max(self) -> Decimal:
        return sum((c.max_points for c in self.criteria), Decimal("0.00"))


@dataclass(frozen=True)
class GradeBand:
    """A grade: totals ≥ ``min_points`` get it (the best band whose minimum is met)."""

    code: str
    label: str
    min_points: Decimal

    def __post_init__(self):
        object.__setattr__(self, "min_points", dec(self.min_points))


@dataclass(frozen=True)
class AttendanceCap:
    """Worked ≤ ``threshold_percent`` % of the working days → at most ``max_grade`` (None: no cap)."""

    threshold_percent: Decimal = Decimal("50")
    max_grade: Optional[str] = "C"

    def __post_init__(self):
        object.__setattr__(self, "threshold_percent", dec(self.threshold_percent))


@dataclass(frozen=True)
class QuotaPolicy:
    """How many sheets of one unit may get ``grade`` in a period.

    ``share_of_sheets``: floor(percent % × the unit's sheets), ``exceptional_percent`` for a unit
    flagged exceptional; ``share_of_grade``: floor(percent % × the number graded ``base_grade``).
    """

    kind: str = QUOTA_NONE
    grade: str = "A"
    percent: Optional[Decimal] = None
    exceptional_percent: Optional[Decimal] = None
    base_grade: Optional[str] = None

    def __post_init__(self):
        for name in ("percent", "exceptional_percent"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, dec(value))


DEFAULT_BANDS = (
    GradeBand("A", "Hoàn thành xuất sắc nhiệm vụ", Decimal("90")),
    GradeBand("B", "Hoàn thành tốt nhiệm vụ", Decimal("70")),
    GradeBand("C", "Hoàn thành nhiệm vụ", Decimal("50")),
    GradeBand("D", "Không hoàn thành nhiệm vụ", Decimal("0")),
)


@dataclass(frozen=True)
class RuleVersion:
    """One version of a rule set: what ``scoring.assess`` grades a sheet under."""

    family_code: str
    family_name: str
    effective_from: str
    groups: tuple[CriterionGroup, ...]
    bands: tuple[GradeBand, ...] = DEFAULT_BANDS
    total_cap: Decimal = Decimal("100")
    attendance: AttendanceCap = field(default_factory=AttendanceCap)
    quota: QuotaPolicy = field(default_factory=QuotaPolicy)
    task_mode: str = TASK_MODE_NONE
    band_conditions: Optional[Mapping[str, Any]] = None  # issue 9 (QĐ 366 task conditions per band)
    fail_grade: Optional[str] = None  # the grade of a sheet flagged "fails regardless"; default: the lowest band
    label: str = ""
    id: Optional[int] = None
    family_id: Optional[int] = None

    def __post_init__(self):
        object.__setattr__(self, "total_cap", dec(self.total_cap))
        object.__setattr__(self, "groups", tuple(sorted(self.groups, key=lambda g: (g.order, g.code))))
        object.__setattr__(self, "bands", tuple(sorted(self.bands, key=lambda b: b.min_points, reverse=True)))
        by_key: dict[Key, Criterion] = {}
        for c in self.criteria:
            by_key.setdefault(c.code, c)
            if c.id is not None:
                by_key[c.id] = c
                by_key[str(c.id)] = c
        object.__setattr__(self, "_by_key", by_key)

    # -- criteria ---------------------------------------------------------------------------------
    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for g in self.groups for c in g.criteria)

    def criterion(self, key: Key) -> Optional[Criterion]:
        """The criterion with this id (int or its digits, from JSON) or code; None when unknown."""
        return self._by_key.get(key)  # type: ignore[attr-defined]

    def group(self, code: str) -> Optional[CriterionGroup]:
        return next((g for g in self.groups if g.code == code), None)

    def iter_kind(self, kind: str) -> Iterator[Criterion]:
        return (c for c in self.criteria if c.kind == kind)

    # -- grades -----------------------------------------------------------------------------------
    @property
    def grade_codes(self) -> tuple[str, ...]:
        """Best first."""
        return tuple(b.code for b in self.bands)

    def band(self, code: str) -> Optional[GradeBand]:
        return next((b for b in self.bands if b.code == code), None)

    def grade_label(self, code: Optional[str]) -> str:
        band = self.band(code) if code else None
        return band.label if band else ""

    def rank(self, code: str) -> int:
        """0 for the best grade; larger is lower. KeyError for a grade the version does not have."""
        try:
            return self.grade_codes.index(code)
        except ValueError:
            raise KeyError(code) from None

    def lower_of(self, a: str, b: str) -> str:
        return a if self.rank(a) >= self.rank(b) else b

    def grade_for(self, total: Decimal) -> str:
        """The best band whose minimum the total meets, compared exactly: 89.99 is not 90, ever."""
        for band in self.bands:
            if total >= band.min_points:
                return band.code
        return self.bands[-1].code

    @property
    def failing_grade(self) -> str:
        return self.fail_grade or self.bands[-1].code

    @property
    def max_reachable(self) -> Decimal:
        """The best total the criteria allow (before the total cap)."""
        out = Decimal("0.00")
        for g in self.groups:
            if g.kind == NORMAL:
                out += min(g.max_points, g.criteria_max)
            elif g.kind == BONUS:
                out += min(g.max_points, g.criteria_max)
        return min(out, self.total_cap)

    # -- consistency ------------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Vietnamese reasons why this version cannot be used; empty when it can."""
        out: list[str] = []
        try:
            periods.parse_month(self.effective_from)
        except ValueError as exc:
            out.append(str(exc))
        if not self.bands:
            out.append("Bộ tiêu chí phải có ít nhất một mức xếp loại.")
            return out
        codes = [b.code for b in self.bands]
        if len(set(codes)) != len(codes):
            out.append("Mã các mức xếp loại không được trùng nhau.")
        mins = [b.min_points for b in self.bands]
        if len(set(mins)) != len(mins):
            out.append("Điểm tối thiểu của các mức xếp loại không được trùng nhau.")
        if self.bands[-1].min_points > 0:
            out.append("Mức xếp loại thấp nhất phải bắt đầu từ 0 điểm (mọi tổng điểm đều phải có mức xếp loại).")
        if not _two_decimals(self.total_cap) or self.total_cap <= 0:
            out.append("Tổng điểm tối đa phải là số dương, tối đa 2 chữ số thập phân.")
        if not self.groups:
            out.append("Bộ tiêu chí phải có ít nhất một nhóm tiêu chí.")
        group_codes = [g.code for g in self.groups]
        if len(set(group_codes)) != len(group_codes):
            out.append("Mã các nhóm tiêu chí không được trùng nhau.")
        crit_codes = [c.code for c in self.criteria]
        if len(set(crit_codes)) != len(crit_codes):
            out.append("Mã các tiêu chí không được trùng nhau.")
        for g in self.groups:
            if g.kind not in GROUP_KINDS:
                out.append(f"Nhóm “{g.name}”: loại nhóm “{g.kind}” không hợp lệ.")
            if g.max_points <= 0:
                out.append(f"Nhóm “{g.name}”: điểm tối đa phải lớn hơn 0.")
            if not g.criteria:
                out.append(f"Nhóm “{g.name}” chưa có tiêu chí nào.")
            elif g.kind == NORMAL and g.criteria_max < g.max_points:
                out.append(
                    f"Nhóm “{g.name}”: tổng điểm tối đa các tiêu chí ({g.criteria_max.normalize():f}) nhỏ hơn "
                    f"điểm tối đa của nhóm ({g.max_points.normalize():f})."
                )
            for c in g.criteria:
                if c.max_points <= 0:
                    out.append(f"Tiêu chí “{c.name}”: điểm tối đa phải lớn hơn 0.")
                if not c.name.strip():
                    out.append(f"Tiêu chí mã “{c.code}” chưa có tên.")
        if self.groups and self.max_reachable < self.bands[0].min_points:
            out.append(f"Với các tiêu chí hiện có, không thể đạt mức “{self.bands[0].label}”.")
        if self.attendance.max_grade is not None and self.attendance.max_grade not in codes:
            out.append(f"Mức xếp loại tối đa khi thiếu ngày công (“{self.attendance.max_grade}”) không có trong các mức xếp loại.")
        if not (0 <= self.attendance.threshold_percent <= 100):
            out.append("Tỉ lệ ngày công tối thiểu phải từ 0 đến 100 %.")
        if self.fail_grade is not None and self.fail_grade not in codes:
            out.append(f"Mức xếp loại khi “không hoàn thành nhiệm vụ” (“{self.fail_grade}”) không có trong các mức xếp loại.")
        if self.task_mode not in TASK_MODES:
            out.append(f"Cách tính điểm nhiệm vụ “{self.task_mode}” không hợp lệ.")
        q = self.quota
        if q.kind not in QUOTA_KINDS:
            out.append(f"Cách tính chỉ tiêu “{q.kind}” không hợp lệ.")
        elif q.kind != QUOTA_NONE:
            if q.grade not in codes:
                out.append(f"Chỉ tiêu áp dụng cho mức “{q.grade}” không có trong các mức xếp loại.")
            for pct in (q.percent, q.exceptional_percent):
                if pct is not None and not (0 <= pct <= 100):
                    out.append("Tỉ lệ chỉ tiêu phải từ 0 đến 100 %.")
            if q.percent is None:
                out.append("Chưa đặt tỉ lệ chỉ tiêu.")
            if q.kind == QUOTA_SHARE_OF_GRADE and (q.base_grade is None or q.base_grade not in codes):
                out.append("Chỉ tiêu tính theo số người đạt một mức xếp loại phải nêu mức đó.")
        return out


__all__ = [
    "NORMAL", "BONUS", "DEDUCTION", "GROUP_KINDS", "GROUP_KIND_LABELS",
    "TASK_MODE_NONE", "TASK_MODE_ND335", "TASK_MODES",
    "QUOTA_NONE", "QUOTA_SHARE_OF_SHEETS", "QUOTA_SHARE_OF_GRADE", "QUOTA_KINDS",
    "Criterion", "CriterionGroup", "GradeBand", "AttendanceCap", "QuotaPolicy", "RuleVersion",
    "DEFAULT_BANDS", "dec", "Key",
]
