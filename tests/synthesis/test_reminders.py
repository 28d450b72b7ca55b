"""Reminders reach a local SMTP sink (aiosmtpd, started here) with the right recipients, once a day."""
from __future__ import annotations

import datetime as dt
import email
import socket
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from app.settings import replace
from tests.evaluation_fixtures import NOVEMBER, make_unit, open_period
from tests.synthesis_fixtures import apply_plan


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((envelope.rcpt_tos, msg))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    previous = replace(app, smtp_host="127.0.0.1", smtp_port=port, smtp_from="danhgia@badinh.invalid",
                       remind_days_before=2)
    yield sink
    controller.stop()
    app.extensions["settings"] = previous


@pytest.fixture
def month(ctx):
    from app.models import Staff

    a = make_unit(ctx, size=6)
    for pid in a.people:
        ctx.get(Staff, pid).contact_email = f"p{pid}@example.invalid"
    ctx.commit()
    open_period(ctx, NOVEMBER)
    # head, deputy, synthesis and the first staff member submit; the deputy comments on synthesis's sheet
    plan = {a.head: {"state": "submitted"}, a.deputy: {"state": "submitted"}, a.synthesis: {"state": "commented"},
            a.staff[0]: {"state": "submitted"}}
    apply_plan(ctx, NOVEMBER, plan)
    return a


def _run(app, day):
    return app.test_cli_runner().invoke(args=["remind", "--day", day.isoformat()])


def _recipients(sink):
    return sorted(r for rcpts, _ in sink.messages for r in rcpts)


def test_reminders_reach_the_right_people_once(app, ctx, smtp, month):
    from sqlalchemy import func, select

    from app.models import Notice, Period, Sheet, Staff

    a = month
    # 23/11: two days before the self-assessment deadline (25/11)
    result = _run(app, dt.date(2026, 11, 23))
    assert result.exit_code == 0, result.output
    drafts = set(ctx.scalars(select(Sheet.person_id).join(Period).where(Period.key == NOVEMBER, Sheet.state == "draft")))
    mine_drafts = drafts & set(a.people)
    expected_self = {f"p{pid}@example.invalid" for pid in mine_drafts}
    got = _recipients(smtp)
    assert expected_self <= set(got)
    # the deputy has staff[0]'s sheet to comment on; the head grades the commented synthesis sheet and the
    # deputy's own (no commenter); synthesis and staff[0] submitted and wait for nothing
    assert f"p{a.deputy}@example.invalid" in got
    assert f"p{a.head}@example.invalid" in got
    assert not {f"p{pid}@example.invalid" for pid in (a.synthesis, a.staff[0])} & set(got)
    assert len(got) == len(set(got))  # one mail a person and day
    subjects = {m["To"].addresses[0].addr_spec: m["Subject"] for _, m in smtp.messages}
    assert "chờ đồng chí nhận xét" in subjects[f"p{a.deputy}@example.invalid"]
    body = next(m for r, m in smtp.messages if r == [f"p{a.staff[1]}@example.invalid"]).get_content()
    assert "Kính gửi đồng chí" in body and "25/11/2026" in body
    notices_before = ctx.scalar(select(func.count()).select_from(Notice))
    assert notices_before >= len(got)
    # the same day again: nothing
    count = len(smtp.messages)
    again = _run(app, dt.date(2026, 11, 23))
    assert again.exit_code == 0 and len(smtp.messages) == count
    ctx.expire_all()
    assert ctx.scalar(select(func.count()).select_from(Notice)) == notices_before
    # the next day: again (the deadline is nearer)
    _run(app, dt.date(2026, 11, 24))
    assert len(smtp.messages) > count


def test_no_self_reminder_too_early(app, ctx, smtp, month):
    a = month
    _run(app, dt.date(2026, 11, 21))  # four days before the deadline
    got = set(_recipients(smtp))
    assert not any(f"p{pid}@example.invalid" in got for pid in a.staff[1:])
    assert f"p{a.deputy}@example.invalid" in got  # waiting sheets are reminded whatever the day


def test_bad_day_is_refused(app):
    result = app.test_cli_runner().invoke(args=["remind", "--day", "23/11/2026"])
    assert result.exit_code == 1 and "không hợp lệ" in result.output


def test_without_smtp_only_notices(app, ctx, month):
    from sqlalchemy import func, select

    from app.models import Notice, SentReminder

    result = _run(app, dt.date(2026, 11, 23))
    assert result.exit_code == 0 and "0 thư điện tử" in result.output
    assert ctx.scalar(select(func.count()).select_from(Notice)) > 0
    assert ctx.scalar(select(func.count()).select_from(SentReminder).where(SentReminder.emailed.isnot(None))) == 0
