"""`flask mau01 template|import`: exit status, the JSON on stdout, the credential file, nothing written on failure."""
from __future__ import annotations

import io
import json

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "mau01_sample.xlsx"
HEADER = ["STT", "Họ và tên", "Chức vụ", "Tài khoản", "Email", "SĐT liên hệ", "Đơn vị", "Vai trò",
          "Là quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"]
STAFF_TEXT = "Công chức, viên chức, lao động hợp đồng"
LEADER_TEXT = "Lãnh đạo cấp trưởng, phó cơ quan đơn vị"
JSON_KEYS = {"committed", "rows", "created", "updated", "unchanged", "units_created", "errors", "warnings", "accounts"}
ACCOUNT_KEYS = {"row", "username", "full_name", "unit", "role", "unit_admin", "phone", "email", "reviewer", "evaluator"}
CRED_HEADER = ["Họ và tên", "Đơn vị", "Tài khoản", "Mật khẩu"]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args):
    return runner.invoke(args=["mau01", *map(str, args)])


def parsed(result) -> dict:
    """The one JSON object stdout must hold (stderr is kept apart by the runner)."""
    out = json.loads(result.stdout)
    assert set(out) == JSON_KEYS
    return out


def count(app, model) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def write_sheet(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÁN BỘ …"])
    ws.append(["1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính"])
    ws.append([f"2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: {len(rows)} người"])
    ws.append([None])
    ws.append(HEADER)
    for i, r in enumerate(rows, 1):
        ws.append([i] + list(r))
    wb.save(path)
    return path


def credential_rows(path) -> list[dict]:
    """The data rows under the header "Họ và tên · Đơn vị · Tài khoản · Mật khẩu" of the credential file."""
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    for i, r in enumerate(rows):
        if all(h in r for h in CRED_HEADER):
            cols = {h: r.index(h) for h in CRED_HEADER}
            data = [x for x in rows[i + 1:] if any(v not in (None, "") for v in x)]
            return [{h: x[c] for h, c in cols.items()} for x in data]
    raise AssertionError(f"no header row {CRED_HEADER} in {path}")


def test_dry_run_lists_every_account_and_writes_nothing(app, runner, tmp_path):
    from app.models import AuditEvent, Staff

    staff_before, audit_before = count(app, Staff), count(app, AuditEvent)
    cred = tmp_path / "tk.xlsx"
    result = invoke(runner, "import", SAMPLE, "--dry-run", "--json", "--credentials", cred)
    assert result.exit_code == 0, result.output
    out = parsed(result)
    assert out["committed"] is False and out["rows"] == 38 and out["errors"] == []
    assert len(out["accounts"]) == 38
    for a in out["accounts"]:
        assert set(a) == ACCOUNT_KEYS
        assert a["username"].endswith("_badinh") and a["role"] in ("leader", "department_head", "staff", "synthesis")
    assert len({a["username"] for a in out["accounts"]}) == 38
    yen = next(a for a in out["accounts"] if a["username"] == "nguyenthiyen_badinh")
    assert yen["evaluator"] == "vuminhquyen_badinh"
    assert count(app, Staff) == staff_before and count(app, AuditEvent) == audit_before
    assert not cred.exists()
    assert "không ghi tệp" in result.stderr


def test_import_writes_accounts_and_the_credential_file(app, runner, tmp_path):
    from werkzeug.security import check_password_hash

    from app.extensions import db
    from app.models import Staff

    before = count(app, Staff)
    cred = tmp_path / "tk.xlsx"
    result = invoke(runner, "import", SAMPLE, "--json", "--credentials", cred)
    assert result.exit_code == 0, result.output
    out = parsed(result)
    assert out["committed"] is True and out["created"] == 38 and out["errors"] == []
    assert count(app, Staff) == before + 38

    rows = credential_rows(cred)
    assert len(rows) == 38
    assert {r["Tài khoản"] for r in rows} == {a["username"] for a in out["accounts"]}
    with app.app_context():
        hashes = dict(db.session.execute(select(Staff.username, Staff.password).where(
            Staff.username.in_([r["Tài khoản"] for r in rows]))).all())
    for r in rows:
        assert r["Họ và tên"] and r["Đơn vị"]
        assert check_password_hash(hashes[r["Tài khoản"]], r["Mật khẩu"]), r["Tài khoản"]
        assert not check_password_hash(hashes[r["Tài khoản"]], r["Mật khẩu"] + "x")

    again = invoke(runner, "import", SAMPLE, "--json")
    assert again.exit_code == 0, again.output
    out2 = parsed(again)
    assert out2["committed"] is True
    assert (out2["created"], out2["updated"], out2["unchanged"]) == (0, 0, 38)
    assert count(app, Staff) == before + 38


def test_readable_summary_without_json(runner):
    result = invoke(runner, "import", SAMPLE, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Tạo mới (dự kiến): 38" in result.stdout and "Số dòng đọc được: 38" in result.stdout


def test_sheet_with_errors_writes_nothing(app, runner, tmp_path):
    from app.models import AuditEvent, Staff

    rows = [
        ("Nguyễn Văn Nam", "Chủ tịch", None, None, "0912345678", "UBND phường Cống Vị", LEADER_TEXT, None, None, None),
        ("Nguyễn Văn Nam", "Phó Chủ tịch", None, None, "0912345679", "UBND phường Cống Vị", LEADER_TEXT, None, None, None),
        ("Đỗ Thị Đào", "Chuyên viên", None, "not-an-email", "12345", "UBND phường Cống Vị", "Kế toán", None, None, "Nguyễn Văn Nam"),
        ("Lê Thị Hoa", "Chuyên viên", None, None, "0912345670", "Phòng Mới Lập", STAFF_TEXT, None, None, None),
    ]
    sheet = write_sheet(tmp_path / "loi.xlsx", rows)
    cred = tmp_path / "tk.xlsx"
    staff_before, audit_before = count(app, Staff), count(app, AuditEvent)
    result = invoke(runner, "import", sheet, "--json", "--credentials", cred)
    assert result.exit_code == 1, result.output
    out = parsed(result)
    assert out["committed"] is False and out["created"] == 0
    where = {(e["row"], e["column"]) for e in out["errors"]}
    assert {(8, "Lãnh đạo đánh giá"), (8, "Email"), (8, "SĐT liên hệ"), (8, "Vai trò")} <= where
    assert all(set(e) == {"row", "column", "message"} and e["message"] for e in out["errors"])
    assert count(app, Staff) == staff_before and count(app, AuditEvent) == audit_before
    assert not cred.exists()

    text = invoke(runner, "import", sheet)
    assert text.exit_code == 1
    assert "Dòng 8, cột Email: " in text.stdout


def test_dry_run_with_errors_exits_1(runner, tmp_path):
    rows = [("Đỗ Thị Đào", "Chuyên viên", None, None, "0912345670", "UBND phường Cống Vị", "Kế toán", None, None, None)]
    result = invoke(runner, "import", write_sheet(tmp_path / "loi.xlsx", rows), "--dry-run", "--json")
    assert result.exit_code == 1
    assert parsed(result)["errors"][0]["column"] == "Vai trò"


def test_a_damaged_xls_file_gives_the_one_error(runner, tmp_path):
    old = tmp_path / "cu.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200)
    result = invoke(runner, "import", old, "--json")
    assert result.exit_code == 1
    out = parsed(result)
    assert out["committed"] is False and out["rows"] == 0 and out["accounts"] == [] and out["warnings"] == []
    assert len(out["errors"]) == 1
    err = out["errors"][0]
    assert err["row"] == 0 and err["column"] == "" and ".xls" in err["message"]


def test_missing_file_is_an_error(runner, tmp_path):
    result = invoke(runner, "import", tmp_path / "khong_co.xlsx", "--json")
    assert result.exit_code == 1
    assert "Không tìm thấy tệp" in parsed(result)["errors"][0]["message"]


def test_template_parses_back_with_no_rows(app, runner, tmp_path):
    from app.services.mau01 import read_sheet

    out = tmp_path / "mau01.xlsx"
    result = invoke(runner, "template", out, "--unit", "UBND phường Cống Vị", "--unit-type", "Đơn vị hành chính", "--rows", 30)
    assert result.exit_code == 0, result.output
    sheet = read_sheet(io.BytesIO(out.read_bytes()), "badinh")
    assert sheet.rows == [] and sheet.unit_type == "Đơn vị hành chính" and not sheet.errors

    imported = invoke(runner, "import", out, "--json", "--dry-run")
    assert imported.exit_code == 0 and parsed(imported)["rows"] == 0


def test_unknown_block_exits_1_before_reading(app, runner, tmp_path):
    from app.models import Staff

    before = count(app, Staff)
    result = invoke(runner, "import", SAMPLE, "--block", "Khối Không Có", "--json")
    assert result.exit_code == 1
    msg = parsed(result)["errors"][0]["message"]
    assert "Khối Không Có" in msg and "Khối Giáo dục" in msg
    assert "Khối Không Có" in result.stderr
    assert count(app, Staff) == before


def test_new_units_go_to_the_named_block(app, runner, tmp_path):
    from app.domain.text import fold
    from app.extensions import db
    from app.models import OrgUnit

    rows = [("Lê Thị Hoa", "Chuyên viên", None, None, "0912345670", "Phòng Mới Lập", STAFF_TEXT, None, None, None)]
    result = invoke(runner, "import", write_sheet(tmp_path / "moi.xlsx", rows), "--json", "--block", "khoi xa, phuong")
    assert result.exit_code == 0, result.output
    assert parsed(result)["units_created"] == ["Phòng Mới Lập"]
    with app.app_context():
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold("Phòng Mới Lập")))
        block = db.session.get(OrgUnit, unit.block_id)
        assert block.kind == "block" and block.name == "Khối xã, phường"


def test_existing_account_moves_into_a_unit_the_import_creates(app, runner, tmp_path, demo):
    from app.extensions import db
    from app.models import Staff

    me = demo.user("staff", "UBND phường Kim Mã")
    with app.app_context():
        person = db.session.get(Staff, me["id"])
        row = (person.full_name, person.position, person.username, None, person.phone, "Phòng Mới Lập", STAFF_TEXT,
               None, None, None)
    result = invoke(runner, "import", write_sheet(tmp_path / "chuyen.xlsx", [row]), "--json")
    assert result.exit_code == 0, result.output
    out = parsed(result)
    assert (out["created"], out["updated"], out["units_created"]) == (0, 1, ["Phòng Mới Lập"])
    with app.app_context():
        person = db.session.get(Staff, me["id"])
        assert person.unit.name == "Phòng Mới Lập"


def test_an_xls_file_imports(runner):
    from tests.conftest import SAMPLES

    result = invoke(runner, "import", SAMPLES / "mau01_sample.xls", "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    out = parsed(result)
    assert out["errors"] == [] and out["rows"] == 38 and out["created"] == 38
