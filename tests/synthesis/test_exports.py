"""The official exports: layout (title, unit, period, table, signature block, date line), values through the
safe writer, LibreOffice reopens them (headless conversion), and the `flask report period` command."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import subprocess
from collections import Counter

import pytest
from python_calamine import CalamineWorkbook

from app.services.synthesis import export
from tests.evaluation_fixtures import NOVEMBER, actor_of, make_unit, open_period
from tests.synthesis_fixtures import apply_plan, grade_for, random_plan


def _cells(data: bytes) -> list[list]:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return wb.get_sheet_by_index(0).to_python()


def soffice_csv(path, tmp_path) -> str:
    """Convert with LibreOffice headless; fails (never skips) when soffice is missing: CI installs it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice (soffice) is required: .ci/run installs libreoffice-calc"
    out = tmp_path / "csv"
    out.mkdir(exist_ok=True)
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
         "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    produced = out / (path.stem + ".csv")
    assert result.returncode == 0 and produced.exists(), (result.returncode, result.stdout, result.stderr)
    assert "Error" not in result.stderr, result.stderr
    return produced.read_text(encoding="utf-8")


@pytest.fixture
def world(ctx):
    a = make_unit(ctx, size=10)
    open_period(ctx, NOVEMBER)
    plan = random_plan(a.people, 7)
    from app.models import Staff
    evil = ctx.get(Staff, a.staff[1])
    evil.full_name = "=HYPERLINK(\"http://x\",\"bấm\")"
    ctx.commit()
    apply_plan(ctx, NOVEMBER, plan)
    return a, plan


def test_unit_summary_layout_and_counts(ctx, world):
    a, plan = world
    name, data = export.summary_xlsx(ctx, actor_of(ctx, a.synthesis), NOVEMBER, org_name="Quận Ba Đình",
                                     today=dt.date(2026, 12, 2))
    rows = _cells(data)
    text = [" ".join(str(c) for c in r if c not in ("", None)) for r in rows]
    assert any(export.TITLE in t for t in text)
    assert any(f"Đơn vị: {a.name}" in t for t in text)
    assert any("Kỳ đánh giá: tháng 11/2026 (2026-11)" in t for t in text)
    assert any("Người lập biểu" in t and "Thủ trưởng đơn vị" in t for t in text)
    assert any("Hà Nội, ngày 02/12/2026" in t for t in text)
    graded = Counter(grade_for(p["final_total"]) for p in plan.values() if p["state"] == "finalised")
    for g, label in (("A", "Hoàn thành xuất sắc nhiệm vụ"), ("D", "Không hoàn thành nhiệm vụ")):
        row = next(r for r in rows if r[0] == g and r[1] == label)
        assert row[4] == graded.get(g, 0)
    # the formula-like name stays text, never a formula
    import zipfile
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" in sheet


def test_libreoffice_reopens_the_export(ctx, admin, world, tmp_path):
    a, plan = world
    _, data = export.summary_xlsx(ctx, admin, NOVEMBER, org_name="Quận Ba Đình")
    path = tmp_path / "tong-hop.xlsx"
    path.write_bytes(data)
    _, people = export.people_xlsx(ctx, admin, NOVEMBER, unit_id=a.unit_id, org_name="Quận Ba Đình")
    path2 = tmp_path / "danh-sach.xlsx"
    path2.write_bytes(people)
    body = soffice_csv(path, tmp_path)
    assert export.TITLE in body and a.name in body and "Thủ trưởng đơn vị" in body
    body2 = soffice_csv(path2, tmp_path)
    lines = list(csv.reader(io.StringIO(body2)))
    assert export.PEOPLE_TITLE in body2
    assert sum(1 for line in lines if line and line[3:4] == [a.name]) == len(a.people)


def test_report_command(app, tmp_path, ctx):
    a = make_unit(ctx, size=5)
    open_period(ctx, NOVEMBER)
    runner = app.test_cli_runner()
    out = tmp_path / "b.xlsx"
    result = runner.invoke(args=["report", "period", NOVEMBER, "--out", str(out), "--unit", a.name.upper()])
    assert result.exit_code == 0, result.output
    assert any(a.name in " ".join(map(str, r)) for r in _cells(out.read_bytes()))
    org = tmp_path / "org.xlsx"
    result = runner.invoke(args=["report", "period", NOVEMBER, "--out", str(org), "--block", "khoi xa, phuong"])
    assert result.exit_code == 0, result.output
    assert any(r[1] == a.name for r in _cells(org.read_bytes()) if len(r) > 1)


@pytest.mark.parametrize("args,message", [
    (["--unit", "Không Có Đơn Vị Này"], "Không có đơn vị"),
    (["--block", "Không Có"], "Không có khối"),
    (["--unit", "x", "--block", "y"], "Chỉ chọn một"),
])
def test_report_command_refusals(app, tmp_path, ctx, args, message):
    open_period(ctx, NOVEMBER)
    out = tmp_path / "x.xlsx"
    result = app.test_cli_runner().invoke(args=["report", "period", NOVEMBER, "--out", str(out), *args])
    assert result.exit_code == 1 and message in result.output and not out.exists()


def test_report_command_refuses_an_ambiguous_unit(app, tmp_path, ctx):
    from app.domain.text import fold
    from app.models import OrgUnit

    make_unit(ctx, name="UBND phường Trùng Tên", size=4)
    twin = make_unit(ctx, name="UBND phường Trùng Tên Hai", size=4, block="Khối Giáo dục")
    unit = ctx.get(OrgUnit, twin.unit_id)
    unit.name, unit.name_key = "UBND phường Trùng Tên", fold("UBND phường Trùng Tên")
    ctx.commit()
    open_period(ctx, NOVEMBER)
    result = app.test_cli_runner().invoke(args=["report", "period", NOVEMBER, "--out", str(tmp_path / "y.xlsx"),
                                                "--unit", "UBND phường Trùng Tên"])
    assert result.exit_code == 1 and "cùng tên" in result.output


def test_report_command_unknown_period(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["report", "period", "2031-01", "--out", str(tmp_path / "z.xlsx")])
    assert result.exit_code == 1 and "Lỗi" in result.output
