"""Roll-up per person to a quarter or a year (``domain.rollup``): one GROUP BY person over the finalised
sheets of the span's periods, trial periods left out, joined to the people in scope.

People are those whose *current* unit is in scope, and their sheets are counted by person id whatever unit
each sheet was written in: a transferred person's results follow them. The span holds every non-trial
period whose key falls in it (months "2026-10" and quarters "2026-Q4"; an agency uses one or the other).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, Optional

from sqlalchemy import Float, cast, func, select, type_coerce

from app.domain import rollup as R
from app.domain.evaluation import workflow as wf
from app.domain.scope import Actor
from app.models import OrgUnit, Period, Sheet, Staff
from app.services.evaluation.periods import counted_periods_clause
from app.services.synthesis.reach import Scope, paging, scope_of


class RollupRow(NamedTuple):
    """One person's line; a named tuple like ``Tally``: one light object per person, no instance dict."""

    person_id: int
    name: str
    position: Optional[str]
    unit_name: str
    tally: R.Tally
    proposed: Optional[str]

    @property
    def proposed_label(self) -> str:
        return R.GRADE_NAMES.get(self.proposed, "") if self.proposed else "Chưa có kết quả"


@dataclass(frozen=True)
class Rollup:
    span: R.Span
    scope: Scope
    policy: Any
    rows: list[RollupRow]
    total: int
    page: int
    page_size: int


def aggregate(span: R.Span):
    """The grouped statement: person → periods, count per grade, Σ score × worked share, Σ worked share.

    The sums are floats (the share is worked days / working days), so 20,000 rows come back without a
    Decimal conversion each; the average is rounded to two decimals in ``Tally``. The share is worked out
    once per sheet, in a subquery that ``OFFSET 0`` keeps PostgreSQL from inlining (it would compute the
    expression again for each sum); SQLite reads it as a plain subquery.
    """
    # every operand cast to a float on its own: the same values as casting the numeric coalesce, without
    # PostgreSQL turning the integer divisor into a numeric and back (its numeric → float goes through text)
    worked = func.coalesce(cast(Sheet.worked_days, Float), cast(Sheet.working_days, Float))
    part = worked.op("/", return_type=Float)(cast(func.nullif(Sheet.working_days, 0), Float))  # float / float
    periods = select(Period.id).where(Period.key.in_(span.keys), counted_periods_clause())
    sheets = (select(Sheet.person_id, Sheet.grade, cast(Sheet.final_total, Float).label("score"), part.label("part"))
              .where(Sheet.period_id.in_(periods), Sheet.state == wf.FINALISED)
              .offset(0).subquery("counted"))
    cols = [sheets.c.person_id.label("person_id"), func.count().label("periods")]
    cols += [func.count().filter(sheets.c.grade == g).label(f"n_{g}") for g in R.GRADES]  # FILTER: cheaper than SUM(CASE)
    cols += [type_coerce(func.sum(sheets.c.score * sheets.c.part), Float).label("wsum"),
             type_coerce(func.sum(sheets.c.part), Float).label("weight")]
    return select(*cols).group_by(sheets.c.person_id)


def rollup(session, actor: Actor, span_text: str, policy_code: str, unit_id: Any = None, block_id: Any = None,
           page: Any = 0, page_size: Any = 100, org_name: str = "", all_rows: bool = False) -> Rollup:
    span = R.parse_span(span_text)
    policy = R.policy(policy_code)
    p, n = paging(page, page_size)
    scope = scope_of(session, actor, unit_id, block_id, org_name)
    agg = aggregate(span).subquery()
    where = [scope.sheet_filter(Staff.unit_id)]
    q = (select(agg.c.person_id, agg.c.periods, *[agg.c[f"n_{g}"] for g in R.GRADES], agg.c.wsum, agg.c.weight,
                Staff.full_name, Staff.position, Staff.unit_id, Staff.name_key)
         .join(Staff, Staff.id == agg.c.person_id)
         .where(*where))
    if all_rows:  # every row (exports, the benchmark): sorted here, cheaper than the database's sort of 20,000 texts
        total = None
    else:
        total = session.scalar(select(func.count()).select_from(agg).join(Staff, Staff.id == agg.c.person_id).where(*where)) or 0
        unit_key = select(OrgUnit.name_key).where(OrgUnit.id == Staff.unit_id).scalar_subquery()
        q = q.order_by(unit_key, Staff.name_key, Staff.id).offset(p * n).limit(n)
    rows = []
    propose = policy.propose
    if total != 0:
        # the units of the scope first (a few hundred at most), so the people's rows are built as they stream
        # from the cursor: each result row is dropped once read. Holding the 20,000 of them (``.all()``) kept
        # that many more objects alive and cost a full garbage collection of the heap (+150 ms in the bench).
        units = {u: (name, key or "") for u, name, key in session.execute(
            select(OrgUnit.id, OrgUnit.name, OrgUnit.name_key).where(scope.sheet_filter(OrgUnit.id)))}
        keyed = []  # all rows: (unit key, name key, id, row), sorted here, cheaper than the database's sort of texts
        for person_id, periods, a, b, c, d, wsum, weight, name, position, unit_id, name_key in session.connection().execute(q):
            tally = R.Tally(periods, {"A": a or 0, "B": b or 0, "C": c or 0, "D": d or 0},
                            Decimal(wsum or 0), Decimal(weight or 0))
            unit_name, unit_key = units.get(unit_id, ("", ""))
            row = RollupRow(person_id, name, position, unit_name, tally, propose(tally))
            if total is None:
                keyed.append((unit_key, name_key or "", person_id, row))
            else:
                rows.append(row)
        if total is None:
            keyed.sort()
            rows = [k[3] for k in keyed]
    return Rollup(span, scope, policy, rows, len(rows) if total is None else total, p, n)


__all__ = ["RollupRow", "Rollup", "rollup", "aggregate"]
