"""The A-quota of a unit in a period (EVAL_SPEC "Quota").

- ``share_of_sheets`` (khung 3814): at most floor(30 % × the unit's sheets of the period) A, 40 % for
  a unit flagged exceptional;
- ``share_of_grade`` (NĐ 335): at most floor(20 % × the number of the unit's sheets graded B).

``counts_by_grade`` are the unit's *finalised* sheets of the period, without the sheet being
finalised (the service counts them in the same transaction as it finalises). Under
``share_of_grade`` the base grows as B grades are given, so the order of finalising matters: the
evaluator sees "Đơn vị đã có X/Y A" before finalising and an A beyond the limit needs a reason
(Conflict ``quota`` without one), which the service logs. The floor is exact Decimal arithmetic.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Mapping, Optional

from app.domain.errors import Conflict
from app.domain.evaluation.rules import QUOTA_NONE, QUOTA_SHARE_OF_GRADE, QUOTA_SHARE_OF_SHEETS, QuotaPolicy


@dataclass(frozen=True)
class QuotaStatus:
    grade: str
    limit: Optional[int]  # None: no quota
    used: int
    base: int  # what the share is taken of (sheets, or sheets graded base_grade)
    percent: Optional[Decimal] = None

    @property
    def remaining(self) -> Optional[int]:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def full(self) -> bool:
        """One more ``grade`` would exceed the limit."""
        return self.limit is not None and self.used + 1 > self.limit

    @property
    def message(self) -> str:
        """"Đơn vị đã có X/Y A" for the evaluator (no limit: just the count)."""
        if self.limit is None:
            return f"Đơn vị đã có {self.used} {self.grade}"
        return f"Đơn vị đã có {self.used}/{self.limit} {self.grade}"


def floor_share(percent: Decimal, base: int) -> int:
    return int((Decimal(percent) * base / 100).to_integral_value(rounding=ROUND_FLOOR))


def quota_status(policy: QuotaPolicy, counts_by_grade: Mapping[str, int], sheets_total: int,
                 exceptional: bool = False) -> QuotaStatus:
    """The unit's limit and use of the quota grade."""
    used = int(counts_by_grade.get(policy.grade, 0))
    if policy.kind == QUOTA_NONE or policy.percent is None:
        return QuotaStatus(policy.grade, None, used, sheets_total)
    if policy.kind == QUOTA_SHARE_OF_SHEETS:
        percent = policy.exceptional_percent if exceptional and policy.exceptional_percent is not None else policy.percent
        base = int(sheets_total)
    elif policy.kind == QUOTA_SHARE_OF_GRADE:
        percent = policy.percent
        base = int(counts_by_grade.get(policy.base_grade or "", 0))
    else:
        raise ValueError(f"unknown quota kind {policy.kind!r}")
    return QuotaStatus(policy.grade, floor_share(percent, base), used, base, percent)


def check_quota(policy: QuotaPolicy, status: QuotaStatus, grade: str, reason: Optional[str]) -> bool:
    """Finalising ``grade``: True when it goes over the quota (with a reason: log it); raises Conflict
    ``quota`` when it goes over without a reason. A grade other than the quota's never counts."""
    if grade != policy.grade or not status.full:
        return False
    if not (reason or "").strip():
        if policy.kind == QUOTA_SHARE_OF_GRADE:
            rule = f"tối đa {_pct(status.percent)} % số người đạt loại {policy.base_grade}"
        else:
            rule = f"tối đa {_pct(status.percent)} % số phiếu của đơn vị"
        raise Conflict(
            "quota",
            f"{status.message} ({rule}). Xếp loại {grade} vượt chỉ tiêu cần nêu lý do.",
            "quota_reason",
        )
    return True


def _pct(value: Optional[Decimal]) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


__all__ = ["QuotaStatus", "quota_status", "check_quota", "floor_share"]
