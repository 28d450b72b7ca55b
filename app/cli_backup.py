"""``flask --app run backup`` and ``flask --app run restore``: the database and the evidence folder.

See app/backup.py for the archive. Refusals print "Lỗi: …" on stderr and exit with status 1.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.services import clock


class Refused(click.ClickException):
    def show(self, file=None) -> None:
        click.echo(f"Lỗi: {self.format_message()}", err=True)


def _database_url() -> str:
    from app.extensions import db

    return db.engine.url.render_as_string(hide_password=False)


@click.command("backup")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tệp sao lưu (.tar). Mặc định: instance/backups/danhgia-NGÀYGIỜ.tar")
@with_appcontext
def backup(out):
    """Sao lưu CSDL (pg_dump -Fc hoặc bản sao SQLite) và thư mục minh chứng vào một tệp .tar."""
    from app import backup as ops

    if out is None:
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        out = Path(current_app.config.get("INSTANCE_DIR") or "instance") / "backups" / f"danhgia-{stamp}.tar"
    try:
        manifest = ops.backup(_database_url(), ops.evidence_dir(current_app), out)
    except ops.BackupError as exc:
        raise Refused(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    click.echo(f"Đã sao lưu {len(manifest['tables'])} bảng ({rows} dòng) và {len(manifest['evidence'])} tệp minh chứng "
               f"vào {out}")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Thay thế toàn bộ CSDL và thư mục minh chứng đang có.")
@with_appcontext
def restore(archive, force):
    """Khôi phục CSDL và thư mục minh chứng từ tệp sao lưu (dừng các máy chủ ứng dụng trước)."""
    from app import backup as ops
    from app.extensions import db

    url = _database_url()
    db.session.remove()
    db.engine.dispose()  # nothing of this process holds the database while it is replaced
    try:
        manifest = ops.restore(archive, url, ops.evidence_dir(current_app), force=force)
    except ops.BackupError as exc:
        raise Refused(str(exc)) from exc
    rows = sum(manifest["tables"].values())
    click.echo(f"Đã khôi phục {len(manifest['tables'])} bảng ({rows} dòng) và {len(manifest['evidence'])} tệp minh chứng "
               f"(bản sao lưu lúc {manifest['created_at']}). Chạy `flask --app run setup` nếu phần mềm đã được nâng cấp.")
