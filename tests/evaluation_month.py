"""One full month of a unit of 30, written once and driven through the services or through the API.

The month (2026-11, default windows: self 20–25, comment 20–28, grading 20 Nov – 4 Dec):
- the admin opens the period;
- 21/11: 28 people submit (one saves a draft first; one is refused a bonus without justification, then
  justifies it; one recalls and resubmits); one never submits; the deputy and the head submit too;
- 24/11: the deputy (commenter of 28 sheets) returns one sheet with a reason; 25/11 it is resubmitted;
- 26/11: the daily auto-forward moves the never-submitted sheet on as "không tự đánh giá"; the deputy
  comments on every sheet waiting for them;
- 27/11: the head returns one commented sheet to the deputy, who comments again; then the deputy recalls
  a comment the head has not opened yet and passes it on again;
- 30/11: the head grades 29 sheets: nine A (the quota: 30 % of 30), a tenth A refused without a reason
  (409 quota) and accepted with one, the rest B, C (attendance) and a lower grade with a reason; the
  auto-forwarded sheet is graded from the evaluator's own scores;
- district leadership (outside the unit) sees the unit's results beside the head's sheet and grades it;
- the admin closes the period; every later change is refused.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from tests.evaluation_fixtures import EvalUnit, clock_at, full_scores

NOV = dt.date(2026, 11, 1)


def day(n: int) -> dt.date:
    return NOV.replace(day=n)


@dataclass
class Outcome:
    status: int
    code: Optional[str] = None
    sheet: Optional[dict] = None  # state, version, grade, final_total, self_assessed, actions (event actions)

    @property
    def ok(self) -> bool:
        return self.status == 200


class Driver:
    """How the month talks to the app: ``act(who, action, sheet, **input)`` opens the sheet as ``who`` (as a
    person does before acting) and does ``action`` with the version just read."""

    def open_period(self) -> int: ...
    def close_period(self, period_id: int) -> dict: ...
    def mine(self, who: int) -> dict: ...
    def view(self, who: int, sheet_id: int) -> dict: ...
    def act(self, who: int, action: str, sheet_id: int, **kw: Any) -> Outcome: ...
    def inbox(self, who: int) -> list[tuple[int, str, int]]: ...
    def auto_forward(self) -> int: ...


def run_month(driver: Driver, unit: EvalUnit, session) -> dict:
    """Run the month; returns what a test checks at the end. ``session`` reads scores for the inputs."""
    period_id = driver.open_period()
    head, deputy, outside = unit.head, unit.deputy, unit.outside_evaluator
    staff = unit.staff
    never = staff[-2]  # never self-assesses
    sheets = {p: driver.mine(p)["id"] for p in unit.people}
    assert len(set(sheets.values())) == 30

    # -- 21/11: self-assessment -------------------------------------------------------------------------------
    clock_at(day(21))
    excellent = set(staff[:10])  # what they claim; the head decides
    for p in unit.people:
        if p == never:
            continue
        sid = sheets[p]
        fraction = "max" if p in excellent or p in (head, deputy) else 0.85
        scores = full_scores(session, sid, fraction)
        if p == staff[0]:
            out = driver.act(p, "save_self", sid, scores=scores[:3], worked_days=20)
            assert out.ok and out.sheet["state"] == "draft", out
        if p == staff[4]:
            bad = driver.act(p, "submit", sid, scores=full_scores(session, sid, fraction, bonus=" "), worked_days=20)
            assert (bad.status, bad.code) == (400, "bonus_note"), bad
            scores = full_scores(session, sid, fraction, bonus="Sáng kiến số hóa hồ sơ một cửa")
        worked = 10 if p == staff[12] else 20  # staff[12] worked half the month: at most C
        out = driver.act(p, "submit", sid, scores=scores, worked_days=worked)
        assert out.ok and out.sheet["state"] == "submitted", (p, out)
    out = driver.act(staff[5], "recall", sheets[staff[5]])
    assert out.ok and out.sheet["state"] == "draft", out
    out = driver.act(staff[5], "submit", sheets[staff[5]])
    assert out.ok and out.sheet["state"] == "submitted", out

    # -- 24–25/11: a return by the commenter ------------------------------------------------------------------
    clock_at(day(24))
    returned = staff[15]
    out = driver.act(deputy, "return", sheets[returned], reason="Bổ sung minh chứng khối lượng công việc")
    assert out.ok and out.sheet["state"] == "draft", out
    late_recall = driver.act(returned, "recall", sheets[staff[16]])
    assert late_recall.status == 404  # somebody else's sheet: not found
    clock_at(day(25))
    out = driver.act(returned, "submit", sheets[returned])
    assert out.ok, out

    # -- 26/11: auto-forward, comments ------------------------------------------------------------------------
    clock_at(day(26), hour=0, minute=5)
    assert driver.auto_forward() >= 1
    clock_at(day(26))
    forwarded = driver.view(deputy, sheets[never])
    assert (forwarded["state"], forwarded["self_assessed"]) == ("commented", False)
    waiting = driver.inbox(deputy)
    assert sorted(s for s, role, _ in waiting) == sorted(sheets[p] for p in [unit.synthesis, *staff] if p != never)
    assert {role for _, role, _ in waiting} == {"commenter"}
    for sid, _, _ in waiting:
        out = driver.act(deputy, "comment", sid, text="Chấp hành tốt, hoàn thành nhiệm vụ được giao.")
        assert out.ok and out.sheet["state"] == "commented", out

    # -- 27/11: the evaluator returns to the commenter; the commenter recalls a comment ---------------------
    clock_at(day(27))
    back = staff[20]
    out = driver.act(head, "return", sheets[back], reason="Nhận xét chưa nêu hạn chế")
    assert out.ok and out.sheet["state"] == "submitted", out
    out = driver.act(deputy, "comment", sheets[back], text="Còn chậm tiến độ một số việc.")
    assert out.ok and out.sheet["state"] == "commented", out
    out = driver.act(deputy, "recall", sheets[staff[21]])
    assert out.ok and out.sheet["state"] == "submitted", out
    out = driver.act(deputy, "comment", sheets[staff[21]], text="Nhận xét bổ sung.")
    assert out.ok, out

    # -- 30/11: grading ---------------------------------------------------------------------------------------
    clock_at(day(30))
    waiting = driver.inbox(head)
    assert sorted(s for s, _, _ in waiting) == sorted(sheets[p] for p in unit.people if p != head)
    a_given = overrides = 0
    for p in [deputy, unit.synthesis, *staff]:
        sid = sheets[p]
        kw: dict[str, Any] = {}
        if p == never:
            kw = {"scores": full_scores(session, sid, 0.75), "worked_days": 20}
        elif p == staff[11]:
            kw = {"grade": "C", "grade_reason": "Để xảy ra sai sót bị phản ánh"}
        out = driver.act(head, "finalise", sid, **kw)
        if out.status == 409:
            assert out.code == "quota" and a_given >= 9, (p, out)
            out = driver.act(head, "finalise", sid, quota_reason="Hoàn thành xuất sắc nhiệm vụ đột xuất của phường")
            overrides += 1
        assert out.ok and out.sheet["state"] == "finalised", (p, out)
        if out.sheet["grade"] == "A":
            a_given += 1
    # the deputy and the ten who claimed the maximum: nine within the quota, two more with a reason
    assert (a_given, overrides) == (11, 2)

    # -- district leadership grades the head, seeing the unit's results ---------------------------------------
    # their inbox spans units: their own unit's sheets (auto-forwarded in the demo) and the head's
    theirs = driver.inbox(outside)
    assert [s for s, _, u in theirs if u == unit.unit_id] == [sheets[head]] and len({u for _, _, u in theirs}) == 2
    results = driver.view(outside, sheets[head])["unit_results"]
    out = driver.act(outside, "finalise", sheets[head], grade="B", grade_reason="Đơn vị còn chỉ tiêu chưa đạt")
    assert out.ok and out.sheet["grade"] == "B", out

    # -- close ------------------------------------------------------------------------------------------------
    clock_at(dt.date(2026, 12, 5))
    closed = driver.close_period(period_id)
    late = driver.act(head, "finalise", sheets[staff[0]])
    assert (late.status, late.code) == (400, "period_closed"), late
    return {"sheets": sheets, "head_results": results, "closed": closed, "never": never, "returned": returned, "back": back,
            "recalled": [staff[5], staff[21]], "bonus": staff[4], "half_month": staff[12], "lowered": staff[11]}


def check_month(session, unit: EvalUnit, result: dict) -> None:
    """What the month leaves in the database, whichever way it was driven."""
    import json
    from decimal import Decimal

    from sqlalchemy import func, select

    from app.models import AuditEvent, Period, Sheet, SheetEvent

    session.expire_all()
    sheets = result["sheets"]
    rows = {p: session.get(Sheet, sid) for p, sid in sheets.items()}
    assert {s.state for s in rows.values()} == {"finalised"}
    grades: dict[str, int] = {}
    for s in rows.values():
        grades[s.grade] = grades.get(s.grade, 0) + 1
    # 11 A; C: the half month (attendance cap), the lowered grade, the one graded 67.5; the rest B (head included)
    assert grades == {"A": 11, "B": 16, "C": 3}, grades
    assert rows[result["half_month"]].grade == "C" and rows[result["half_month"]].computed_grade == "B"
    assert (rows[result["lowered"]].grade, rows[result["lowered"]].grade_reason) == ("C", "Để xảy ra sai sót bị phản ánh")
    never = rows[result["never"]]
    assert (never.self_assessed, never.self_total, never.final_total, never.grade) == (False, None, Decimal("67.50"), "C")
    assert rows[unit.head].grade == "B" and rows[unit.head].evaluator_id == unit.outside_evaluator
    assert result["head_results"]["by_grade"] == {"A": 11, "B": 15, "C": 3} and result["head_results"]["total"] == 30

    def actions(person):
        return [a for (a,) in session.execute(select(SheetEvent.action).where(SheetEvent.sheet_id == sheets[person])
                                              .order_by(SheetEvent.id))]

    assert actions(result["recalled"][0]) == ["submit", "recall", "submit", "comment", "finalise"]
    assert actions(result["recalled"][1]) == ["submit", "comment", "recall", "comment", "finalise"]
    assert actions(result["returned"]) == ["submit", "return", "submit", "comment", "finalise"]
    assert actions(result["back"]) == ["submit", "comment", "return", "comment", "finalise"]
    assert actions(result["never"]) == ["auto_forward", "finalise"]
    assert actions(unit.staff[0]) == ["save_self", "submit", "comment", "finalise"]
    reasons = session.execute(select(SheetEvent.reason).where(SheetEvent.sheet_id == sheets[result["returned"]],
                                                              SheetEvent.action == "return")).scalar()
    assert reasons == "Bổ sung minh chứng khối lượng công việc"
    overrides = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "sheet_quota_override",
                                                                AuditEvent.unit_id == unit.unit_id)
                                 .order_by(AuditEvent.id)).all()
    assert [json.loads(d)["used"] for d in overrides] == [9, 10]
    assert all(json.loads(d)["reason"] == "Hoàn thành xuất sắc nhiệm vụ đột xuất của phường" for d in overrides)
    transitions = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.unit_id == unit.unit_id, AuditEvent.action.like("sheet_%")))
    events = session.scalar(select(func.count()).select_from(SheetEvent).join(Sheet).where(
        Sheet.unit_id == unit.unit_id, SheetEvent.actor_id.isnot(None)))
    assert transitions == events + len(overrides)  # one audit row per transition by a person, plus the overrides
    assert session.scalar(select(Period.state)) == "closed"
