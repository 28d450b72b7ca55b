"""``flask --app run mau01 template|import``: the blank Mẫu 01 and the import of a filled one, from a shell.

    flask --app run mau01 template mau01.xlsx --unit "UBND phường Cống Vị" --unit-type "Đơn vị hành chính"
    flask --app run mau01 import danh_sach.xlsx --dry-run --json
    flask --app run mau01 import danh_sach_cu.xls --dry-run      # Excel 97-2003 files are read too
    flask --app run mau01 import danh_sach.xlsx --credentials tai_khoan.xlsx --block "Khối xã, phường"

The import runs as ``domain.scope.SYSTEM``, the explicit system actor with the district's reach (every unit
in scope, unknown units created); the audit log names it "Hệ thống (dòng lệnh)".
With ``--json`` stdout holds exactly one JSON object (``ImportResult.as_json()``, or the same keys with one
error when the file cannot be read); everything else goes to stderr. Exit status 0 when the import was
committed, or a dry run found no error; 1 otherwise.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

import click
from flask.cli import with_appcontext

from app.domain.root import current as root


@click.group("mau01")
def mau01():
    """Mẫu 01: tải mẫu, nhập danh sách."""


@mau01.command("template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--unit", "unit_name", default=None, help="Tên đơn vị điền sẵn vào cột “Đơn vị”.")
@click.option("--unit-type", default=None, help="Loại hình của cơ quan, đơn vị (dòng 2 của mẫu).")
@click.option("--rows", default=200, show_default=True, type=click.IntRange(min=0, max=100_000),
              help="Số dòng đánh số sẵn.")
@with_appcontext
def template(out: Path, unit_name: Optional[str], unit_type: Optional[str], rows: int):
    """Ghi Mẫu 01 trống ra tệp OUT (.xlsx)."""
    from app.excel.mau01 import template_bytes

    out.write_bytes(template_bytes(unit_name=unit_name, unit_type=unit_type, rows=rows))
    click.echo(f"Đã ghi Mẫu 01 ({rows} dòng) vào {out}.")


@mau01.command("export")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--unit", "unit_name", required=True, help="Tên đơn vị cần xuất danh sách cán bộ hiện có.")
@with_appcontext
def export(out: Path, unit_name: str):
    """Xuất danh sách cán bộ hiện có của một đơn vị theo Mẫu 01 ra tệp OUT (.xlsx); sửa rồi nhập lại được."""
    from app.domain.errors import DomainError
    from app.domain.scope import SYSTEM
    from app.extensions import db
    from app.services import staff_list

    try:
        unit = staff_list.find_unit(db.session, SYSTEM, unit_name)
        data = staff_list.export_unit(db.session, SYSTEM, unit)
    except DomainError as exc:
        click.echo(f"Lỗi: {exc.message}", err=True)
        raise SystemExit(1) from None
    out.write_bytes(data)
    db.session.rollback()
    click.echo(f"Đã ghi danh sách {len(staff_list.people_rows(db.session, unit))} người của “{unit.name}” theo Mẫu 01 vào {out}.")


def _failure(message: str) -> dict[str, Any]:
    """The JSON of an import that could not even start (unreadable file, unknown block…)."""
    return {"committed": False, "rows": 0, "created": 0, "updated": 0, "unchanged": 0, "units_created": [],
            "errors": [{"row": 0, "column": "", "message": message}], "warnings": [], "accounts": []}


def _fail(message: str, as_json: bool) -> None:
    """Report a failure before any import (the one error in JSON on stdout, or the message on stderr); exit 1."""
    if as_json:
        click.echo(json.dumps(_failure(message), ensure_ascii=False))
    click.echo(f"Lỗi: {message}", err=True)
    raise SystemExit(1)


def _block_id(session, name: str) -> int:
    """The id of the block named ``name`` (accents, case and spaces ignored); a DomainError when none or several."""
    from sqlalchemy import select

    from app.domain.errors import ValidationError
    from app.domain.text import fold
    from app.models import OrgUnit

    ids = list(session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "block", OrgUnit.name_key == fold(name))))
    if len(ids) == 1:
        return ids[0]
    if ids:
        raise ValidationError("ambiguous_block", f"Có {len(ids)} khối cùng tên “{name}”; hãy liên hệ {root().admin}.", "block")
    known = sorted(session.scalars(select(OrgUnit.name).where(OrgUnit.kind == "block")))
    listing = "; ".join(f"“{n}”" for n in known) if known else "chưa có khối nào"
    raise ValidationError("unknown_block", f"Không có khối “{name}”. Các khối hiện có: {listing}.", "block")


def _check_writable(path: Path) -> Optional[str]:
    """Why ``path`` cannot receive the credential file, or None (checked before the import commits)."""
    if path.is_dir():
        return f"“{path}” là một thư mục, không ghi được danh sách tài khoản vào đó."
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"Không có thư mục “{parent}” để ghi danh sách tài khoản."
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"Không có quyền ghi tệp “{path}”."
    return None


def _write_private(path: Path, data: bytes) -> None:
    """Write the credential file readable by its owner only (it holds passwords in clear)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _issue_line(issue: dict[str, Any]) -> str:
    where = f"Dòng {issue['row']}"
    if issue.get("column"):
        where += f", cột {issue['column']}"
    return f"{where}: {issue['message']}"


def _summary(out: dict[str, Any], dry_run: bool) -> list[str]:
    """The readable Vietnamese summary of an import."""
    lines = []
    if out["committed"]:
        lines.append("Đã nhập danh sách vào hệ thống.")
    elif out["errors"]:
        lines.append(f"Bảng có {len(out['errors'])} lỗi: chưa ghi gì vào hệ thống.")
    elif dry_run:
        lines.append("Chạy thử (--dry-run): bảng không có lỗi, chưa ghi gì vào hệ thống.")
    lines.append(f"  Số dòng đọc được: {out['rows']}")
    verb = "" if out["committed"] else " (dự kiến)"
    lines.append(f"  Tạo mới{verb}: {out['created']}")
    lines.append(f"  Cập nhật{verb}: {out['updated']}")
    lines.append(f"  Không đổi: {out['unchanged']}")
    if out["units_created"]:
        lines.append(f"  Đơn vị mới{verb}: " + "; ".join(out["units_created"]))
    if out["errors"]:
        lines.append("Lỗi cần sửa:")
        lines.extend(f"  {_issue_line(e)}" for e in out["errors"])
    warnings = out["warnings"]
    if warnings:
        by_column: dict[str, int] = {}
        for w in warnings:
            by_column[w["column"] or "chung"] = by_column.get(w["column"] or "chung", 0) + 1
        detail = ", ".join(f"{col}: {n}" for col, n in sorted(by_column.items(), key=lambda kv: -kv[1]))
        lines.append(f"Cảnh báo: {len(warnings)} ({detail})")
        shown = 10
        lines.extend(f"  {_issue_line(w)}" for w in warnings[:shown])
        if len(warnings) > shown:
            lines.append(f"  … và {len(warnings) - shown} cảnh báo khác (xem đủ với --json).")
    return lines


@mau01.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và cho biết sẽ làm gì, không ghi gì.")
@click.option("--json", "as_json", is_flag=True, help="In đúng một đối tượng JSON ra stdout.")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Ghi danh sách tài khoản mới và mật khẩu dùng một lần ra tệp .xlsx này.")
@click.option("--block", "block_name", default=None, help="Khối nhận các đơn vị mới (mặc định: khối “Đơn vị mới (chưa xếp khối)”).")
@with_appcontext
def import_(file: Path, dry_run: bool, as_json: bool, credentials: Optional[Path], block_name: Optional[str]):
    """Nhập danh sách cán bộ theo Mẫu 01 từ tệp FILE (.xlsx hoặc .xls), với quyền quản trị cấp cao nhất (đơn vị gốc)."""
    from app.domain.errors import DomainError
    from app.domain.scope import SYSTEM
    from app.extensions import db
    from app.services.mau01 import run_import
    from app.services.uow import unit_of_work

    session = db.session
    if not file.is_file():
        _fail(f"Không tìm thấy tệp “{file}”.", as_json)
    if credentials is not None and not dry_run:
        problem = _check_writable(credentials)
        if problem:
            _fail(problem, as_json)
    block_id = None
    if block_name is not None:
        try:
            block_id = _block_id(session, block_name)
        except DomainError as exc:
            _fail(str(exc), as_json)

    try:
        with unit_of_work(session):
            result = run_import(session, str(file), actor=SYSTEM, dry_run=dry_run, new_unit_block_id=block_id,
                                source_name=file.name)
    except DomainError as exc:
        _fail(str(exc), as_json)
    out = result.as_json()

    if credentials is not None:
        if result.committed:
            from app.excel.mau01 import credentials_bytes
            from app.settings import settings

            _write_private(credentials, credentials_bytes(result.credentials, settings().org_name))
            click.echo(f"Đã ghi {len(result.credentials)} tài khoản mới và mật khẩu dùng một lần vào {credentials} "
                       "(giữ kín tệp này).", err=True)
        elif dry_run:
            click.echo("Chạy thử: không tạo tài khoản nên không ghi tệp danh sách tài khoản.", err=True)
        else:
            click.echo("Bảng còn lỗi, chưa tạo tài khoản nào nên không ghi tệp danh sách tài khoản.", err=True)

    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False))
    else:
        for line in _summary(out, dry_run):
            click.echo(line)
    ok = result.committed or (dry_run and not out["errors"])
    raise SystemExit(0 if ok else 1)
