"""``flask --app run report period KEY --out FILE.xlsx [--unit NAME] [--block NAME] [--people]``.

Runs as the system actor (district reach). Names are matched like everywhere else (case, accents and
spaces ignored); a name shared by several units or blocks is refused. Refusals print "Lỗi: …" and exit 1.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.cli_period import CLI_ACTOR, Refused


@click.group("report")
def report():
    """Báo cáo tổng hợp kết quả đánh giá, xếp loại."""


@report.command("period")
@click.argument("key")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Tệp .xlsx sẽ ghi.")
@click.option("--unit", "unit_name", default=None, help="Tên đơn vị (mặc định: toàn tổ chức).")
@click.option("--block", "block_name", default=None, help="Tên khối.")
@click.option("--people", is_flag=True, help="Danh sách từng người thay cho bảng tổng hợp theo đơn vị.")
@with_appcontext
def period_report(key, out, unit_name, block_name, people):
    """Ghi bảng tổng hợp kỳ KEY (2026-11) ra tệp Excel theo mẫu có chữ ký."""
    from app.domain.errors import DomainError
    from app.extensions import db
    from app.services.synthesis import export
    from app.services.synthesis.reach import resolve_name
    from app.settings import settings

    path = Path(out)
    if unit_name and block_name:
        raise Refused("Chỉ chọn một trong --unit hoặc --block.")
    if path.suffix.lower() != ".xlsx":
        raise Refused("Tệp ra phải có đuôi .xlsx.")
    if not path.parent.is_dir() if str(path.parent) else False:
        raise Refused(f"Không có thư mục “{path.parent}”.")
    try:
        session = db.session
        unit_id = resolve_name(session, "unit", unit_name) if unit_name else None
        block_id = resolve_name(session, "block", block_name) if block_name else None
        fn = export.people_xlsx if people else export.summary_xlsx
        _, data = fn(session, CLI_ACTOR, key, unit_id, block_id, settings().org_name)
    except DomainError as exc:
        raise Refused(exc.message) from exc
    finally:
        db.session.rollback()
    path.write_bytes(data)
    click.echo(f"Đã ghi {path} ({len(data):,} byte).".replace(",", "."))
