"""The sheet's use cases: one function per transition of the workflow table, plus ``open_sheet``.

Every transition (``save_self``, ``submit``, ``recall``, ``save_comment``, ``comment``, ``return_sheet``,
``save_final``, ``finalise``, ``reopen``, ``reassign``) does the same steps, in this order:

1. load the sheet; an actor who may not see it gets ``OutOfReach`` (404, logged ``access_denied``);
2. work out the actor's sheet roles from ids (``domain.evaluation.access.sheet_roles``: owner, commenter,
   evaluator, admin in scope); a viewer with none (a leader reading the unit's sheets) gets
   ``PermissionDenied`` ``read_only`` (403, logged);
3. compare the version the client loaded (``concurrency.check_version``: Conflict ``stale``);
4. run the workflow table (``workflow.act``: who, state, windows with the unit's extensions, reasons);
5. run the row's checks on the input (``scoring.assess``, ``quota.check_quota``, the routing rule);
6. only then write: scores, totals, grade, reasons, timestamps, one ``SheetEvent`` and one audit row,
   and flush (``concurrency.flush``: a lost race is Conflict ``stale``). Nothing is committed here:
   callers wrap the call in ``services.uow.unit_of_work``. A refusal changes nothing.

Input scores are ``[{criterion_id, points, note}]`` (the API's shape) or a mapping
``{criterion_id: {points, note} | Score | points}``; points as str ("2,5"), int, float or Decimal.

Decisions:
- ``save_self``/``submit`` with scores *replace* the person's self-assessment: a criterion left out is
  blank. ``submit`` without scores submits what was saved.
- ``save_final``/``finalise`` with scores replace the evaluator's scores; without scores they take the
  saved final scores, and for a criterion the evaluator never scored, the person's own points (the
  evaluator agrees with the self-assessment). A bonus given by the evaluator is justified by the
  evaluator's note, or else by the person's.
- ``worked_days`` is the person's; the evaluator may correct it (``save_final``/``finalise``), needed
  when the sheet was forwarded without a self-assessment. It must not exceed the period's working days.
- Finalising copies the period's working days onto the sheet, so a later edit of the period never
  changes a graded sheet. Reopening clears the grade (scores stay for the evaluator to edit).
- The A-quota counts the unit's *finalised* sheets of the period. Finalising takes a row lock on the
  unit (PostgreSQL ``SELECT … FOR UPDATE``) so two evaluators of one unit cannot both take the last A.
- ``open_sheet`` stamps ``opened_at`` when the reviewer now holding the sheet (commenter or evaluator)
  first views it — the moment recall stops being possible. It is one guarded ``UPDATE`` (bumping the
  version), so two simultaneous views never fail each other. The owner opening their own draft is not
  stamped: nobody can recall a sheet from its owner.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Mapping, Optional

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload, selectinload

from app.domain.errors import DomainError, OutOfReach, PermissionDenied, ValidationError
from app.domain.evaluation import access, quota as quota_rules, scoring, workflow as wf
from app.domain.evaluation import rules as R
from app.domain.roles import LEADER
from app.domain.scope import Actor, Placement, can_manage_unit
from app.models import OrgUnit, Period, Sheet, SheetEvent, SheetScore, Staff
from app.services import audit, clock
from app.services.evaluation import concurrency
from app.services.evaluation import periods as period_service
from app.services.evaluation import results
from app.services.evaluation import rules as rule_service

UNSET: Any = object()  # "not given" for reassign's optional arguments


# -- loading ---------------------------------------------------------------------------------------------
def _require_actor(actor: Any) -> Actor:
    if not isinstance(actor, Actor):
        raise TypeError(f"an explicit Actor is required, got {actor!r}")
    return actor


def rule_version(session, version_id: int) -> R.RuleVersion:
    """The domain value of a rule version, loaded once per session (a request, a command)."""
    cache = session.info.setdefault("evaluation_rule_versions", {})
    rule = cache.get(version_id)
    if rule is None:
        rule = cache[version_id] = rule_service.load_version(session, version_id)
    return rule


@dataclass
class Loaded:
    """A sheet with what every use case needs: its period, place, rule version, the actor's roles."""

    sheet: Sheet
    period: Period
    place: access.SheetPlace
    rule: R.RuleVersion
    actor: Actor
    roles: frozenset[str]
    extensions: Mapping[str, dt.date]
    today: dt.date

    @property
    def open_windows(self) -> frozenset[str]:
        if self.period.is_closed:
            return frozenset()
        return self.period.windows.open_steps(self.today, self.extensions)

    def facts(self, reason: str = "", text: str = "") -> wf.Facts:
        s = self.sheet
        return wf.Facts(
            has_commenter=s.commenter_id is not None,
            opened=s.opened_at is not None,
            open_windows=self.open_windows,
            period_closed=self.period.is_closed,
            auto_forwarded=not s.self_assessed,
            reason=reason or "",
            text=text or "",
        )


def _place(session, sheet: Sheet) -> access.SheetPlace:
    unit = session.get(OrgUnit, sheet.unit_id)
    return access.SheetPlace(sheet.person_id, sheet.commenter_id, sheet.evaluator_id,
                             Placement(sheet.unit_id, unit.block_id if unit is not None else None))


def _user(session, actor: Actor):
    """Who the audit log names: the person, or the actor itself when it is none (the system's label)."""
    return session.get(Staff, actor.id) if actor.id is not None else actor


def load(session, sheet_id: Any, actor: Actor, *, full: bool = False, today: Optional[dt.date] = None) -> Loaded:
    """The sheet ``sheet_id`` as ``actor`` may see it; OutOfReach (logged) when they may not.

    ``full`` also loads the people, scores and events (a screen or the API shows them).
    """
    actor = _require_actor(actor)
    try:
        sid = int(sheet_id)
    except (TypeError, ValueError):
        raise OutOfReach(*access.NOT_FOUND) from None
    options = [joinedload(Sheet.period)]
    if full:
        options += [
            joinedload(Sheet.person), joinedload(Sheet.unit), joinedload(Sheet.department),
            joinedload(Sheet.commenter), joinedload(Sheet.evaluator),
            selectinload(Sheet.scores), selectinload(Sheet.events).joinedload(SheetEvent.actor),
        ]
    sheet = session.scalar(select(Sheet).where(Sheet.id == sid).options(*options))
    place = _place(session, sheet) if sheet is not None else None
    if place is None or not access.can_see(actor, place):
        raise audit.refusal(session, OutOfReach(*access.NOT_FOUND), "access_denied", actor=_user(session, actor),
                            target=f"Phiếu đánh giá #{sid}", detail={"sheet": sid})
    period = sheet.period
    return Loaded(
        sheet=sheet, period=period, place=place, rule=rule_version(session, sheet.rule_version_id), actor=actor,
        roles=access.sheet_roles(actor, place), extensions=period_service.unit_extensions(session, period, sheet.unit_id),
        today=today or clock.today(),
    )


def _refuse_access(session, c: Loaded, exc: DomainError, action: str) -> DomainError:
    return audit.refusal(session, exc, "access_denied", actor=_user(session, c.actor), target=c.sheet.person,
                         unit_id=c.sheet.unit_id, detail={"sheet": c.sheet.id, "action": action, "code": exc.code})


def _begin(session, sheet_id: Any, actor: Actor, action: str, version: Any, reason: str = "", text: str = "",
           today: Optional[dt.date] = None) -> tuple[Loaded, str, str]:
    """Steps 1–4 of the module docstring: (loaded sheet, role acted as, target state)."""
    c = load(session, sheet_id, actor, today=today)
    try:
        access.check_may_act(c.roles)
    except PermissionDenied as exc:
        raise _refuse_access(session, c, exc, action) from None
    concurrency.check_version(c.sheet, version)
    try:
        role, to_state = wf.act(c.sheet.state, action, c.roles, c.facts(reason, text))
    except PermissionDenied as exc:
        raise _refuse_access(session, c, exc, action) from None
    return c, role, to_state


def _finish(session, c: Loaded, action: str, role: str, to_state: str, now: dt.datetime, reason: Optional[str] = None,
            detail: Optional[Mapping[str, Any]] = None, audit_action: Optional[str] = None) -> Sheet:
    """Step 6: the state, ``opened_at``, one event, one audit row, flush."""
    s = c.sheet
    from_state = s.state
    if wf.resets_opened(from_state, to_state, s.commenter_id is not None):
        s.opened_at = None
    s.state = to_state
    s.updated_at = now
    info = {"role": role, **(detail or {})}
    s.events.append(SheetEvent(at=now, actor_id=c.actor.id, action=action, from_state=from_state, to_state=to_state,
                               reason=reason or None, detail=json.dumps(info, ensure_ascii=False, default=str)))
    audit.record(session, audit_action or f"sheet_{action}", actor=_user(session, c.actor), target=s.person,
                 unit_id=s.unit_id, detail={"sheet": s.id, "period": c.period.key, "from": from_state, "to": to_state,
                                            **({"reason": reason} if reason else {}), **(detail or {})})
    concurrency.flush(session)
    return s


# -- scores ----------------------------------------------------------------------------------------------
BAD_SCORES = "Danh sách điểm không hợp lệ: mỗi dòng gồm criterion_id, points và note."


def score_input(scores: Any) -> dict[Any, scoring.Score]:
    """``[{criterion_id, points, note}]`` or ``{criterion_id: …}`` as ``{key: Score}``; refuses other shapes."""
    if scores is None:
        return {}
    out: dict[Any, scoring.Score] = {}
    if isinstance(scores, Mapping):
        items = list(scores.items())
    elif isinstance(scores, (list, tuple)):
        items = []
        for i, row in enumerate(scores):
            if not isinstance(row, Mapping) or row.get("criterion_id") in (None, ""):
                raise ValidationError("bad_scores", BAD_SCORES, f"scores[{i}]")
            items.append((row["criterion_id"], {"points": row.get("points"), "note": row.get("note")}))
    else:
        raise ValidationError("bad_scores", BAD_SCORES, "scores")
    for key, value in items:
        if isinstance(key, bool) or not isinstance(key, (int, str)):
            raise ValidationError("bad_scores", BAD_SCORES, "scores")
        if isinstance(key, str) and key.strip().isdigit():
            key = int(key.strip())
        if key in out:
            raise ValidationError("duplicate_criterion", "Một tiêu chí chỉ được chấm một lần.", f"scores.{key}")
        score = scoring.as_score(value)
        if not isinstance(score.note, str):
            raise ValidationError("bad_scores", BAD_SCORES, f"scores.{key}")
        out[key] = score
    return out


def _by_criterion(rule: R.RuleVersion, given: Mapping[Any, scoring.Score]) -> dict[int, scoring.Score]:
    """Given scores keyed by criterion id (call after ``assess`` refused unknown criteria)."""
    out = {}
    for key, score in given.items():
        c = rule.criterion(key)
        if c is not None and c.id is not None:
            out[c.id] = score
    return out


def _stored(sheet: Sheet) -> dict[int, SheetScore]:
    return {row.criterion_id: row for row in sheet.scores}


def self_scores(sheet: Sheet) -> dict[int, scoring.Score]:
    return {cid: scoring.Score(row.self_points, row.note or "") for cid, row in _stored(sheet).items()
            if row.self_points is not None or row.note}


def final_scores(sheet: Sheet) -> dict[int, scoring.Score]:
    """The evaluator's saved scores; where they gave none, the person's own (see the module docstring)."""
    out = {}
    for cid, row in _stored(sheet).items():
        if row.final_points is not None:
            out[cid] = scoring.Score(row.final_points, row.final_note or row.note or "")
        elif row.self_points is not None:
            out[cid] = scoring.Score(row.self_points, row.note or "")
    return out


def _final_input(sheet: Sheet, rule: R.RuleVersion, given: Mapping[Any, scoring.Score]) -> dict[Any, scoring.Score]:
    """The evaluator's scores for ``assess``: a blank note on a criterion falls back to the person's note."""
    stored = _stored(sheet)
    out = {}
    for key, score in given.items():
        c = rule.criterion(key)
        row = stored.get(c.id) if c is not None and c.id is not None else None
        if not score.note.strip() and row is not None and row.note:
            score = scoring.Score(score.points, row.note)
        out[key] = score
    return out


def _write_scores(sheet: Sheet, rule: R.RuleVersion, assessment: scoring.Assessment, final: bool,
                  notes: Mapping[int, str]) -> None:
    """Store the points of every criterion of the version (blank where not given), creating rows lazily."""
    stored = _stored(sheet)
    for c in rule.criteria:
        points = assessment.points.get(c.key)
        note = (notes.get(c.id) or "").strip() or None
        row = stored.get(c.id)
        if row is None:
            if points is None and note is None:
                continue
            row = SheetScore(criterion_id=c.id)
            sheet.scores.append(row)
        if final:
            row.final_points, row.final_note = points, note
        else:
            row.self_points, row.note = points, note


def _worked(value: Any, working_days: int) -> Optional[Decimal]:
    return scoring.parse_decimal(value, "worked_days", "Số ngày làm việc thực tế", Decimal(working_days),
                                 "số ngày làm việc của kỳ")


def _fmt(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else f"{value:.2f}"


# -- self-assessment -------------------------------------------------------------------------------------
def save_self(session, sheet_id: Any, actor: Actor, version: Any, scores: Any, worked_days: Any = None,
              now: Optional[dt.datetime] = None) -> Sheet:
    """The person saves their self-assessment (a draft may leave criteria blank)."""
    now = now or clock.now()
    c, role, to_state = _begin(session, sheet_id, actor, wf.SAVE_SELF, version, today=now.date())
    _apply_self(c, scores, worked_days, complete=False)
    return _finish(session, c, wf.SAVE_SELF, role, to_state, now, detail={"self_total": _fmt(c.sheet.self_total)})


def _apply_self(c: Loaded, scores: Any, worked_days: Any, complete: bool) -> None:
    given = score_input(scores)
    a = scoring.assess(c.rule, given, worked_days, c.period.working_days, complete=complete)
    a.raise_for_problems()
    by_id = _by_criterion(c.rule, given)
    _write_scores(c.sheet, c.rule, a, final=False, notes={k: v.note for k, v in by_id.items()})
    c.sheet.worked_days = _worked(worked_days, c.period.working_days)
    c.sheet.self_total = a.total


def submit(session, sheet_id: Any, actor: Actor, version: Any, scores: Any = UNSET, worked_days: Any = UNSET,
           now: Optional[dt.datetime] = None) -> Sheet:
    """The person submits: every normal criterion scored, bonuses justified, worked days given.

    With ``scores`` (and ``worked_days``) the form's values are saved and submitted in one step.
    """
    now = now or clock.now()
    c, role, to_state = _begin(session, sheet_id, actor, wf.SUBMIT, version, today=now.date())
    s = c.sheet
    if scores is UNSET:
        a = scoring.assess(c.rule, self_scores(s), s.worked_days if worked_days is UNSET else worked_days,
                           c.period.working_days, complete=True)
        a.raise_for_problems()
        if worked_days is not UNSET:
            s.worked_days = _worked(worked_days, c.period.working_days)
        s.self_total = a.total
    else:
        _apply_self(c, scores, s.worked_days if worked_days is UNSET else worked_days, complete=True)
    s.self_assessed = True
    s.submitted_at = now
    return _finish(session, c, wf.SUBMIT, role, to_state, now, detail={"self_total": _fmt(s.self_total)})


def recall(session, sheet_id: Any, actor: Actor, version: Any, now: Optional[dt.datetime] = None) -> Sheet:
    """The sender takes the sheet back while the next person has not opened it."""
    now = now or clock.now()
    c, role, to_state = _begin(session, sheet_id, actor, wf.RECALL, version, today=now.date())
    return _finish(session, c, wf.RECALL, role, to_state, now)


# -- comment ---------------------------------------------------------------------------------------------
def _comment_text(text: Any) -> str:
    if text is not None and not isinstance(text, str):
        raise ValidationError("bad_text", "Nội dung nhận xét phải là văn bản.", "text")
    return (text or "").strip()


def save_comment(session, sheet_id: Any, actor: Actor, version: Any, text: Any,
                 now: Optional[dt.datetime] = None) -> Sheet:
    """The commenter saves a draft of the comment (the sheet stays with them)."""
    now = now or clock.now()
    body = _comment_text(text)
    c, role, to_state = _begin(session, sheet_id, actor, wf.SAVE_COMMENT, version, text=body, today=now.date())
    c.sheet.comment = body or None
    return _finish(session, c, wf.SAVE_COMMENT, role, to_state, now)


def comment(session, sheet_id: Any, actor: Actor, version: Any, text: Any, now: Optional[dt.datetime] = None) -> Sheet:
    """The commenter writes the comment and passes the sheet on to the evaluator."""
    now = now or clock.now()
    body = _comment_text(text)
    c, role, to_state = _begin(session, sheet_id, actor, wf.COMMENT, version, text=body, today=now.date())
    c.sheet.comment = body
    c.sheet.commented_at = now
    return _finish(session, c, wf.COMMENT, role, to_state, now, detail={"comment": body})


def _reason(reason: Any, field: str = "reason") -> str:
    if reason is not None and not isinstance(reason, str):
        raise ValidationError("bad_reason", "Lý do phải là văn bản.", field)
    return (reason or "").strip()


def return_sheet(session, sheet_id: Any, actor: Actor, version: Any, reason: Any,
                 now: Optional[dt.datetime] = None) -> Sheet:
    """The commenter or the evaluator returns the sheet one step back, with a reason."""
    now = now or clock.now()
    why = _reason(reason)
    c, role, to_state = _begin(session, sheet_id, actor, wf.RETURN, version, reason=why, today=now.date())
    return _finish(session, c, wf.RETURN, role, to_state, now, reason=why)


# -- final grade -----------------------------------------------------------------------------------------
def _fails(value: Any) -> Optional[scoring.Fail]:
    if value in (None, False, {}):
        return None
    if not isinstance(value, Mapping):
        raise ValidationError("bad_fails", "Thông tin “không hoàn thành nhiệm vụ” phải gồm lý do và số quyết định.", "fails")
    for key in ("reason", "reference"):
        if value.get(key) is not None and not isinstance(value.get(key), str):
            raise ValidationError("bad_fails", "Lý do và số quyết định phải là văn bản.", f"fails.{key}")
    return scoring.as_fail(value)


def _assess_final(c: Loaded, scores: Any, worked_days: Any, fails: Any, grade: Any, grade_reason: Any,
                  complete: bool) -> tuple[scoring.Assessment, dict[int, str], Any, Optional[scoring.Fail]]:
    """Assess the evaluator's input; returns (assessment, the evaluator's notes by criterion id, worked days, fail)."""
    s = c.sheet
    if scores is UNSET or scores is None:
        given: dict[Any, scoring.Score] = dict(final_scores(s))
        notes = {cid: (row.final_note or "") for cid, row in _stored(s).items()}
    else:
        raw = score_input(scores)
        given = _final_input(s, c.rule, raw)
        notes = {k: v.note for k, v in _by_criterion(c.rule, raw).items()}
    worked = s.worked_days if worked_days is UNSET else worked_days
    fail = _fails(fails)
    if grade is not None and not isinstance(grade, str):
        raise ValidationError("bad_grade", "Mức xếp loại phải là một mã (A, B, C, D).", "grade")
    a = scoring.assess(c.rule, given, worked, c.period.working_days, fail, grade or None, _reason(grade_reason, "grade_reason"),
                       complete=complete)
    a.raise_for_problems()
    return a, notes, worked, fail


def _write_final(c: Loaded, a: scoring.Assessment, notes: Mapping[int, str], worked: Any,
                 fail: Optional[scoring.Fail]) -> None:
    s = c.sheet
    _write_scores(s, c.rule, a, final=True, notes=notes)
    s.worked_days = _worked(worked, c.period.working_days)
    s.final_total = a.total
    s.computed_grade = a.computed_grade
    s.fails = fail is not None
    s.fail_reason = fail.reason.strip() if fail else None
    s.fail_reference = fail.reference.strip() if fail else None


def save_final(session, sheet_id: Any, actor: Actor, version: Any, scores: Any = UNSET, worked_days: Any = UNSET,
               fails: Any = None, now: Optional[dt.datetime] = None) -> Sheet:
    """The evaluator saves their scores (and the fail flag) without finalising."""
    now = now or clock.now()
    c, role, to_state = _begin(session, sheet_id, actor, wf.SAVE_FINAL, version, today=now.date())
    a, notes, worked, fail = _assess_final(c, scores, worked_days, fails, None, None, complete=False)
    _write_final(c, a, notes, worked, fail)
    return _finish(session, c, wf.SAVE_FINAL, role, to_state, now,
                   detail={"final_total": _fmt(a.total), "computed_grade": a.computed_grade})


def finalise(session, sheet_id: Any, actor: Actor, version: Any, scores: Any = UNSET, grade: Any = None,
             grade_reason: Any = None, quota_reason: Any = None, fails: Any = None, worked_days: Any = UNSET,
             now: Optional[dt.datetime] = None) -> Sheet:
    """The evaluator grades the sheet: complete scores, a grade no higher than the points and caps give
    (a lower one with a reason), and an A beyond the unit's quota only with a reason (logged)."""
    now = now or clock.now()
    c, role, to_state = _begin(session, sheet_id, actor, wf.FINALISE, version, today=now.date())
    from app.services import tasks as task_service  # issue 9: tasks fill the NĐ 335 task group, bands on tasks

    scores = task_service.finalise_scores(session, c, scores)
    a, notes, worked, fail = _assess_final(c, scores, worked_days, fails, grade, grade_reason, complete=True)
    task_service.check_band_conditions(session, c, a.final_grade)
    s = c.sheet
    why_quota = _reason(quota_reason, "quota_reason")
    policy = c.rule.quota
    status = None
    over = False
    if policy.kind != R.QUOTA_NONE:
        results.lock_unit(session, s.unit_id)
        status = results.quota_status(session, c.period.id, s.unit_id, policy)
        over = quota_rules.check_quota(policy, status, a.final_grade, why_quota)
    _write_final(c, a, notes, worked, fail)
    s.grade = a.final_grade
    s.grade_reason = _reason(grade_reason, "grade_reason") if a.lower_grade else None
    s.quota_reason = why_quota if over else None
    s.working_days = c.period.working_days
    s.finalised_at = now
    detail: dict[str, Any] = {"final_total": _fmt(a.total), "computed_grade": a.computed_grade, "grade": a.final_grade}
    if a.lower_grade:
        detail["grade_reason"] = s.grade_reason
    if a.cap_reasons:
        detail["caps"] = list(a.cap_reasons)
    if over and status is not None:
        detail["quota"] = {"used": status.used, "limit": status.limit, "reason": why_quota}
        audit.record(session, "sheet_quota_override", actor=_user(session, c.actor), target=s.person, unit_id=s.unit_id,
                     detail={"sheet": s.id, "period": c.period.key, "grade": a.final_grade, "used": status.used,
                             "limit": status.limit, "reason": why_quota})
    return _finish(session, c, wf.FINALISE, role, to_state, now, detail=detail)


# -- admin -----------------------------------------------------------------------------------------------
def reopen(session, sheet_id: Any, actor: Actor, version: Any, reason: Any, now: Optional[dt.datetime] = None) -> Sheet:
    """An admin in scope reopens a finalised sheet (period not closed), with a reason."""
    now = now or clock.now()
    why = _reason(reason)
    c, role, to_state = _begin(session, sheet_id, actor, wf.REOPEN, version, reason=why, today=now.date())
    previous = c.sheet.grade
    c.sheet.grade = None
    c.sheet.finalised_at = None
    c.sheet.quota_reason = None
    return _finish(session, c, wf.REOPEN, role, to_state, now, reason=why, detail={"previous_grade": previous})


def _person_id(value: Any, field: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError("bad_person", "Người được giao không hợp lệ.", field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError("bad_person", "Người được giao không hợp lệ.", field) from None


def _check_routing(session, c: Loaded, person_id: Optional[int], field: str, label: str) -> None:
    """The new commenter/evaluator exists, is within the admin's reach and is not the owner."""
    if person_id is None:
        return
    if person_id == c.sheet.person_id:
        raise ValidationError(wf.SELF_REVIEW[0], wf.SELF_REVIEW[1], field)
    person = session.get(Staff, person_id)
    unit = session.get(OrgUnit, person.unit_id) if person is not None and person.unit_id is not None else None
    place = Placement(unit.id, unit.block_id) if unit is not None else Placement(None, None)
    if person is None or not can_manage_unit(c.actor, place):
        raise ValidationError("out_of_reach", f"Không tìm thấy {label} này trong phạm vi bạn quản lý.", field)


def reassign(session, sheet_id: Any, actor: Actor, version: Any, commenter_id: Any = UNSET, evaluator_id: Any = UNSET,
             reason: Any = None, now: Optional[dt.datetime] = None) -> Sheet:
    """An admin in scope sets a new commenter (or none) and/or evaluator (a leader on leave), logged.

    The sheet stays in its state; when the person it waits for changes, ``opened_at`` is cleared.
    """
    now = now or clock.now()
    why = _reason(reason)
    c, role, to_state = _begin(session, sheet_id, actor, wf.REASSIGN, version, reason=why, today=now.date())
    s = c.sheet
    new_commenter = s.commenter_id if commenter_id is UNSET else _person_id(commenter_id, "commenter_id")
    new_evaluator = s.evaluator_id if evaluator_id is UNSET else _person_id(evaluator_id, "evaluator_id")
    if new_evaluator is None:
        raise ValidationError("evaluator_required", "Phiếu phải có lãnh đạo đánh giá.", "evaluator_id")
    if (new_commenter, new_evaluator) == (s.commenter_id, s.evaluator_id):
        raise ValidationError("no_change", "Người nhận xét, người đánh giá không thay đổi.", "evaluator_id")
    if new_commenter is not None and new_commenter == new_evaluator:
        raise ValidationError("same_person", "Người nhận xét và người đánh giá phải là hai người khác nhau.", "commenter_id")
    if new_commenter != s.commenter_id:
        _check_routing(session, c, new_commenter, "commenter_id", "người nhận xét")
    if new_evaluator != s.evaluator_id:
        _check_routing(session, c, new_evaluator, "evaluator_id", "người đánh giá")

    def holder_id(commenter: Optional[int], evaluator: Optional[int]) -> Optional[int]:
        role_ = wf.holder(s.state, commenter is not None)
        return {wf.COMMENTER: commenter, wf.EVALUATOR: evaluator, wf.OWNER: s.person_id}.get(role_ or "")

    changed_holder = holder_id(s.commenter_id, s.evaluator_id) != holder_id(new_commenter, new_evaluator)
    detail = {"commenter": [s.commenter_id, new_commenter], "evaluator": [s.evaluator_id, new_evaluator]}
    s.commenter_id, s.evaluator_id = new_commenter, new_evaluator
    if changed_holder:
        s.opened_at = None
    return _finish(session, c, wf.REASSIGN, role, to_state, now, reason=why or None, detail=detail)


# -- viewing ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StepWindow:
    step: str
    start: dt.date
    end: dt.date  # with the unit's extension
    extended: bool
    is_open: bool
    days_left: int


@dataclass
class SheetView:
    """Everything a screen or the API shows of one sheet to one actor."""

    sheet: Sheet
    period: Period
    rule: R.RuleVersion
    roles: frozenset[str]
    actions: tuple[str, ...]  # what the actor may do now (reasons and texts assumed given)
    windows: tuple[StepWindow, ...]
    quota: Optional[quota_rules.QuotaStatus]  # the unit's A-quota, for the evaluator (and admins, readers)
    unit_results: Optional[results.UnitResults]  # a leader's sheet: the unit's grades this period

    @property
    def scores(self) -> dict[int, SheetScore]:
        return _stored(self.sheet)

    @property
    def working_days(self) -> int:
        return self.sheet.working_days if self.sheet.working_days is not None else self.period.working_days

    @property
    def self_grade(self) -> Optional[str]:
        """The grade the self total would give (the form shows it)."""
        return self.rule.grade_for(self.sheet.self_total) if self.sheet.self_total is not None else None


def allowed(c: Loaded) -> tuple[str, ...]:
    """The buttons: actions the actor may take now, reasons and texts assumed given."""
    facts = replace(c.facts(), reason="…", text="…")
    roles = {wf.OWNER} if wf.OWNER in c.roles else set(c.roles)
    found = {a for role in roles for a in wf.allowed_actions(c.sheet.state, role, facts)}
    return tuple(a for a in wf.ACTIONS if a in found and a != wf.AUTO_FORWARD)


def view(session, c: Loaded) -> SheetView:
    s = c.sheet
    windows = []
    for step, w in c.period.windows.items():
        until = c.extensions.get(step)
        windows.append(StepWindow(step, w.start, w.end_with(until), until is not None and until > w.end,
                                  (not c.period.is_closed) and w.is_open(c.today, until), w.days_left(c.today, until)))
    sees_quota = bool(c.roles & {wf.EVALUATOR, wf.ADMIN}) or access.unit_reader(c.actor, c.place)
    quota = None
    if sees_quota and c.rule.quota.kind != R.QUOTA_NONE:
        quota = results.quota_status(session, c.period.id, s.unit_id, c.rule.quota)
    unit = results.unit_results(session, c.period.id, s.unit_id) if s.eval_role == LEADER else None
    return SheetView(s, c.period, c.rule, c.roles, allowed(c), tuple(windows), quota, unit)


def open_sheet(session, sheet_id: Any, actor: Actor, now: Optional[dt.datetime] = None) -> SheetView:
    """Show the sheet to ``actor`` (OutOfReach when they may not see it), stamping ``opened_at`` when
    the reviewer now holding it views it for the first time."""
    now = now or clock.now()
    c = load(session, sheet_id, actor, full=True, today=now.date())
    s = c.sheet
    holder = wf.holder(s.state, s.commenter_id is not None)
    if (holder in (wf.COMMENTER, wf.EVALUATOR) and holder in c.roles and wf.OWNER not in c.roles
            and s.opened_at is None and not c.period.is_closed):
        table = Sheet.__table__
        stamped = session.execute(
            update(table).where(table.c.id == s.id, table.c.state == s.state, table.c.opened_at.is_(None))
            .values(opened_at=now, version=table.c.version + 1)
        ).rowcount
        if stamped:
            session.expire(s, ["opened_at", "version"])
    return view(session, c)


def sheet_view(session, sheet_id: Any, actor: Actor, now: Optional[dt.datetime] = None) -> SheetView:
    """The same as ``open_sheet`` without stamping (an answer after a change, a print view)."""
    now = now or clock.now()
    return view(session, load(session, sheet_id, actor, full=True, today=now.date()))


__all__ = [
    "UNSET", "Loaded", "load", "rule_version", "score_input", "self_scores", "final_scores",
    "save_self", "submit", "recall", "save_comment", "comment", "return_sheet", "save_final", "finalise",
    "reopen", "reassign", "StepWindow", "SheetView", "allowed", "view", "open_sheet", "sheet_view",
]
