"""Tables of the synthesis issue: in-app notices, the sent-reminder log, a person's feedback on a result.

- ``notice``: one line a person reads in the app ("Bạn chưa gửi phiếu tự đánh giá kỳ 11/2026").
- ``sent_reminder``: one row per (person, kind, day) a reminder went out; the unique key is what makes
  ``flask remind`` idempotent (a second run the same day inserts nothing and sends nothing).
- ``sheet_feedback``: the one written feedback (kiến nghị) a person may send on a closed period's result,
  and the evaluator's answer, kept with the sheet.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.models.evaluation import Sheet
from app.models.types import LocalDateTime
from app.services import clock

# The period summary's grouped count (unit, state, grade, rule version) read from the index alone: on
# 20,000 sheets a month this is what keeps the summary within 3x a bare GROUP BY unit, grade.
ix_sheet_summary = Index("ix_sheet_summary", Sheet.period_id, Sheet.unit_id, Sheet.state, Sheet.grade, Sheet.rule_version_id)


class Notice(Model):
    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_person_read", "person_id", "read_at"),)

    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(30), nullable=False)
    text = Column(Text, nullable=False)
    url = Column(String(300))
    created_at = Column(LocalDateTime, nullable=False, default=clock.now)
    read_at = Column(LocalDateTime)


class SentReminder(Model):
    __tablename__ = "sent_reminder"
    __table_args__ = (UniqueConstraint("person_id", "kind", "day", name="uq_sent_reminder_person_kind_day"),)

    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(30), nullable=False)
    day = Column(Date, nullable=False)
    period_id = Column(Integer, ForeignKey("period.id", ondelete="CASCADE"), index=True)
    emailed = Column(String(320))  # the address it was sent to, None when only noticed in the app
    sent_at = Column(LocalDateTime, nullable=False, default=clock.now)


class SheetFeedback(Model):
    __tablename__ = "sheet_feedback"

    id = Column(Integer, primary_key=True)
    sheet_id = Column(Integer, ForeignKey("sheet.id", ondelete="CASCADE"), nullable=False, unique=True)
    person_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    text = Column(Text, nullable=False)
    sent_at = Column(LocalDateTime, nullable=False, default=clock.now)
    answer = Column(Text)
    answered_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    answered_at = Column(LocalDateTime)

    sheet = relationship("Sheet")
    person = relationship("Staff", foreign_keys=[person_id])
    answered_by = relationship("Staff", foreign_keys=[answered_by_id])


__all__ = ["Notice", "SentReminder", "SheetFeedback"]
