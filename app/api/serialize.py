"""Service results as the API's JSON (described by ``app.api.schemas``; see there for points and dates)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional

from app.domain.evaluation import workflow as wf
from app.domain.evaluation.periods import STEPS
from app.services.evaluation.inbox import HistoryItem, Inbox, ReviewPage
from app.services.evaluation.sheets import SheetView


def points(value: Optional[Decimal]) -> Optional[float]:
    """A two-decimal Decimal as a JSON number (exact: 89.99 reads back as 89.99)."""
    return None if value is None else float(value)


def moment(value: Optional[dt.datetime]) -> Optional[str]:
    return None if value is None else value.isoformat()


def day(value: Optional[dt.date]) -> Optional[str]:
    return None if value is None else value.isoformat()


def ref(person) -> Optional[dict[str, Any]]:
    return None if person is None else {"id": person.id, "name": person.display_name if hasattr(person, "display_name") else person.name}


def sheet_json(v: SheetView) -> dict[str, Any]:
    s, rule = v.sheet, v.rule
    person = s.person
    scores = sorted(v.scores.values(), key=lambda row: row.criterion_id)
    return {
        "id": s.id,
        "period": v.period.key,
        "period_label": v.period.label,
        "state": s.state,
        "state_label": wf.STATE_LABELS.get(s.state, s.state),
        "version": s.version,
        "person": {
            "id": person.id, "name": person.display_name, "username": person.username, "position": person.position,
            "eval_role": s.eval_role, "unit": {"id": s.unit.id, "name": s.unit.name},
            "department": {"id": s.department.id, "name": s.department.name} if s.department is not None else None,
        },
        "commenter": ref(s.commenter),
        "evaluator": ref(s.evaluator),
        "rule_set": {"id": rule.id, "code": rule.family_code, "name": rule.family_name, "effective_from": rule.effective_from},
        "groups": [{"code": g.code, "name": g.name, "kind": g.kind, "max_points": points(g.max_points)} for g in rule.groups],
        "criteria": [
            {"id": c.id, "code": c.code, "group": c.group_code, "name": c.name, "max_points": points(c.max_points),
             "kind": c.kind, "description": c.description or None}
            for c in rule.criteria
        ],
        "grades": [{"code": b.code, "label": b.label, "min_points": points(b.min_points)} for b in rule.bands],
        "scores": [
            {"criterion_id": row.criterion_id, "self_points": points(row.self_points), "final_points": points(row.final_points),
             "note": row.note, "final_note": row.final_note}
            for row in scores
        ],
        "worked_days": points(s.worked_days),
        "working_days": v.working_days,
        "self_total": points(s.self_total),
        "self_grade": v.self_grade,
        "final_total": points(s.final_total),
        "computed_grade": s.computed_grade,
        "grade": s.grade if s.state == wf.FINALISED else None,
        "grade_label": (rule.grade_label(s.grade) or None) if s.state == wf.FINALISED else None,
        "self_assessed": s.self_assessed,
        "fails": {"reason": s.fail_reason or "", "reference": s.fail_reference or ""} if s.fails else None,
        "comment": s.comment,
        "grade_reason": s.grade_reason,
        "quota_reason": s.quota_reason,
        "opened_at": moment(s.opened_at),
        "submitted_at": moment(s.submitted_at),
        "commented_at": moment(s.commented_at),
        "finalised_at": moment(s.finalised_at),
        "windows": {
            w.step: {"from": day(w.start), "to": day(w.end), "open": w.is_open, "extended": w.extended, "days_left": w.days_left}
            for w in v.windows
        },
        "my_roles": sorted(v.roles),
        "allowed_actions": list(v.actions),
        "quota": None if v.quota is None else {
            "grade": v.quota.grade, "used": v.quota.used, "limit": v.quota.limit, "remaining": v.quota.remaining,
            "message": v.quota.message,
        },
        "unit_results": None if v.unit_results is None else {
            "total": v.unit_results.total, "finalised": v.unit_results.finalised,
            "by_state": dict(v.unit_results.by_state), "by_grade": dict(v.unit_results.by_grade),
        },
        "events": [
            {"at": moment(e.at), "actor": ref(e.actor), "action": e.action, "action_label": e.action_label,
             "from_state": e.from_state, "to_state": e.to_state, "reason": e.reason}
            for e in s.events
        ],
    }


def inbox_json(box: Inbox) -> dict[str, Any]:
    return {
        "count": box.total,
        "counts": dict(box.counts),
        "page": box.page,
        "page_size": box.page_size,
        "result": [
            {"sheet_id": i.sheet_id, "version": i.version, "period": i.period_key,
             "person": {"id": i.person_id, "name": i.person_name}, "position": i.position,
             "unit": {"id": i.unit_id, "name": i.unit_name}, "department": i.department_name, "eval_role": i.eval_role,
             "state": i.state, "state_label": i.state_label, "role": i.role, "self_assessed": i.self_assessed,
             "self_total": points(i.self_total), "submitted_at": moment(i.submitted_at), "opened": i.opened,
             "deadline": day(i.deadline), "days_left": i.days_left}
            for i in box.items
        ],
    }


def history_json(items: list[HistoryItem], total: int, page: int, page_size: int) -> dict[str, Any]:
    return {
        "count": total, "page": page, "page_size": page_size,
        "result": [
            {"sheet_id": i.sheet_id, "period": i.period_key, "period_label": i.period_label, "period_kind": i.period_kind,
             "period_closed": i.period_closed, "state": i.state, "state_label": i.state_label,
             "self_assessed": i.self_assessed, "self_total": points(i.self_total), "final_total": points(i.final_total),
             "grade": i.grade, "grade_label": i.grade_label, "finalised_at": moment(i.finalised_at)}
            for i in items
        ],
    }


def review_json(page: ReviewPage) -> dict[str, Any]:
    return {
        "count": page.total, "by_state": dict(page.by_state), "page": page.page, "page_size": page.page_size,
        "result": [
            {"sheet_id": r.sheet_id, "version": r.version, "person": {"id": r.person_id, "name": r.person_name},
             "position": r.position, "unit_id": r.unit_id, "department": r.department_name, "eval_role": r.eval_role,
             "state": r.state, "state_label": r.state_label, "self_assessed": r.self_assessed,
             "self_total": points(r.self_total), "final_total": points(r.final_total), "grade": r.grade,
             "commenter": r.commenter_name, "evaluator": r.evaluator_name}
            for r in page.rows
        ],
    }


def period_json(period, **extra: Any) -> dict[str, Any]:
    windows = period.windows
    return {
        "id": period.id,
        "period": period.key,
        "label": period.label,
        "title": period.title,
        "kind": period.kind,
        "state": period.state,
        "trial": bool(period.trial),
        "working_days": period.working_days,
        "windows": {s: [day(windows.get(s).start), day(windows.get(s).end)] for s in STEPS},
        "opened_at": moment(period.opened_at),
        "closed_at": moment(period.closed_at),
        **extra,
    }


__all__ = ["points", "sheet_json", "inbox_json", "history_json", "review_json", "period_json"]
