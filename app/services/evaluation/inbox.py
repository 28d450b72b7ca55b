"""Read queries of the evaluation for screens and the API: my sheet, my inbox, my history, a review list.

Each is a fixed number of statements whatever the size of the organisation, and each statement is
driven by an index of ``sheet``: ``(person_id, period_id)`` for mine and history, ``(commenter_id,
state)`` and ``(evaluator_id, state)`` for the inbox (three OR-ed terms, each an index range), ``(period_id,
unit_id, grade)`` for a review list. Lists are paged (``page`` from 0, ``page_size`` ≤ ``MAX_PAGE_SIZE``)
and return plain rows (dataclasses), not ORM objects, so a page costs what it shows.

"Waiting for me" (the inbox): sheets of open periods that are submitted and routed to me as commenter;
or routed to me as evaluator and commented, or submitted without a commenter. Never my own sheet.
``days_left`` counts today, for the step's window with the unit's extension (0 once over).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import and_, case, func, or_, select, tuple_
from sqlalchemy.orm import aliased

from app.domain.errors import OutOfReach, ValidationError
from app.domain.evaluation import periods as P
from app.domain.evaluation import workflow as wf
from app.domain.roles import DEPARTMENT_HEAD, LEADER
from app.domain.scope import Actor
from app.domain.text import fold
from app.models import GradeBand, OrgUnit, Period, PeriodExtension, Sheet, Staff
from app.security.sheet_scope import sheet_clause
from app.services import clock
from app.services.evaluation import periods as period_service

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_PAGE = 100_000  # beyond every list's end; keeps OFFSET within the database's integers

STEP_OF_ROLE = {wf.OWNER: P.STEP_SELF, wf.COMMENTER: P.STEP_COMMENT, wf.EVALUATOR: P.STEP_GRADING}


def paging(page: Any = 0, page_size: Any = DEFAULT_PAGE_SIZE) -> tuple[int, int]:
    """(page, page_size) checked: whole numbers, page ≥ 0, 1 ≤ page_size ≤ MAX_PAGE_SIZE."""
    try:
        p = int(page if page not in (None, "") else 0)
        n = int(page_size if page_size not in (None, "") else DEFAULT_PAGE_SIZE)
    except (TypeError, ValueError):
        raise ValidationError("bad_page", "Số trang và số dòng mỗi trang phải là số nguyên.", "page") from None
    if p < 0 or p > MAX_PAGE or not (1 <= n <= MAX_PAGE_SIZE):
        raise ValidationError("bad_page", f"Số trang từ 0 đến {MAX_PAGE}; số dòng mỗi trang từ 1 đến {MAX_PAGE_SIZE}.", "page_size")
    return p, n


def resolve_period(session, period: Any) -> Period:
    """A Period from a Period, its id or its key ("2026-11"); OutOfReach when there is none."""
    if isinstance(period, Period):
        return period
    if isinstance(period, int) and not isinstance(period, bool):
        found = session.get(Period, period)
        if found is None:
            raise OutOfReach("not_found", "Không tìm thấy kỳ đánh giá.", "period")
        return found
    return period_service.get_period(session, period)


def _step_end(period_row, step: str, until: Optional[dt.date]) -> dt.date:
    end = {P.STEP_SELF: period_row.self_to, P.STEP_COMMENT: period_row.comment_to, P.STEP_GRADING: period_row.grading_to}[step]
    return max(end, until) if until is not None else end


def _extensions(session, pairs: set[tuple[int, int]]) -> dict[tuple[int, int, str], dt.date]:
    """(period, unit, step) → until, for the (period, unit) pairs of one page."""
    if not pairs:
        return {}
    rows = session.execute(
        select(PeriodExtension.period_id, PeriodExtension.unit_id, PeriodExtension.step, PeriodExtension.until)
        .where(tuple_(PeriodExtension.period_id, PeriodExtension.unit_id).in_(sorted(pairs)))
    )
    return {(p, u, s): until for p, u, s, until in rows}


def _days_left(end: dt.date, today: dt.date) -> int:
    return max((end - today).days + 1, 0)


# -- my sheet --------------------------------------------------------------------------------------------
def my_sheet(session, person_id: int, period: Any) -> Optional[Sheet]:
    """The person's sheet of the period (None when they have none); OutOfReach for an unknown period."""
    p = resolve_period(session, period)
    return session.scalar(select(Sheet).where(Sheet.person_id == person_id, Sheet.period_id == p.id))


@dataclass(frozen=True)
class MineItem:
    """One of my sheets in an open period, with the self-assessment deadline."""

    sheet_id: int
    version: int
    period_key: str
    period_label: str
    state: str
    self_total: Optional[Decimal]
    deadline: dt.date
    days_left: int

    @property
    def state_label(self) -> str:
        return wf.STATE_LABELS.get(self.state, self.state)


def my_open_sheets(session, person_id: int, today: Optional[dt.date] = None) -> list[MineItem]:
    """My sheets of the open periods, oldest period first ("Việc cần làm")."""
    today = today or clock.today()
    rows = session.execute(
        select(Sheet.id, Sheet.version, Sheet.unit_id, Sheet.state, Sheet.self_total, Period)
        .join(Period, Period.id == Sheet.period_id)
        .where(Sheet.person_id == person_id, Period.state == Period.OPEN)
        .order_by(Period.last_day, Period.id)
    ).all()
    ext = _extensions(session, {(r.Period.id, r.unit_id) for r in rows})
    out = []
    for r in rows:
        end = _step_end(r.Period, P.STEP_SELF, ext.get((r.Period.id, r.unit_id, P.STEP_SELF)))
        out.append(MineItem(r.id, r.version, r.Period.key, r.Period.label, r.state, r.self_total, end, _days_left(end, today)))
    return out


# -- inbox -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InboxItem:
    sheet_id: int
    version: int
    period_key: str
    person_id: int
    person_name: str
    position: Optional[str]
    unit_id: int
    unit_name: str
    department_name: Optional[str]
    eval_role: Optional[str]
    state: str
    role: str  # commenter | evaluator: why it waits for me
    self_assessed: bool
    self_total: Optional[Decimal]
    submitted_at: Optional[dt.datetime]
    opened: bool
    deadline: dt.date
    days_left: int

    @property
    def state_label(self) -> str:
        return wf.STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem]
    counts: dict[str, int]  # commenter / evaluator → how many wait
    total: int
    page: int
    page_size: int


def _waiting(me: int):
    """The three index-backed terms of "waiting for me", and the role each row waits for."""
    turn_comment = and_(Sheet.commenter_id == me, Sheet.state == wf.SUBMITTED)
    turn_grade_commented = and_(Sheet.evaluator_id == me, Sheet.state == wf.COMMENTED)
    turn_grade_direct = and_(Sheet.evaluator_id == me, Sheet.state == wf.SUBMITTED, Sheet.commenter_id.is_(None))
    where = [or_(turn_comment, turn_grade_commented, turn_grade_direct), Sheet.person_id != me]
    role = case((turn_comment, wf.COMMENTER), else_=wf.EVALUATOR)
    return where, role


def inbox(session, actor: Actor, page: Any = 0, page_size: Any = DEFAULT_PAGE_SIZE,
          today: Optional[dt.date] = None) -> Inbox:
    """The sheets waiting for the actor as commenter or evaluator, with counts and days left."""
    p, n = paging(page, page_size)
    today = today or clock.today()
    if actor.id is None:
        return Inbox([], {wf.COMMENTER: 0, wf.EVALUATOR: 0}, 0, p, n)
    where, role = _waiting(actor.id)
    open_period = and_(Period.id == Sheet.period_id, Period.state == Period.OPEN)
    counts = {wf.COMMENTER: 0, wf.EVALUATOR: 0}
    for r, k in session.execute(select(role.label("role"), func.count()).select_from(Sheet).join(Period, open_period).where(*where).group_by(role)):
        counts[r] = k
    total = sum(counts.values())
    person, unit, dept = aliased(Staff), aliased(OrgUnit), aliased(OrgUnit)
    rows = session.execute(
        select(Sheet.id, Sheet.version, Sheet.person_id, Sheet.unit_id, Sheet.eval_role, Sheet.state, Sheet.self_assessed,
               Sheet.self_total, Sheet.submitted_at, Sheet.opened_at, role.label("role"), Period,
               person.full_name, person.position, unit.name.label("unit_name"), dept.name.label("dept_name"))
        .join(Period, open_period)
        .join(person, person.id == Sheet.person_id)
        .join(unit, unit.id == Sheet.unit_id)
        .outerjoin(dept, dept.id == Sheet.department_id)
        .where(*where)
        .order_by(Period.last_day, Sheet.unit_id, person.full_name, Sheet.id)
        .offset(p * n).limit(n)
    ).all() if total else []
    ext = _extensions(session, {(r.Period.id, r.unit_id) for r in rows})
    items = []
    for r in rows:
        step = STEP_OF_ROLE[r.role]
        end = _step_end(r.Period, step, ext.get((r.Period.id, r.unit_id, step)))
        items.append(InboxItem(
            r.id, r.version, r.Period.key, r.person_id, r.full_name, r.position, r.unit_id, r.unit_name, r.dept_name,
            r.eval_role, r.state, r.role, r.self_assessed, r.self_total, r.submitted_at, r.opened_at is not None,
            end, _days_left(end, today),
        ))
    return Inbox(items, counts, total, p, n)


# -- history ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HistoryItem:
    sheet_id: int
    period_key: str
    period_label: str
    period_kind: str
    period_closed: bool
    state: str
    self_assessed: bool
    self_total: Optional[Decimal]
    final_total: Optional[Decimal]
    grade: Optional[str]
    grade_label: Optional[str]
    finalised_at: Optional[dt.datetime]

    @property
    def state_label(self) -> str:
        return wf.STATE_LABELS.get(self.state, self.state)


def history(session, person_id: int, page: Any = 0, page_size: Any = DEFAULT_PAGE_SIZE) -> tuple[list[HistoryItem], int]:
    """My sheets period by period, newest first; (page of rows, total)."""
    p, n = paging(page, page_size)
    total = session.scalar(select(func.count()).select_from(Sheet).where(Sheet.person_id == person_id)) or 0
    band = aliased(GradeBand)
    rows = session.execute(
        select(Sheet.id, Sheet.state, Sheet.self_assessed, Sheet.self_total, Sheet.final_total, Sheet.grade,
               Sheet.finalised_at, Period.key, Period.kind, Period.state.label("period_state"), band.label.label("grade_label"))
        .join(Period, Period.id == Sheet.period_id)
        .outerjoin(band, and_(band.version_id == Sheet.rule_version_id, band.code == Sheet.grade))
        .where(Sheet.person_id == person_id)
        .order_by(Period.last_day.desc(), Period.first_day.desc())
        .offset(p * n).limit(n)
    ).all()
    return [
        HistoryItem(r.id, r.key, P.parse_key(r.key).label, r.kind, r.period_state == Period.CLOSED, r.state, r.self_assessed,
                    r.self_total, r.final_total, r.grade if r.state == wf.FINALISED else None,
                    r.grade_label if r.state == wf.FINALISED else None, r.finalised_at)
        for r in rows
    ], total


# -- review list -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReviewRow:
    sheet_id: int
    version: int
    person_id: int
    person_name: str
    position: Optional[str]
    unit_id: int
    department_name: Optional[str]
    eval_role: Optional[str]
    state: str
    self_assessed: bool
    self_total: Optional[Decimal]
    final_total: Optional[Decimal]
    grade: Optional[str]
    commenter_name: Optional[str]
    evaluator_name: Optional[str]

    @property
    def state_label(self) -> str:
        return wf.STATE_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class ReviewPage:
    rows: list[ReviewRow]
    total: int
    by_state: dict[str, int]
    page: int
    page_size: int


def review_list(session, actor: Actor, period: Any, unit_id: Optional[int] = None, state: Optional[str] = None,
                page: Any = 0, page_size: Any = DEFAULT_PAGE_SIZE, name: Optional[str] = None) -> ReviewPage:
    """The sheets of a period (of one unit) that the actor may see, by unit and name; counts by state.

    ``name``: part of the person's name, folded (case and diacritics ignored: "nguyen" finds "Nguyễn").
    """
    p, n = paging(page, page_size)
    per = resolve_period(session, period)
    if state is not None and state not in wf.STATES:
        raise ValidationError("bad_state", f"Trạng thái “{state}” không hợp lệ.", "state")
    where = [Sheet.period_id == per.id, sheet_clause(actor)]
    if unit_id is not None:
        where.append(Sheet.unit_id == unit_id)
    needle = fold(name or "") if isinstance(name, str) else ""
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(Sheet.person_id.in_(select(Staff.id).where(Staff.name_key.like(f"%{escaped}%", escape="\\"))))
    by_state = {s: k for s, k in session.execute(select(Sheet.state, func.count()).where(*where).group_by(Sheet.state))}
    if state is not None:
        where.append(Sheet.state == state)
    total = by_state.get(state, 0) if state is not None else sum(by_state.values())
    person, dept, commenter, evaluator = aliased(Staff), aliased(OrgUnit), aliased(Staff), aliased(Staff)
    rows = session.execute(
        select(Sheet.id, Sheet.version, Sheet.person_id, Sheet.unit_id, Sheet.eval_role, Sheet.state, Sheet.self_assessed,
               Sheet.self_total, Sheet.final_total, Sheet.grade, person.full_name, person.position,
               dept.name.label("dept_name"), commenter.full_name.label("commenter_name"),
               evaluator.full_name.label("evaluator_name"))
        .join(person, person.id == Sheet.person_id)
        .outerjoin(dept, dept.id == Sheet.department_id)
        .outerjoin(commenter, commenter.id == Sheet.commenter_id)
        .outerjoin(evaluator, evaluator.id == Sheet.evaluator_id)
        .where(*where)
        .order_by(Sheet.unit_id, person.full_name, Sheet.id)
        .offset(p * n).limit(n)
    ).all() if total else []
    return ReviewPage([
        ReviewRow(r.id, r.version, r.person_id, r.full_name, r.position, r.unit_id, r.dept_name, r.eval_role, r.state,
                  r.self_assessed, r.self_total, r.final_total, r.grade if r.state == wf.FINALISED else None,
                  r.commenter_name, r.evaluator_name)
        for r in rows
    ], total, by_state, p, n)


# -- reassigning ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Assignable:
    person_id: int
    name: str
    position: Optional[str]
    unit_name: Optional[str]


MAX_ASSIGNABLE = 500


def assignable_people(session, actor: Actor, unit_id: Optional[int] = None) -> list[Assignable]:
    """Whom an admin may pick as a sheet's commenter or evaluator: the active leaders and department heads
    within their reach (``staff_clause(manage=True)``), the sheet's unit first. ``reassign`` checks the
    pick again; this only fills the select."""
    from app.security.scope import staff_clause

    rows = session.execute(
        select(Staff.id, Staff.full_name, Staff.position, OrgUnit.name)
        .outerjoin(OrgUnit, OrgUnit.id == Staff.unit_id)
        .where(staff_clause(actor, manage=True), Staff.active.is_(True), Staff.eval_role.in_((LEADER, DEPARTMENT_HEAD)))
        .order_by(case((Staff.unit_id == unit_id, 0), else_=1) if unit_id is not None else Staff.id, Staff.name_key, Staff.id)
        .limit(MAX_ASSIGNABLE)
    ).all()
    return [Assignable(r[0], r[1], r[2], r[3]) for r in rows]


__all__ = [
    "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "paging", "resolve_period", "my_sheet", "MineItem", "my_open_sheets",
    "InboxItem", "Inbox", "inbox", "HistoryItem", "history", "ReviewRow", "ReviewPage", "review_list",
    "Assignable", "assignable_people",
]
