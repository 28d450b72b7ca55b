"""``flask --app run remind [--day YYYY-MM-DD]``: today's reminders (in-app and e-mail), for a daily cron.

Idempotent: run it twice on one day and the second run sends nothing (see ``app.notify.reminders``).
"""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from app.cli_period import Refused


@click.command("remind")
@click.option("--day", default=None, help="Ngày nhắc (YYYY-MM-DD), mặc định hôm nay.")
@with_appcontext
def remind(day):
    """Nhắc người chưa tự đánh giá và người có phiếu đang chờ nhận xét, đánh giá."""
    import smtplib

    from app.extensions import db
    from app.notify import reminders
    from app.services.uow import unit_of_work
    from app.settings import settings

    when = None
    if day:
        try:
            when = dt.date.fromisoformat(day)
        except ValueError:
            raise Refused(f"Ngày “{day}” không hợp lệ (dạng YYYY-MM-DD).") from None
    try:
        with unit_of_work(db.session) as session:
            report = reminders.run(session, settings(), when)
    except (smtplib.SMTPException, OSError) as exc:
        raise Refused(f"Không kết nối được máy chủ thư: {exc}") from exc
    click.echo(f"Đã nhắc {report.noticed} người ({report.emailed} thư điện tử), bỏ qua {report.skipped} lời nhắc đã gửi hôm nay.")
    if report.failed:
        click.echo(f"Không gửi được thư tới: {', '.join(report.failed)}", err=True)
