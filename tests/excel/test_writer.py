"""The one safe cell writer: no text the app writes can become a formula, in any sheet, in any mode."""
from __future__ import annotations

import ast
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.excel import writer

APP = Path(__file__).resolve().parents[2] / "app"
FORMULAS = ['=HYPERLINK("http://evil.example","Bấm vào đây")', "=1+1", "+84912345678", "-2+3", "@SUM(A1:A9)",
            "\t=1", "\r=1", "  =cmd|' /C calc'!A0", "\u00a0-1"]


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_written_as_text_in_a_normal_sheet(text):
    wb = writer.new_workbook()
    cell = writer.write(wb.active, 1, 1, text)
    assert cell.data_type == "s" and cell.quotePrefix
    data = writer.save(wb)
    assert "<f>" not in sheet_xml(data)
    back = openpyxl.load_workbook(io.BytesIO(data)).active["A1"]
    assert back.value == text.replace("\r", "\n") and back.data_type == "s" and back.quotePrefix  # XML reads CR as LF


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_written_as_text_in_a_write_only_sheet(text):
    data = writer.table_bytes("Báo cáo", ["Cột"], [[text]])
    assert "<f>" not in sheet_xml(data)
    back = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]
    assert back.value == text.replace("\r", "\n") and back.data_type == "s" and back.quotePrefix  # XML reads CR as LF


def test_plain_values_pass_untouched():
    rows = [["Nguyễn Văn An", 12, 1.5, True, None, "a-b", "e@x.vn", dt.date(2026, 5, 1)]]
    back = openpyxl.load_workbook(io.BytesIO(writer.table_bytes("S", list("ABCDEFGH"), rows))).active
    assert [c.value for c in back[2]] == ["Nguyễn Văn An", 12, 1.5, True, None, "a-b", "e@x.vn",
                                          dt.datetime(2026, 5, 1)]
    assert not back["A2"].quotePrefix and not back["G2"].quotePrefix
    assert back["H2"].number_format == writer.DATE_FORMAT
    assert back["A1"].font.b  # the header row


def test_times_are_naive_hanoi_time_and_bad_characters_go():
    utc = dt.datetime(2026, 1, 31, 18, 30, tzinfo=dt.timezone.utc)
    wb = writer.new_workbook()
    ws = wb.active
    writer.write(ws, 1, 1, utc)
    writer.write(ws, 1, 2, "Trần\x07 Văn\x00 Bình")
    writer.write(ws, 1, 3, "x" * 40_000)
    back = openpyxl.load_workbook(io.BytesIO(writer.save(wb))).active
    assert back["A1"].value == dt.datetime(2026, 2, 1, 1, 30) and back["A1"].number_format == writer.DATETIME_FORMAT
    assert back["B1"].value == "Trần Văn Bình"
    assert len(back["C1"].value) == writer.MAX_TEXT
    data = writer.table_bytes("S", ["Lúc"], [[utc]])
    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value == dt.datetime(2026, 2, 1, 1, 30)


def _imports_openpyxl(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "openpyxl" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "openpyxl":
            return True
    return False


def test_only_app_excel_imports_openpyxl():
    """Every xlsx the app writes goes through app/excel/writer.py: nobody else may reach for openpyxl."""
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        rel = path.relative_to(APP)
        if rel.parts[0] == "excel":
            continue
        if _imports_openpyxl(ast.parse(path.read_text(), str(path))):
            offenders.append(str(rel))
    assert offenders == [], f"openpyxl imported outside app/excel: {offenders}"


def test_inside_app_excel_only_the_writer_sets_cell_values():
    """No `cell.value = …`, `ws.cell(..., value=…)`, `ws["A1"] = …` or `ws.append(…)` outside writer.py."""
    offenders = []
    for path in sorted((APP / "excel").glob("*.py")):
        if path.name == "writer.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr == "value":
                        offenders.append(where)
                    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                            and isinstance(target.slice.value, str) and target.slice.value[:1].isupper():
                        offenders.append(where)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "cell" and any(k.arg == "value" for k in node.keywords):
                    offenders.append(where)
                if node.func.attr == "append" and node.args and not (
                    isinstance(node.args[0], ast.Call) and getattr(node.args[0].func, "id", "") == "row_cells"
                ) and isinstance(node.func.value, ast.Name) and node.func.value.id == "ws":
                    offenders.append(where)
    assert offenders == [], f"cell values set outside app/excel/writer.py: {offenders}"
