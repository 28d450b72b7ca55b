"""The daily reminders (``flask --app run remind``, for cron): an in-app notice and, when SMTP_HOST is set and
the person has a contact e-mail, an e-mail in Vietnamese.

Who is reminded, per open (non-closed) period:
- ``self``: a person whose sheet is still a draft, from REMIND_DAYS_BEFORE days before the end of their
  unit's self-assessment window (an extension counts) to its last day;
- ``comment``: a commenter with sheets submitted to them; ``grade``: an evaluator with sheets waiting for
  the grade (commented, or submitted without a commenter) — while those windows are open or over.

Idempotent: a reminder is first recorded in ``sent_reminder`` under the unique key (person, kind, day), in a
savepoint; a key already there (an earlier run today, or a run at the same moment) means it is skipped, so
the same reminder never goes twice on one day.
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from app.domain.dates import fmt_date
from app.domain.evaluation import periods as P
from app.domain.evaluation import workflow as wf
from app.models import Period, SentReminder, Sheet, Staff
from app.notify import notices
from app.notify.mail import Mailer
from app.services import clock
from app.services.synthesis.followup import deadlines

log = logging.getLogger(__name__)

SELF, COMMENT, GRADE = "self", "comment", "grade"


@dataclass
class Reminder:
    person_id: int
    kind: str
    period_id: Optional[int]
    subject: str
    text: str


@dataclass
class RunReport:
    noticed: int = 0
    emailed: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    recipients: list[tuple[int, str]] = field(default_factory=list)


def _self_reminders(session, period: Period, today: dt.date, days_before: int) -> list[Reminder]:
    rows = session.execute(select(Sheet.person_id, Sheet.unit_id).where(Sheet.period_id == period.id, Sheet.state == wf.DRAFT)).all()
    ends = deadlines(session, period, {u for _, u in rows})
    out = []
    for person_id, unit_id in rows:
        end = ends[unit_id][P.STEP_SELF]
        if end - dt.timedelta(days=days_before) <= today <= end:
            left = (end - today).days + 1
            out.append(Reminder(person_id, f"{SELF}:{period.key}", period.id,
                                f"Nhắc việc: hạn tự đánh giá kỳ {period.label} là ngày {fmt_date(end)}",
                                f"Đồng chí chưa gửi phiếu tự đánh giá kỳ {period.label}. Hạn gửi: ngày {fmt_date(end)} "
                                f"(còn {left} ngày, tính cả hôm nay)."))
    return out


def _waiting_reminders(session, today: dt.date) -> list[Reminder]:
    open_ids = select(Period.id).where(Period.state == Period.OPEN)
    base = [Sheet.period_id.in_(open_ids), Sheet.person_id != func.coalesce(Sheet.commenter_id, -1)]
    out = []
    for person_id, n in session.execute(
        select(Sheet.commenter_id, func.count()).where(*base, Sheet.state == wf.SUBMITTED, Sheet.commenter_id.isnot(None))
        .group_by(Sheet.commenter_id)
    ):
        out.append(Reminder(person_id, COMMENT, None, f"Nhắc việc: {n} phiếu đang chờ đồng chí nhận xét",
                            f"Có {n} phiếu đánh giá đang chờ đồng chí nhận xét."))
    grade_turn = or_(Sheet.state == wf.COMMENTED, and_(Sheet.state == wf.SUBMITTED, Sheet.commenter_id.is_(None)))
    for person_id, n in session.execute(
        select(Sheet.evaluator_id, func.count()).where(Sheet.period_id.in_(open_ids), grade_turn, Sheet.evaluator_id.isnot(None),
                                                       Sheet.evaluator_id != Sheet.person_id)
        .group_by(Sheet.evaluator_id)
    ):
        out.append(Reminder(person_id, GRADE, None, f"Nhắc việc: {n} phiếu đang chờ đồng chí đánh giá, xếp loại",
                            f"Có {n} phiếu đánh giá đang chờ đồng chí đánh giá, xếp loại."))
    return out


def due(session, today: dt.date, days_before: int) -> list[Reminder]:
    out = []
    for period in session.scalars(select(Period).where(Period.state == Period.OPEN).order_by(Period.first_day)):
        out += _self_reminders(session, period, today, days_before)
    return out + _waiting_reminders(session, today)


def body(name: str, text: str, org_name: str) -> str:
    return (f"Kính gửi đồng chí {name},\n\n{text}\n"
            "Đề nghị đồng chí đăng nhập phần mềm đánh giá, xếp loại để hoàn thành đúng hạn.\n\n"
            f"Trân trọng,\nPhần mềm đánh giá, xếp loại hằng tháng – {org_name}\n"
            "(Thư gửi tự động, xin đừng trả lời thư này.)\n")


def run(session, settings, today: Optional[dt.date] = None) -> RunReport:
    """Send today's reminders (flushes; the caller commits)."""
    today = today or clock.today()
    report = RunReport()
    reminders = due(session, today, settings.remind_days_before)
    already = set(session.execute(select(SentReminder.person_id, SentReminder.kind).where(SentReminder.day == today)).all())
    people = {p.id: p for p in session.scalars(select(Staff).where(Staff.id.in_({r.person_id for r in reminders} or {-1})))}
    by_person = defaultdict(list)
    for r in reminders:
        by_person[r.person_id].append(r)
    with Mailer(settings) as mailer:
        for person_id, items in by_person.items():
            person = people.get(person_id)
            if person is None or not person.active:
                report.skipped += len(items)
                continue
            address = (person.contact_email or "").strip() if mailer.enabled else ""
            fresh = []
            for r in items:
                if (person_id, r.kind) in already:
                    report.skipped += 1
                    continue
                try:
                    with session.begin_nested():
                        session.add(SentReminder(person_id=person_id, kind=r.kind, day=today, period_id=r.period_id,
                                                 emailed=address or None, sent_at=clock.now()))
                        session.flush()
                except IntegrityError:  # a run at the same moment got there first
                    report.skipped += 1
                    continue
                notices.add(session, person_id, "reminder", r.text, "/")
                report.recipients.append((person_id, r.kind))
                fresh.append(r)
            if not fresh:
                continue
            report.noticed += 1
            if address:  # one e-mail a person and day, listing what is due
                subject = fresh[0].subject if len(fresh) == 1 else f"Nhắc việc: {len(fresh)} việc cần đồng chí hoàn thành"
                text = "\n".join(f"- {r.text}" if len(fresh) > 1 else r.text for r in fresh)
                try:
                    mailer.send(address, person.full_name or "", subject, body(person.full_name or "", text, settings.org_name))
                    report.emailed += 1
                except (smtplib.SMTPException, OSError) as exc:
                    log.warning("reminder to %s failed: %s", address, exc)
                    report.failed.append(address)
    session.flush()
    return report


__all__ = ["Reminder", "RunReport", "due", "run", "body"]
