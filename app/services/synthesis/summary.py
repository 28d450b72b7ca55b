"""The period summary: per unit the number and share of each grade and the not-yet-graded, the quota, and
the list of a unit's people (leaders apart).

The unit table is one GROUP BY (unit, rule version, finalised grade) over the period's sheets in scope
(index ``(period_id, unit_id, grade)``), plus the unit names and the "exceptional" flags; the quota of each
unit is computed from those counts by ``domain.evaluation.quota``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import case, func, select

from app.domain import rollup as R
from app.domain.evaluation import quota as quota_rules
from app.domain.evaluation import workflow as wf
from app.domain.roles import LEADER
from app.domain.scope import Actor
from app.models import OrgUnit, Period, Sheet, Staff, UnitEvalSetting
from app.services.evaluation.inbox import resolve_period
from app.services.evaluation.sheets import rule_version
from app.services.synthesis.reach import Scope, scope_of


@dataclass
class UnitSummary:
    unit_id: int
    unit_name: str
    block_name: str = ""
    total: int = 0
    counts: dict = field(default_factory=dict)  # grade → finalised sheets
    quota: Optional[quota_rules.QuotaStatus] = None

    @property
    def graded(self) -> int:
        return sum(self.counts.values())

    @property
    def not_graded(self) -> int:
        return self.total - self.graded

    def count(self, grade: str) -> int:
        return self.counts.get(grade, 0)

    def share(self, grade: Optional[str]) -> Decimal:
        return R.share(self.not_graded if grade is None else self.count(grade), self.total)

    @property
    def quota_text(self) -> str:
        if self.quota is None or self.quota.limit is None:
            return "Không giới hạn"
        over = " (vượt)" if self.quota.used > self.quota.limit else ""
        return f"{self.quota.used}/{self.quota.limit} {self.quota.grade}{over}"


@dataclass(frozen=True)
class PersonRow:
    sheet_id: int
    person_id: int
    name: str
    position: Optional[str]
    leader: bool
    state: str
    self_total: Optional[Decimal]
    final_total: Optional[Decimal]
    grade: Optional[str]

    @property
    def grade_label(self) -> str:
        return R.GRADE_NAMES.get(self.grade, self.grade) if self.grade else R.NOT_GRADED


@dataclass
class Summary:
    period: Period
    scope: Scope
    units: list[UnitSummary]
    people: list[PersonRow] = field(default_factory=list)  # for one unit

    @property
    def totals(self) -> UnitSummary:
        t = UnitSummary(0, "Tổng cộng")
        for u in self.units:
            t.total += u.total
            for g, k in u.counts.items():
                t.counts[g] = t.counts.get(g, 0) + k
        return t

    @property
    def leaders(self) -> list[PersonRow]:
        return [p for p in self.people if p.leader]

    @property
    def staff(self) -> list[PersonRow]:
        return [p for p in self.people if not p.leader]


def unit_table(session, period: Period, scope: Scope) -> list[UnitSummary]:
    """One statement: the grouped count (index-only on ``ix_sheet_summary``) joined to the unit and block names."""
    grouped = (select(Sheet.unit_id.label("unit_id"), Sheet.state.label("state"), Sheet.grade.label("grade"),
                      Sheet.rule_version_id.label("version_id"), func.count().label("n"))
               .where(Sheet.period_id == period.id, scope.sheet_filter(Sheet.unit_id))
               .group_by(Sheet.unit_id, Sheet.state, Sheet.grade, Sheet.rule_version_id)).subquery()
    unit, block = OrgUnit.__table__.alias("u"), OrgUnit.__table__.alias("b")
    setting = UnitEvalSetting.__table__
    rows = session.execute(
        select(grouped, unit.c.name.label("unit_name"), block.c.name.label("block_name"), setting.c.quota_exceptional)
        .join(unit, unit.c.id == grouped.c.unit_id).outerjoin(block, block.c.id == unit.c.block_id)
        .outerjoin(setting, setting.c.unit_id == grouped.c.unit_id)
    ).all()
    exceptional = {r.unit_id for r in rows if r.quota_exceptional}
    out: dict[int, UnitSummary] = {}
    version_of: dict[int, int] = {}
    finalised = wf.FINALISED
    for unit_id, state, g, version_id, k, name, block_name, _ in rows:
        u = out.get(unit_id)
        if u is None:
            u = out[unit_id] = UnitSummary(unit_id, name, block_name or "")
            version_of[unit_id] = version_id
        u.total += k
        if g and state == finalised:
            u.counts[g] = u.counts.get(g, 0) + k
    policies = {v: rule_version(session, v).quota for v in set(version_of.values())}
    for u in out.values():
        u.quota = quota_rules.quota_status(policies[version_of[u.unit_id]], u.counts, u.total, u.unit_id in exceptional)
    return sorted(out.values(), key=lambda u: (u.block_name, u.unit_name, u.unit_id))


def people_of(session, period: Period, unit_id: int) -> list[PersonRow]:
    rows = session.execute(
        select(Sheet.id, Sheet.person_id, Sheet.eval_role, Sheet.state, Sheet.self_total, Sheet.final_total, Sheet.grade,
               Staff.full_name, Staff.position)
        .join(Staff, Staff.id == Sheet.person_id)
        .where(Sheet.period_id == period.id, Sheet.unit_id == unit_id)
        .order_by(case((Sheet.eval_role == LEADER, 0), else_=1), Staff.name_key, Sheet.id)
    ).all()
    return [PersonRow(r.id, r.person_id, r.full_name, r.position, r.eval_role == LEADER, r.state, r.self_total,
                      r.final_total if r.state == wf.FINALISED else None, r.grade if r.state == wf.FINALISED else None)
            for r in rows]


def summary(session, actor: Actor, period: Any, unit_id: Any = None, block_id: Any = None, org_name: str = "") -> Summary:
    per = resolve_period(session, period)
    scope = scope_of(session, actor, unit_id, block_id, org_name)
    out = Summary(per, scope, unit_table(session, per, scope))
    if scope.level == "unit":
        out.people = people_of(session, per, scope.unit_id)
    return out


__all__ = ["UnitSummary", "PersonRow", "Summary", "summary", "unit_table", "people_of"]


@dataclass(frozen=True)
class TrendPoint:
    period_key: str
    label: str
    total: int
    counts: dict

    def share(self, grade: str) -> Decimal:
        return R.share(self.counts.get(grade, 0), self.total)


def trend(session, scope: Scope, last: int = 12) -> list[TrendPoint]:
    """The grade distribution of the scope's sheets, period by period (the last ``last`` non-trial periods):
    one GROUP BY (period, finalised grade)."""
    periods = list(session.execute(select(Period.id, Period.key).where(Period.trial.is_(False))
                                   .order_by(Period.last_day.desc(), Period.first_day.desc()).limit(last)))[::-1]
    if not periods:
        return []
    counts: dict[int, dict] = {pid: {} for pid, _ in periods}
    totals: dict[int, int] = {pid: 0 for pid, _ in periods}
    for pid, state, g, k in session.execute(
        select(Sheet.period_id, Sheet.state, Sheet.grade, func.count())
        .where(Sheet.period_id.in_([p for p, _ in periods]), scope.sheet_filter(Sheet.unit_id))
        .group_by(Sheet.period_id, Sheet.state, Sheet.grade)
    ):
        totals[pid] += k
        if g and state == wf.FINALISED:
            counts[pid][g] = counts[pid].get(g, 0) + k
    from app.domain.evaluation.periods import parse_key

    return [TrendPoint(key, parse_key(key).label, totals[pid], counts[pid]) for pid, key in periods]
