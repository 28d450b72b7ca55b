"""A unit's results in a period: the grade distribution (beside a leader's sheet) and the A-quota.

Both read one grouped count over the unit's sheets of the period (index ``(period_id, unit_id, grade)``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from sqlalchemy import func, select

from app.domain.evaluation import quota as quota_rules
from app.domain.evaluation import rules as R
from app.domain.evaluation import workflow as wf
from app.models import OrgUnit, Sheet, UnitEvalSetting


@dataclass(frozen=True)
class UnitResults:
    """The unit's sheets of one period: how many, by state, and the finalised ones by grade."""

    unit_id: int
    total: int
    by_state: Mapping[str, int] = field(default_factory=dict)
    by_grade: Mapping[str, int] = field(default_factory=dict)  # finalised sheets only

    @property
    def finalised(self) -> int:
        return self.by_state.get(wf.FINALISED, 0)


def _counts(session, period_id: int, unit_id: int):
    return session.execute(
        select(Sheet.state, Sheet.grade, func.count())
        .where(Sheet.period_id == period_id, Sheet.unit_id == unit_id)
        .group_by(Sheet.state, Sheet.grade)
    ).all()


def unit_results(session, period_id: int, unit_id: int) -> UnitResults:
    by_state: dict[str, int] = {}
    by_grade: dict[str, int] = {}
    total = 0
    for state, grade, n in _counts(session, period_id, unit_id):
        total += n
        by_state[state] = by_state.get(state, 0) + n
        if state == wf.FINALISED and grade:
            by_grade[grade] = by_grade.get(grade, 0) + n
    return UnitResults(unit_id, total, by_state, by_grade)


def is_exceptional(session, unit_id: int) -> bool:
    """The unit is flagged exceptional (the higher share of the 3814 quota)."""
    return bool(session.scalar(select(UnitEvalSetting.quota_exceptional).where(UnitEvalSetting.unit_id == unit_id)))


def quota_status(session, period_id: int, unit_id: int, policy: R.QuotaPolicy) -> quota_rules.QuotaStatus:
    """The unit's quota now ("Đơn vị đã có X/Y A"): what finalising one more sheet is checked against.

    ``used`` counts the unit's finalised sheets of the quota grade; the base every sheet of the unit
    (``share_of_sheets``) or the finalised sheets graded ``base_grade`` (``share_of_grade``). A sheet being
    finalised is not finalised yet, so it is never counted in its own check.
    """
    rows = _counts(session, period_id, unit_id)
    total = sum(n for _, _, n in rows)
    by_grade: dict[str, int] = {}
    for state, grade, n in rows:
        if state == wf.FINALISED and grade:
            by_grade[grade] = by_grade.get(grade, 0) + n
    return quota_rules.quota_status(policy, by_grade, total, is_exceptional(session, unit_id))


def lock_unit(session, unit_id: int) -> None:
    """Serialise finalisations in one unit until commit: PostgreSQL ``FOR NO KEY UPDATE`` on the unit row
    (foreign-key checks of other writers are not blocked); SQLite serialises writers anyway."""
    session.execute(select(OrgUnit.id).where(OrgUnit.id == unit_id).with_for_update(key_share=True))


__all__ = ["UnitResults", "unit_results", "quota_status", "is_exceptional", "lock_unit"]
