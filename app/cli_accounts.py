"""``flask --app run accounts …``: the account lifecycle for cron and scripts."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("accounts")
def accounts():
    """Tài khoản: khóa tài khoản quá hạn đổi mật khẩu, cấp lại mật khẩu."""


@accounts.command("lock-expired")
@with_appcontext
def lock_expired():
    """Khóa mọi tài khoản quá hạn đổi mật khẩu được cấp (chạy hằng ngày)."""
    from app.extensions import db
    from app.services import accounts as service
    from app.services import sessions
    from app.services.uow import unit_of_work

    with unit_of_work(db.session):
        n = service.lock_expired(db.session)
        purged = service.purge_attempts(db.session)
        ended = sessions.purge(db.session)
    click.echo(f"Đã khóa {n} tài khoản quá hạn đổi mật khẩu.")
    if purged:
        click.echo(f"Đã xóa {purged} lượt đăng nhập sai cũ.")
    if ended:
        click.echo(f"Đã xóa {ended} phiên đăng nhập đã kết thúc.")


@accounts.command("reset")
@click.argument("username")
@with_appcontext
def reset(username):
    """Cấp lại mật khẩu một lần cho USERNAME (và mở khóa)."""
    from app.domain.scope import SYSTEM
    from app.extensions import db
    from app.services import accounts as service
    from app.services.uow import unit_of_work

    with unit_of_work(db.session):
        person = service.find_by_username(db.session, username)
        if person is None:
            raise click.ClickException(f"Không có tài khoản “{username}”.")
        password = service.reset_password(db.session, person, actor=SYSTEM)
    click.echo(f"Mật khẩu mới của {person.username}: {password}")
