"""Thin commands over services: ``flask --app run setup|demo|…``."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    from app.cli_accounts import accounts
    from app.cli_mau01 import mau01

    for command in (setup, demo, create_admin, mau01, accounts):
        app.cli.add_command(command)
    register_evaluation(app)
    register_backup(app)


def register_backup(app: Flask) -> None:
    from app.cli_backup import backup, restore

    app.cli.add_command(backup)
    app.cli.add_command(restore)


def register_evaluation(app: Flask) -> None:
    from app.cli_period import period

    app.cli.add_command(period)
    register_synthesis(app)


def register_synthesis(app: Flask) -> None:
    from app.cli_remind import remind
    from app.cli_report import report

    app.cli.add_command(report)
    app.cli.add_command(remind)


def run_setup() -> dict[str, int]:
    """Upgrade the schema, create permissions and roles, make sure the district root exists."""
    from flask_migrate import upgrade

    from app.extensions import db
    from app.security.sync import sync_roles
    from app.services.evaluation.rules import ensure_rule_sets
    from app.services.org import ensure_district
    from app.services.uow import unit_of_work
    from app.settings import settings

    upgrade()
    counts = sync_roles(current_app.appbuilder)
    with unit_of_work(db.session):
        ensure_district(db.session, settings().org_name)
    with unit_of_work(db.session):
        ensure_rule_sets(db.session)  # the shipped rule sets, only those whose code is missing
    return counts


@click.command("setup")
@with_appcontext
def setup():
    """Nâng cấp CSDL, tạo quyền và vai trò (chạy lại nhiều lần không sao)."""
    counts = run_setup()
    for name, n in counts.items():
        click.echo(f"  vai trò {name}: {n} quyền")
    click.echo("Đã sẵn sàng.")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Chỉ tạo khi CSDL chưa có người dùng nào.")
@click.option("--legacy-district", is_flag=True, help="Tạo quận Ba Đình trước 1/7/2025 (các khối, phòng của quận) thay cho phường.")
@with_appcontext
def demo(if_empty, legacy_district):
    """Tạo dữ liệu mẫu: phường Ba Đình (sau 1/7/2025) hoặc quận Ba Đình cũ (--legacy-district)."""
    from app.extensions import db
    from app.models import Staff
    from app.settings import settings
    from seed.demo import DEMO_PASSWORD, print_logins, seed_catalogues, seed_demo

    if settings().production:
        # Demo accounts share one published password: never on a real instance.
        raise click.ClickException(
            "Không tạo dữ liệu mẫu khi APP_ENV=production: mọi tài khoản mẫu dùng chung một mật khẩu công khai. "
            "Hãy dùng `flask --app run create-admin` để tạo quản trị, rồi nhập Mẫu 01."
        )

    if if_empty and db.session.query(Staff.id).first() is not None:
        click.echo("CSDL đã có dữ liệu, bỏ qua tạo dữ liệu mẫu.")
        print_logins(db.session, click.echo)
        return
    from app.services.uow import unit_of_work

    with unit_of_work(db.session):
        summary = seed_demo(db.session, layout="district" if legacy_district else "ward")
        seed_catalogues(db.session)
    click.echo(f"Đã tạo {summary['blocks']} khối, {summary['units']} đơn vị, {summary['departments']} phòng ban, {summary['staff']} cán bộ.")
    print_logins(db.session, click.echo)
    click.echo(f"Mật khẩu của mọi tài khoản mẫu: {DEMO_PASSWORD}")


@click.command("create-admin")
@click.option("--username", required=True)
@click.option("--full-name", default=None, help="Họ tên (mặc định: “Quản trị cấp …” theo loại đơn vị gốc).")
@click.password_option()
@with_appcontext
def create_admin(username, full_name, password):
    """Tạo tài khoản quản trị đơn vị gốc (phường, xã, thành phố, sở…)."""
    from app.domain.errors import DomainError
    from app.domain.scope import SYSTEM
    from app.domain.text import normalize_text
    from app.extensions import db
    from app.services import accounts
    from app.services.staff import create_district_admin
    from app.services.uow import unit_of_work

    from app.settings import settings

    full_name = full_name or settings().root.admin_title
    problems = accounts.password_problems(password, normalize_text(username).lower(), full_name, accounts.places_of())
    if problems:
        raise click.ClickException("Mật khẩu chưa đạt yêu cầu: " + " ".join(problems))
    try:
        with unit_of_work(db.session):
            user = create_district_admin(db.session, username, full_name, password, actor=SYSTEM)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Đã tạo quản trị: {user.username}")
