"""Periods: open (one sheet per person, in one statement), close and lock, the daily auto-forward,
unit extensions, working days and windows.

Decisions:
- Only the district admin (``actor.is_admin``) administers periods; another actor is refused with an
  audit row (``audit.refusal``). Commands pass an Actor holding the Admin role (see ``cli_period``).
- ``open_period`` creates every sheet with ONE ``INSERT … SELECT`` over ``ab_user``: everybody with a
  unit (a locked account still gets a sheet — a lock is about signing in, not employment; the root
  admin without a unit gets none), copying the routing (commenter = ``reviewer_id``, evaluator =
  ``evaluator_id``; a person routed to themself gets no one there), the unit, department and evaluation
  role, and the rule version in force (the default family's, or the family of the unit's
  ``unit_eval_setting``). No per-sheet event is written at creation: events record transitions.
- Working days default to Monday–Friday minus ``holidays.country_holidays("VN")`` (lunar Tết
  included) plus the Saturdays worked in exchange for a bridge day off (the package's
  ``weekend_workdays``); the admin may override the number.
- ``auto_forward_overdue`` (daily, ``flask period auto-forward``) moves every draft whose self-assessment
  window is over for its unit (extensions included) to its reviewers as "không tự đánh giá"
  (``self_assessed`` False): to ``commented`` (the evaluator) when the sheet has a commenter, else
  ``submitted`` (the evaluator) — the workflow table's ``auto_forward`` row. One UPDATE … RETURNING per
  period, bumping ``version``, then one event per sheet in one executemany.
- ``close_period`` first forwards the remaining drafts the same way (so the record says who never
  assessed themself), then locks the period whatever state its sheets are in: a closed period refuses
  every transition (``workflow``: ``period_closed``).
- Bulk statements go around the ORM: call them in a unit of work that has not loaded the sheets it
  changes (commands, cron), or expire the session afterwards.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Optional

from sqlalchemy import Integer, Boolean, and_, case, exists, func, insert, literal, null, select, update
from sqlalchemy.exc import IntegrityError

from app.domain.root import current as root
from app.domain.errors import OutOfReach, PermissionDenied, ValidationError
from app.domain.evaluation import periods as P
from app.domain.evaluation import workflow as wf
from app.domain.scope import Actor
from app.models import OrgUnit, Period, PeriodExtension, Sheet, SheetEvent, Staff, UnitEvalSetting
from app.models.types import LocalDateTime
from app.services import audit, clock
from app.services.evaluation import rules as rule_service
from app.settings import settings

AUTO_FORWARD_REASON = "Quá thời hạn tự đánh giá: phiếu được chuyển tự động (không tự đánh giá)."
CLOSE_FORWARD_REASON = "Khóa kỳ đánh giá: phiếu chưa tự đánh giá được chuyển tự động."


# -- holidays ---------------------------------------------------------------------------------------------
def vietnamese_days_off(key: P.PeriodKey) -> tuple[set[dt.date], set[dt.date]]:
    """(public holidays, Saturdays worked in exchange) in the period, from the ``holidays`` package."""
    import holidays

    years = sorted({y for y, _ in key.months})
    calendar = holidays.country_holidays("VN", years=years)
    inside = lambda d: key.first_day <= d <= key.last_day  # noqa: E731
    off = {d for d in calendar if inside(d)}
    extra = {d for d in getattr(calendar, "weekend_workdays", ()) if inside(d)}
    return off, extra


def default_working_days(key: P.PeriodKey) -> int:
    off, extra = vietnamese_days_off(key)
    return P.period_working_days(key, off, extra)


# -- actors -----------------------------------------------------------------------------------------------
def _user(session, actor: Optional[Actor]) -> Optional[Staff]:
    return session.get(Staff, actor.id) if actor is not None and actor.id is not None else None


def _require_admin(session, actor: Optional[Actor], what: str, target: Any = None) -> None:
    if actor is not None and actor.is_admin:
        return
    raise audit.refusal(
        session,
        PermissionDenied("admin_only", f"Chỉ {root().admin} mới được {what}."),
        "access_denied",
        actor=_user(session, actor),
        target=target,
        detail={"action": what},
    )


def _require_open(period: Period) -> None:
    if period.is_closed:
        raise ValidationError("period_closed", f"Kỳ đánh giá {period.key} đã khóa.", "period")


# -- finding ---------------------------------------------------------------------------------------------
def find_period(session, key: Any) -> Optional[Period]:
    k = P.parse_key(key)
    return session.scalar(select(Period).where(Period.key == k.text))


def get_period(session, key: Any) -> Period:
    period = find_period(session, key)
    if period is None:
        raise OutOfReach("not_found", f"Chưa có kỳ đánh giá {P.parse_key(key).text}.", "period")
    return period


def list_periods(session) -> list[Period]:
    """Newest first (by last day: a quarter ends after its months)."""
    return list(session.scalars(select(Period).order_by(Period.last_day.desc(), Period.first_day.desc())))


def sheet_counts(session, period: Period) -> dict[str, int]:
    """Number of the period's sheets by state."""
    rows = session.execute(select(Sheet.state, func.count()).where(Sheet.period_id == period.id).group_by(Sheet.state))
    return {state: n for state, n in rows}


# -- opening ---------------------------------------------------------------------------------------------
def sheet_source(period_id: int, default_version_id: int, version_by_family: Mapping[int, int], now: dt.datetime):
    """The SELECT of every sheet of a new period: one row per person with a unit (see the module doc)."""
    s = Staff.__table__
    commenter = case((s.c.reviewer_id == s.c.id, null()), else_=s.c.reviewer_id)
    evaluator = case((s.c.evaluator_id == s.c.id, null()), else_=s.c.evaluator_id)
    source = s
    if version_by_family:
        ues = UnitEvalSetting.__table__
        source = s.outerjoin(ues, ues.c.unit_id == s.c.unit_id)
        version = case(
            *((ues.c.rule_set_id == family, literal(vid, Integer)) for family, vid in version_by_family.items()),
            else_=literal(default_version_id, Integer),
        )
    else:
        version = literal(default_version_id, Integer)
    columns = {
        "period_id": literal(period_id, Integer),
        "person_id": s.c.id,
        "unit_id": s.c.unit_id,
        "department_id": s.c.department_id,
        "eval_role": s.c.eval_role,
        "commenter_id": commenter,
        "evaluator_id": evaluator,
        "rule_version_id": version,
        "state": literal(wf.DRAFT),
        "self_assessed": literal(True, Boolean),
        "fails": literal(False, Boolean),
        "created_at": literal(now, LocalDateTime),
        "updated_at": literal(now, LocalDateTime),
        "version": literal(1, Integer),
    }
    select_ = select(*(expr.label(name) for name, expr in columns.items())).select_from(source).where(s.c.unit_id.isnot(None))
    return list(columns), select_


def create_sheets(session, period: Period, default_version_id: int, version_by_family: Mapping[int, int],
                  now: dt.datetime) -> int:
    """The one INSERT … SELECT; returns the number of sheets created."""
    names, select_ = sheet_source(period.id, default_version_id, version_by_family, now)
    # preserve_rowcount: SQLAlchemy keeps an INSERT’s rowcount only when asked (psycopg closes the cursor).
    result = session.execute(insert(Sheet.__table__).from_select(names, select_).execution_options(preserve_rowcount=True))
    return result.rowcount


def open_period(session, key: Any, actor: Actor, trial: bool = False, working_days: Any = None,
                windows: Optional[Mapping[str, Any]] = None, now: Optional[dt.datetime] = None) -> Period:
    """Open the period ``key`` ("2026-11", "2026-Q4") and create its sheets; staged and flushed.

    ``working_days``: an override of the computed number; ``windows``: ``{step: (from, to)}`` overriding
    the defaults of the settings (``EVAL_*_WINDOW``). Refuses a bad or already opened key.
    """
    _require_admin(session, actor, "mở kỳ đánh giá", target=str(key))
    pkey = P.parse_key(key)
    if session.scalar(select(Period.id).where(Period.key == pkey.text)) is not None:
        raise ValidationError("period_exists", f"Kỳ đánh giá {pkey.text} ({pkey.label}) đã được mở.", "period")
    overlap = session.scalar(select(Period.key).where(Period.first_day <= pkey.last_day, Period.last_day >= pkey.first_day))
    if overlap is not None:
        # A month inside an open quarter would give everybody two sheets for the same days, and the
        # roll-ups would count those days twice.
        raise ValidationError("period_overlap", f"Kỳ {pkey.text} ({pkey.label}) trùng thời gian với kỳ {overlap} đã mở: "
                              "mỗi ngày làm việc chỉ được đánh giá trong một kỳ.", "period")
    days = P.check_working_days(working_days, pkey) if working_days not in (None, "") else default_working_days(pkey)
    win = P.make_windows(pkey, windows, settings().eval_windows)
    default_version_id, by_family = rule_service.versions_for_period(session, pkey)
    now = now or clock.now()
    period = Period(
        key=pkey.text, kind=pkey.kind, first_day=pkey.first_day, last_day=pkey.last_day, working_days=days,
        trial=bool(trial), state=Period.OPEN, opened_at=now, opened_by_id=actor.id,
    )
    period.windows = win
    session.add(period)
    try:
        session.flush()
    except IntegrityError:  # opened by someone else a moment ago
        raise ValidationError("period_exists", f"Kỳ đánh giá {pkey.text} ({pkey.label}) đã được mở.", "period") from None
    n = create_sheets(session, period, default_version_id, by_family, now)
    audit.record(session, "period_opened", actor=_user(session, actor), target=f"Kỳ {pkey.text}", detail={
        "period": pkey.text, "sheets": n, "working_days": days, "trial": bool(trial),
        "windows": {s: [w.start.isoformat(), w.end.isoformat()] for s, w in win.items()},
    })
    session.flush()
    return period


# -- extensions and windows ------------------------------------------------------------------------------
def unit_extensions(session, period: Period, unit_id: int) -> dict[str, dt.date]:
    """step → until, for one unit."""
    rows = session.execute(
        select(PeriodExtension.step, PeriodExtension.until).where(PeriodExtension.period_id == period.id, PeriodExtension.unit_id == unit_id)
    )
    return {step: until for step, until in rows}


def open_steps(session, period: Period, unit_id: int, day: Optional[dt.date] = None) -> frozenset[str]:
    """The steps whose window is open today for the unit: ``workflow.Facts.open_windows``."""
    if period.is_closed:
        return frozenset()
    return period.windows.open_steps(day or clock.today(), unit_extensions(session, period, unit_id))


def extend(session, period: Period, unit: OrgUnit, step: str, until: Any, actor: Actor, reason: str) -> PeriodExtension:
    """Move one step's end date for one unit (a second extension of the same step replaces the first)."""
    _require_admin(session, actor, "gia hạn kỳ đánh giá", target=unit)
    _require_open(period)
    if unit is None or unit.kind != "unit":
        raise ValidationError("bad_unit", "Chỉ gia hạn cho một đơn vị (không phải khối hay phòng ban).", "unit")
    if step not in P.STEPS:
        raise ValidationError("bad_window", f"Không có bước “{step}” (chỉ có: {', '.join(P.STEPS)}).", "step")
    day = P.check_extension(period.windows.get(step), until, step)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason_required", "Cần nêu lý do gia hạn.", "reason")
    ext = session.scalar(select(PeriodExtension).where(
        PeriodExtension.period_id == period.id, PeriodExtension.unit_id == unit.id, PeriodExtension.step == step))
    before = ext.until.isoformat() if ext is not None else None
    if ext is None:
        ext = PeriodExtension(period=period, unit_id=unit.id, step=step)
        session.add(ext)
    ext.until, ext.reason, ext.created_at, ext.created_by_id = day, reason, clock.now(), actor.id
    audit.record(session, "period_extended", actor=_user(session, actor), target=unit, detail={
        "period": period.key, "step": step, "until": day.isoformat(), "before": before, "reason": reason,
    })
    session.flush()
    return ext


def set_working_days(session, period: Period, days: Any, actor: Actor) -> Period:
    """The admin's number of working days. Finalised sheets keep the number they were graded with."""
    _require_admin(session, actor, "sửa kỳ đánh giá", target=f"Kỳ {period.key}")
    _require_open(period)
    n = P.check_working_days(days, period.period_key)
    before, period.working_days = period.working_days, n
    audit.record(session, "period_updated", actor=_user(session, actor), target=f"Kỳ {period.key}",
                 detail={"working_days": [before, n]})
    session.flush()
    return period


def set_windows(session, period: Period, windows: Mapping[str, Any], actor: Actor) -> Period:
    """Replace some of the period's windows (``{step: (from, to)}``), checked as a whole."""
    _require_admin(session, actor, "sửa kỳ đánh giá", target=f"Kỳ {period.key}")
    _require_open(period)
    before = period.windows
    period.windows = P.make_windows(period.period_key, windows, base=before)
    audit.record(session, "period_updated", actor=_user(session, actor), target=f"Kỳ {period.key}", detail={
        "windows": {s: [w.start.isoformat(), w.end.isoformat()] for s, w in period.windows.items()},
    })
    session.flush()
    return period


# -- auto-forward and close ------------------------------------------------------------------------------
def _forward_targets() -> tuple[str, str]:
    """(with a commenter, without): the workflow table's answer for ``auto_forward``."""
    closed = frozenset()
    return (
        wf.transition(wf.DRAFT, wf.AUTO_FORWARD, wf.SYSTEM, wf.Facts(has_commenter=True, open_windows=closed)),
        wf.transition(wf.DRAFT, wf.AUTO_FORWARD, wf.SYSTEM, wf.Facts(has_commenter=False, open_windows=closed)),
    )


def _forward(session, period: Period, now: dt.datetime, overdue_only: bool, reason: str) -> int:
    """Move the period's drafts on as not self-assessed (all, or those whose self window is over)."""
    sheet = Sheet.__table__
    with_commenter, without = _forward_targets()
    conditions = [sheet.c.period_id == period.id, sheet.c.state == wf.DRAFT]
    if overdue_only:
        today = now.date()
        if not period.windows.self_assessment.is_over(today):
            return 0
        ext = PeriodExtension.__table__
        conditions.append(~exists().where(and_(
            ext.c.period_id == period.id, ext.c.unit_id == sheet.c.unit_id,
            ext.c.step == P.STEP_SELF, ext.c.until >= today,
        )))
    stmt = (
        update(sheet)
        .where(*conditions)
        .values(
            state=case((sheet.c.commenter_id.isnot(None), with_commenter), else_=without),
            self_assessed=False,
            opened_at=None,
            updated_at=now,
            version=sheet.c.version + 1,
        )
        .returning(sheet.c.id, sheet.c.state)
    )
    moved = session.execute(stmt).all()
    if moved:
        session.execute(insert(SheetEvent.__table__), [
            {"sheet_id": sid, "at": now, "actor_id": None, "action": wf.AUTO_FORWARD, "from_state": wf.DRAFT,
             "to_state": state, "reason": reason, "detail": None}
            for sid, state in moved
        ])
        audit.record(session, "sheets_auto_forwarded", target=f"Kỳ {period.key}", detail={"period": period.key, "sheets": len(moved)})
    return len(moved)


def auto_forward_overdue(session, now: Optional[dt.datetime] = None) -> int:
    """Forward every overdue draft of every open period; returns how many moved. Staged and flushed."""
    now = now or clock.now()
    total = 0
    for period in session.scalars(select(Period).where(Period.state == Period.OPEN).order_by(Period.id)):
        total += _forward(session, period, now, overdue_only=True, reason=AUTO_FORWARD_REASON)
    session.flush()
    return total


def close_period(session, period: Period, actor: Actor, now: Optional[dt.datetime] = None) -> dict[str, Any]:
    """Forward the remaining drafts, then lock the period. Returns ``{"forwarded": n, "by_state": {…}}``."""
    _require_admin(session, actor, "khóa kỳ đánh giá", target=f"Kỳ {period.key}")
    _require_open(period)
    now = now or clock.now()
    forwarded = _forward(session, period, now, overdue_only=False, reason=CLOSE_FORWARD_REASON)
    period.state, period.closed_at, period.closed_by_id = Period.CLOSED, now, actor.id
    by_state = sheet_counts(session, period)
    audit.record(session, "period_closed", actor=_user(session, actor), target=f"Kỳ {period.key}",
                 detail={"period": period.key, "forwarded": forwarded, "by_state": by_state})
    session.flush()
    return {"forwarded": forwarded, "by_state": by_state}


__all__ = [
    "vietnamese_days_off", "default_working_days", "find_period", "get_period", "list_periods", "sheet_counts",
    "sheet_source", "create_sheets", "open_period", "unit_extensions", "open_steps", "extend",
    "set_working_days", "set_windows", "auto_forward_overdue", "close_period",
    "AUTO_FORWARD_REASON", "CLOSE_FORWARD_REASON",
]


# -- trial periods ----------------------------------------------------------------------------------------
def counted_periods_clause():
    """The periods that count in roll-ups (quarter, year, reports across periods): not trial ones.

    Every roll-up over several periods filters with this clause (``select(Period.id).where(
    counted_periods_clause())``) or with ``counted_sheets_clause`` on sheets, so a trial period (letter
    875-CV/HU: the first two months run the whole flow) never reaches a quarter or a year.
    """
    return Period.trial.is_(False)


def counted_sheets_clause():
    """Sheets of periods that count in roll-ups (see ``counted_periods_clause``)."""
    return Sheet.period_id.in_(select(Period.id).where(counted_periods_clause()))


def counted_period_ids(session, ids=None) -> list[int]:
    """The ids (among ``ids``, or all) of periods that count in roll-ups, oldest first."""
    q = select(Period.id).where(counted_periods_clause()).order_by(Period.first_day)
    if ids is not None:
        q = q.where(Period.id.in_(list(ids)))
    return list(session.scalars(q))
