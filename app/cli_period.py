"""``flask --app run period open|close|list|auto-forward``: periods from the command line and cron.

Each command is one unit of work over ``app.services.evaluation.periods``. Refusals print
"Lỗi: …" (Vietnamese) on stderr and exit with status 1; nothing is written then.
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.domain.evaluation.periods import TRIAL_LABEL as P_TRIAL_LABEL
from app.domain.scope import SYSTEM

# The command line acts as the explicit system actor (district reach, logged "Hệ thống (dòng lệnh)").
CLI_ACTOR = SYSTEM

PERIOD_STATE_LABELS = {"open": "Đang mở", "closed": "Đã khóa"}
STEP_TITLES = {"self_assessment": "Tự đánh giá", "comment": "Nhận xét", "grading": "Đánh giá, xếp loại"}


class Refused(click.ClickException):
    """A DomainError, shown in Vietnamese."""

    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.format_message()}", err=True)


def _run(fn, *args, **kwargs):
    from app.domain.errors import DomainError
    from app.extensions import db
    from app.services.uow import unit_of_work

    try:
        with unit_of_work(db.session) as session:
            return fn(session, *args, **kwargs)
    except DomainError as exc:
        raise Refused(exc.message) from exc


@click.group("period")
def period():
    """Kỳ đánh giá: mở, khóa, liệt kê, chuyển phiếu quá hạn tự đánh giá."""


@period.command("open")
@click.argument("key")
@click.option("--trial", is_flag=True, help="Kỳ vận hành thử (chạy đủ quy trình, không tính vào tổng hợp).")
@click.option("--working-days", type=str, default=None, help="Số ngày làm việc (mặc định: tính theo lịch nghỉ lễ, Tết).")
@with_appcontext
def open_(key, trial, working_days):
    """Mở kỳ KEY (2026-11 hoặc 2026-Q4) và tạo phiếu cho mọi người có đơn vị."""
    from app.domain.dates import fmt_date
    from app.services.evaluation import periods as service

    def work(session):
        p = service.open_period(session, key, CLI_ACTOR, trial=trial, working_days=working_days)
        return p, sum(service.sheet_counts(session, p).values())

    p, sheets = _run(work)
    trial_text = f", {P_TRIAL_LABEL.lower()}" if p.trial else ""
    click.echo(f"Đã mở kỳ đánh giá {p.key} ({p.label}{trial_text}): {p.working_days} ngày làm việc, {sheets} phiếu.")
    for step, window in p.windows.items():
        click.echo(f"  {STEP_TITLES[step] + ':':<20} {fmt_date(window.start)} – {fmt_date(window.end)}")


@period.command("close")
@click.argument("key")
@with_appcontext
def close(key):
    """Khóa kỳ KEY: phiếu chưa tự đánh giá được chuyển tự động, rồi mọi phiếu bị khóa."""
    from app.domain.evaluation.workflow import FINALISED
    from app.services.evaluation import periods as service

    def work(session):
        p = service.get_period(session, key)
        return p.key, service.close_period(session, p, CLI_ACTOR)

    key_text, result = _run(work)
    by_state = result["by_state"]
    total = sum(by_state.values())
    click.echo(f"Đã khóa kỳ đánh giá {key_text}: {total} phiếu, {by_state.get(FINALISED, 0)} phiếu đã xếp loại.")
    if result["forwarded"]:
        click.echo(f"  {result['forwarded']} phiếu chưa tự đánh giá đã được chuyển tự động đến lãnh đạo đánh giá.")


@period.command("list")
@with_appcontext
def list_():
    """Liệt kê các kỳ đánh giá (mới nhất trước)."""
    from app.domain.evaluation.workflow import FINALISED
    from app.extensions import db
    from app.services.evaluation import periods as service

    periods = service.list_periods(db.session)
    if not periods:
        click.echo("Chưa có kỳ đánh giá nào.")
        return
    click.echo(f"{'Kỳ':<9}{'Trạng thái':<12}{'Ngày làm việc':>14}{'Phiếu':>8}{'Đã xếp loại':>13}  Ghi chú")
    for p in periods:
        counts = service.sheet_counts(db.session, p)
        note = P_TRIAL_LABEL if p.trial else ""
        click.echo(f"{p.key:<9}{PERIOD_STATE_LABELS.get(p.state, p.state):<12}{p.working_days:>14}"
                   f"{sum(counts.values()):>8}{counts.get(FINALISED, 0):>13}  {note}".rstrip())


@period.command("auto-forward")
@with_appcontext
def auto_forward():
    """Chuyển phiếu quá hạn tự đánh giá đến lãnh đạo đánh giá (chạy hằng ngày)."""
    from app.services.evaluation import periods as service

    n = _run(service.auto_forward_overdue)
    if n:
        click.echo(f"Đã chuyển {n} phiếu quá hạn tự đánh giá đến lãnh đạo đánh giá (không tự đánh giá).")
    else:
        click.echo("Không có phiếu nào quá hạn tự đánh giá.")
