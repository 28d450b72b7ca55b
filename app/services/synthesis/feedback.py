"""A person's result once the period is closed, and the one written feedback (kiến nghị) on it.

- Who sees ``/results/<sheet>``: the person, the commenter and the evaluator of the sheet; anybody else gets
  "not found" (the same as a sheet that does not exist).
- The result (final score, grade, the evaluator's comment) shows once the period is closed.
- The person sends one feedback within FEEDBACK_DAYS days of the closing; the evaluator answers it once.
  Both stay with the sheet (``sheet_feedback``), each leaves an audit row and a notice to the other side.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select

from app.domain import rollup as R
from app.domain.dates import fmt_date
from app.domain.errors import Conflict, OutOfReach, PermissionDenied, ValidationError
from app.domain.evaluation import workflow as wf
from app.domain.scope import Actor, require_actor
from app.models import Period, Sheet, SheetFeedback, Staff
from app.notify import notices
from app.services import audit, clock

MAX_TEXT = 4000
NOT_FOUND = ("not_found", "Không tìm thấy kết quả đánh giá.")


@dataclass(frozen=True)
class ResultView:
    sheet: Sheet
    period: Period
    feedback: Optional[SheetFeedback]
    is_owner: bool
    is_evaluator: bool
    closed: bool
    feedback_until: Optional[dt.date]
    today: dt.date

    @property
    def grade_label(self) -> str:
        return R.GRADE_NAMES.get(self.sheet.grade, self.sheet.grade or "") if self.shown else ""

    @property
    def shown(self) -> bool:
        return self.closed and self.sheet.state == wf.FINALISED

    @property
    def can_send(self) -> bool:
        return (self.is_owner and self.shown and self.feedback is None and self.feedback_until is not None
                and self.today <= self.feedback_until)

    @property
    def can_answer(self) -> bool:
        return self.is_evaluator and self.feedback is not None and self.feedback.answer is None


def _sheet_id(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise OutOfReach(*NOT_FOUND) from None
    if not 0 < number < 2**31:
        raise OutOfReach(*NOT_FOUND)
    return number


def view(session, actor: Actor, sheet_id: Any, feedback_days: int, today: Optional[dt.date] = None) -> ResultView:
    require_actor(actor)
    sheet = session.get(Sheet, _sheet_id(sheet_id))
    if sheet is None or actor.id is None or actor.id not in (sheet.person_id, sheet.evaluator_id, sheet.commenter_id):
        raise OutOfReach(*NOT_FOUND)
    period = sheet.period
    fb = session.scalar(select(SheetFeedback).where(SheetFeedback.sheet_id == sheet.id))
    closed = period.is_closed
    until = (period.closed_at.date() + dt.timedelta(days=feedback_days)) if closed and period.closed_at else None
    return ResultView(sheet, period, fb, actor.id == sheet.person_id, actor.id == sheet.evaluator_id and actor.id != sheet.person_id,
                      closed, until, today or clock.today())


def _text(value: Any, field: str, what: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError("empty", f"Hãy viết nội dung {what}.", field)
    if len(text) > MAX_TEXT:
        raise ValidationError("too_long", f"Nội dung {what} tối đa {MAX_TEXT} ký tự (đang có {len(text)}).", field)
    return text


def send(session, actor: Actor, sheet_id: Any, text: Any, feedback_days: int, today: Optional[dt.date] = None) -> SheetFeedback:
    v = view(session, actor, sheet_id, feedback_days, today)
    if not v.is_owner:
        raise PermissionDenied("not_owner", "Chỉ người được đánh giá mới gửi kiến nghị về kết quả của mình.")
    if not v.shown:
        raise ValidationError("not_closed", "Kỳ đánh giá chưa khóa: chưa thể gửi kiến nghị về kết quả.", "text")
    if v.feedback is not None:
        raise Conflict("already_sent", "Đồng chí đã gửi kiến nghị cho kết quả này; mỗi kết quả chỉ gửi một lần.", "text")
    if v.feedback_until is None or v.today > v.feedback_until:
        raise ValidationError("too_late", f"Đã hết hạn gửi kiến nghị (đến hết ngày {fmt_date(v.feedback_until)}).", "text")
    body = _text(text, "text", "kiến nghị")
    fb = SheetFeedback(sheet_id=v.sheet.id, person_id=actor.id, text=body, sent_at=clock.now())
    session.add(fb)
    session.flush()
    if v.sheet.evaluator_id:
        notices.add(session, v.sheet.evaluator_id, "feedback",
                    f"{v.sheet.person.full_name} gửi kiến nghị về kết quả kỳ {v.period.label}.", f"/results/{v.sheet.id}")
    audit.record(session, "feedback_sent", actor=session.get(Staff, actor.id), target=f"Kỳ {v.period.key}",
                 unit_id=v.sheet.unit_id, detail={"sheet": v.sheet.id})
    session.flush()
    return fb


def answer(session, actor: Actor, sheet_id: Any, text: Any, feedback_days: int) -> SheetFeedback:
    v = view(session, actor, sheet_id, feedback_days)
    if not v.is_evaluator:
        raise PermissionDenied("not_evaluator", "Chỉ người đánh giá, xếp loại phiếu này mới trả lời kiến nghị.")
    if v.feedback is None:
        raise ValidationError("no_feedback", "Chưa có kiến nghị nào để trả lời.", "answer")
    if v.feedback.answer is not None:
        raise Conflict("already_answered", "Kiến nghị này đã được trả lời.", "answer")
    v.feedback.answer = _text(text, "answer", "trả lời")
    v.feedback.answered_by_id = actor.id
    v.feedback.answered_at = clock.now()
    notices.add(session, v.sheet.person_id, "feedback", f"Kiến nghị của đồng chí về kết quả kỳ {v.period.label} đã được trả lời.",
                f"/results/{v.sheet.id}")
    audit.record(session, "feedback_answered", actor=session.get(Staff, actor.id), target=f"Kỳ {v.period.key}",
                 unit_id=v.sheet.unit_id, detail={"sheet": v.sheet.id})
    session.flush()
    return v.feedback


def my_results(session, person_id: int) -> list[tuple[Sheet, Period]]:
    """The person's sheets of closed periods, newest first."""
    return list(session.execute(select(Sheet, Period).join(Period, Period.id == Sheet.period_id)
                                .where(Sheet.person_id == person_id, Period.state == Period.CLOSED)
                                .order_by(Period.last_day.desc())).tuples())


__all__ = ["ResultView", "view", "send", "answer", "my_results", "MAX_TEXT"]
