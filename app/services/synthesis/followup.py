"""The follow-up board of a period: who has not submitted, which sheets wait on whom and since when.

Two statements whatever the size: one grouped count per (unit, state, commenter present) for the unit
table, and one page of the sheets not finalised yet, with the person holding each. A unit's deadline of a
step is the period's, or the unit's extension when later; an item is late when today is past it.
Units furthest behind come first (the smallest share finalised, then the most not submitted).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from app.domain import rollup as R
from app.domain.evaluation import periods as P
from app.domain.evaluation import workflow as wf
from app.domain.scope import Actor
from app.models import OrgUnit, Period, PeriodExtension, Sheet, Staff
from app.services import clock
from app.services.evaluation.inbox import resolve_period
from app.services.synthesis.reach import Scope, paging, scope_of, units_in

WAIT_SELF, WAIT_COMMENT, WAIT_GRADE = "self", "comment", "grade"
WAIT_LABELS = {WAIT_SELF: "Chưa gửi tự đánh giá", WAIT_COMMENT: "Chờ nhận xét", WAIT_GRADE: "Chờ đánh giá, xếp loại"}
STEP_OF_WAIT = {WAIT_SELF: P.STEP_SELF, WAIT_COMMENT: P.STEP_COMMENT, WAIT_GRADE: P.STEP_GRADING}


@dataclass(frozen=True)
class UnitProgress:
    unit_id: int
    unit_name: str
    block_name: str
    total: int
    not_submitted: int
    waiting_comment: int
    waiting_grade: int
    finalised: int
    late: int
    deadlines: dict

    @property
    def done_share(self):
        return R.share(self.finalised, self.total)


@dataclass(frozen=True)
class WaitItem:
    sheet_id: int
    unit_id: int
    unit_name: str
    person_name: str
    position: Optional[str]
    wait: str
    holder_name: Optional[str]
    since: Optional[dt.date]
    days: int
    deadline: dt.date
    late: bool

    @property
    def wait_label(self) -> str:
        return WAIT_LABELS[self.wait]


@dataclass(frozen=True)
class Board:
    period: Period
    scope: Scope
    units: list[UnitProgress]
    items: list[WaitItem]
    items_total: int
    page: int
    page_size: int
    today: dt.date

    @property
    def totals(self) -> dict[str, int]:
        keys = ("total", "not_submitted", "waiting_comment", "waiting_grade", "finalised", "late")
        return {k: sum(getattr(u, k) for u in self.units) for k in keys}


def _wait_expr():
    return case(
        (Sheet.state == wf.DRAFT, WAIT_SELF),
        (and_(Sheet.state == wf.SUBMITTED, Sheet.commenter_id.isnot(None)), WAIT_COMMENT),
        else_=WAIT_GRADE,
    )


def deadlines(session, period: Period, unit_ids) -> dict[int, dict[str, dt.date]]:
    """unit → step → the end of the step for that unit (the period's, or a later extension)."""
    base = {P.STEP_SELF: period.self_to, P.STEP_COMMENT: period.comment_to, P.STEP_GRADING: period.grading_to}
    out = {u: dict(base) for u in unit_ids}
    for unit_id, step, until in session.execute(
        select(PeriodExtension.unit_id, PeriodExtension.step, PeriodExtension.until).where(PeriodExtension.period_id == period.id)
    ):
        if unit_id in out and until > out[unit_id][step]:
            out[unit_id][step] = until
    return out


def board(session, actor: Actor, period: Any, unit_id: Any = None, block_id: Any = None, page: Any = 0,
          page_size: Any = 100, today: Optional[dt.date] = None, org_name: str = "") -> Board:
    p, n = paging(page, page_size)
    per = resolve_period(session, period)
    scope = scope_of(session, actor, unit_id, block_id, org_name)
    today = today or clock.today()
    wait = _wait_expr()
    in_scope = [Sheet.period_id == per.id, scope.sheet_filter(Sheet.unit_id)]
    counts: dict[int, dict[str, int]] = {}
    for u, state, w, k in session.execute(
        select(Sheet.unit_id, Sheet.state, wait, func.count()).where(*in_scope).group_by(Sheet.unit_id, Sheet.state, wait)
    ):
        c = counts.setdefault(u, {})
        key = "finalised" if state == wf.FINALISED else w
        c[key] = c.get(key, 0) + k
    names = units_in(session, counts)
    ends = deadlines(session, per, counts)
    units = []
    for u, c in counts.items():
        late = sum(c.get(w, 0) for w in (WAIT_SELF, WAIT_COMMENT, WAIT_GRADE) if today > ends[u][STEP_OF_WAIT[w]])
        name, _, block = names.get(u, ("", None, ""))
        units.append(UnitProgress(u, name, block, sum(c.values()), c.get(WAIT_SELF, 0), c.get(WAIT_COMMENT, 0),
                                  c.get(WAIT_GRADE, 0), c.get("finalised", 0), late, ends[u]))
    units.sort(key=lambda x: (x.finalised / x.total if x.total else 1, -x.not_submitted, -x.late, x.unit_name))
    person, holder, unit = aliased(Staff), aliased(Staff), aliased(OrgUnit)
    holder_id = case((Sheet.state == wf.DRAFT, Sheet.person_id),
                     (and_(Sheet.state == wf.SUBMITTED, Sheet.commenter_id.isnot(None)), Sheet.commenter_id),
                     else_=Sheet.evaluator_id)
    since = case((Sheet.state == wf.DRAFT, None), (Sheet.state == wf.SUBMITTED, Sheet.submitted_at), else_=Sheet.commented_at)
    open_where = [*in_scope, Sheet.state != wf.FINALISED]
    total_items = sum(u.total - u.finalised for u in units)
    rows = session.execute(
        select(Sheet.id, Sheet.unit_id, wait.label("wait"), since.label("since"), person.full_name, person.position,
               holder.full_name.label("holder_name"), unit.name.label("unit_name"))
        .join(person, person.id == Sheet.person_id)
        .join(unit, unit.id == Sheet.unit_id)
        .outerjoin(holder, holder.id == holder_id)
        .where(*open_where)
        .order_by(case((Sheet.state == wf.DRAFT, 0), else_=1), Sheet.submitted_at, unit.name_key, person.name_key, Sheet.id)
        .offset(p * n).limit(n)
    ).all() if total_items else []
    items = []
    opened = per.opened_at.date() if per.opened_at else per.first_day
    for r in rows:
        start = r.since.date() if r.since is not None else opened
        end = ends[r.unit_id][STEP_OF_WAIT[r.wait]]
        items.append(WaitItem(r.id, r.unit_id, r.unit_name, r.full_name, r.position, r.wait,
                              r.holder_name, start, max((today - start).days, 0), end, today > end))
    return Board(per, scope, units, items, total_items, p, n, today)


__all__ = ["WAIT_LABELS", "UnitProgress", "WaitItem", "Board", "board", "deadlines"]
