"""The one way the app puts a value in a cell of an .xlsx it writes.

Excel runs a cell that starts with "=" as a formula, and a person who opens a sheet and edits a cell that
starts with "+", "-" or "@" gets one too; a name, an audit label or a password an attacker chose must never
become ``=HYPERLINK(...)`` or ``=cmd|...``. So every value goes through ``cell_value``:

- text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, also after leading spaces,
  is written as a text cell (``t="inlineStr"``, never ``<f>``) with Excel's quote prefix, as if typed after
  an apostrophe;
- characters XML cannot hold are dropped and text is cut at Excel's 32,767 characters;
- an aware datetime becomes naive Hà Nội wall time (Excel has no time zones); None stays blank.

``set_value(cell, value)`` fills a cell of a normal worksheet; ``row_cells(ws, values)`` makes a row for a
write-only worksheet (the fast path for big exports: plain values pass untouched, only the cells that need
it become ``WriteOnlyCell``); ``table_bytes`` writes a one-sheet table. No module outside ``app/excel``
imports openpyxl (a test walks the code for it), and inside it only this module sets a cell's value.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from dataclasses import dataclass, field

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange

from app.domain.dates import naive_local

__all__ = [
    "FORMULA_STARTS",
    "MAX_TEXT",
    "is_formula_like",
    "cell_value",
    "set_value",
    "write",
    "row_cells",
    "new_workbook",
    "save",
    "table_bytes",
    "Section",
    "Emphasis",
    "OfficialLayout",
    "official_bytes",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_TEXT = 32_767  # Excel's limit on a cell's text
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
_LEADING_SPACE = " \t\r\n\u00a0\u3000"
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")


def is_formula_like(text: str) -> bool:
    """True for text a spreadsheet could take as a formula: "=…", "+…", "-…", "@…", also after spaces."""
    if not text:
        return False
    if text[0] in FORMULA_STARTS:
        return True
    if text[0] in _LEADING_SPACE:
        rest = text.lstrip(_LEADING_SPACE)
        return bool(rest) and rest[0] in FORMULA_STARTS
    return False


def _clean_text(text: str) -> str:
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT]
    return text


def cell_value(value: Any) -> tuple[Any, bool]:
    """``(value to store, forced_text)``: forced_text when it must be written as a text cell."""
    if value is None or isinstance(value, (bool, int, float)):
        return value, False
    if isinstance(value, str):
        text = _clean_text(value)
        return text, is_formula_like(text)
    if isinstance(value, dt.datetime):
        return (naive_local(value) if value.tzinfo is not None else value), False
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        if isinstance(value, dt.time) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        return value, False
    if isinstance(value, Decimal):
        return value, False
    text = _clean_text(str(value))
    return text, is_formula_like(text)


def _force_text(cell) -> None:
    cell.data_type = "s"
    cell.quotePrefix = True


def _date_format(value: Any) -> str | None:
    """dd/mm/yyyy (HH:MM) for dates, the way the district reads them."""
    if isinstance(value, dt.datetime):
        return DATETIME_FORMAT
    if isinstance(value, dt.date):
        return DATE_FORMAT
    return None


def set_value(cell, value: Any):
    """Put ``value`` in ``cell`` (of a normal or write-only sheet) the safe way; returns the cell."""
    value, forced = cell_value(value)
    cell.value = value
    if forced or (isinstance(value, str) and cell.data_type == "f"):
        _force_text(cell)
    fmt = _date_format(value)
    if fmt and cell.number_format in ("General", "yyyy-mm-dd h:mm:ss", "yyyy-mm-dd"):
        cell.number_format = fmt
    return cell


def write(ws, row: int, column: int, value: Any, **style: Any):
    """``ws.cell(row, column)`` filled with ``value`` through ``set_value``, then the given style attributes
    (font=, fill=, border=, alignment=, number_format=)."""
    cell = set_value(ws.cell(row=row, column=column), value)
    for name, attr in style.items():
        setattr(cell, name, attr)
    return cell


def row_cells(ws, values: Iterable[Any], style: dict[int, dict[str, Any]] | None = None) -> list[Any]:
    """A row for ``ws.append`` on a write-only sheet: safe plain values, WriteOnlyCells where needed.

    ``style``: 0-based column -> style attributes for that cell (a WriteOnlyCell is made for it).
    """
    out: list[Any] = []
    for i, raw in enumerate(values):
        value, forced = cell_value(raw)
        attrs = style.get(i) if style else None
        fmt = _date_format(value)
        if forced or attrs or fmt:
            cell = WriteOnlyCell(ws, value=value)
            if forced or (isinstance(value, str) and cell.data_type == "f"):
                _force_text(cell)
            if fmt:
                cell.number_format = fmt
            if attrs:
                for name, attr in attrs.items():
                    setattr(cell, name, attr)
            out.append(cell)
        else:
            out.append(value)
    return out


def new_workbook(write_only: bool = False) -> Workbook:
    """An empty workbook; in write-only mode it has no sheet yet (``create_sheet``)."""
    return Workbook(write_only=write_only)


def save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_bytes(
    sheet_title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float] | None = None,
) -> bytes:
    """One sheet: a bold header row, then ``rows``, written in write-only mode (constant memory)."""
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet(_clean_text(sheet_title)[:31] or "Sheet1")
    for i, width in enumerate(widths or (), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    header_style = {i: {"font": _BOLD, "fill": _HEADER_FILL} for i in range(len(headers))}
    ws.append(row_cells(ws, headers, header_style))
    for values in rows:
        ws.append(row_cells(ws, values))
    return save(wb)


# -- the official layout ---------------------------------------------------------------------------------
# A report a unit signs and sends up: the agency and the national motto, a title merged across the table,
# the unit and the period, the table (boxed header and totals), the date line and the signature block ("Người lập biểu", "Thủ trưởng
# đơn vị"). Written in write-only mode like ``table_bytes`` (constant memory, 20,000 rows in a few seconds);
# the merged ranges are declared on the sheet as rows are written.

_THIN = Side(style="thin", color="FF000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TITLE_FONT = Font(bold=True, size=14)
_ITALIC = Font(italic=True)
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc")
SIGNERS = ("Người lập biểu", "Thủ trưởng đơn vị")


@dataclass(frozen=True)
class Section:
    """A bold row merged across the table ("Lãnh đạo", "Công chức, viên chức")."""

    text: str


@dataclass(frozen=True)
class Emphasis:
    """A bold row of the table (a total)."""

    values: Sequence[Any]


@dataclass(frozen=True)
class OfficialLayout:
    org: str  # the agency issuing the report (top left)
    title: str
    lines: Sequence[str]  # "Đơn vị: …", "Kỳ đánh giá: …"
    headers: Sequence[str]
    widths: Sequence[float] = ()
    date_line: str = ""  # "Hà Nội, ngày 02/12/2026"
    signers: Sequence[str] = field(default=SIGNERS)
    sheet_title: str = "Báo cáo"


def official_bytes(layout: OfficialLayout, rows: Iterable[Any]) -> bytes:
    """The report as .xlsx bytes; ``rows`` are value sequences, ``Section`` or ``Emphasis``."""
    n = max(len(layout.headers), 4)
    last = get_column_letter(n)
    half = max(n // 2, 1)
    wb = new_workbook(write_only=True)
    ws = wb.create_sheet(_clean_text(layout.sheet_title)[:31] or "Sheet1")
    merged = MultiCellRange()
    ws.merged_cells = merged  # the write-only sheet writes these ranges after its rows
    for i, width in enumerate(layout.widths or (), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    row = 0

    def put(values, style=None, merge=None):
        nonlocal row
        row += 1
        ws.append(row_cells(ws, values, style))
        for a, b in merge or ():
            merged.add(f"{get_column_letter(a)}{row}:{get_column_letter(b)}{row}")

    bold_center = {"font": _BOLD, "alignment": _CENTER}
    left = [layout.org] + [None] * (half - 1) + [MOTTO[0]] + [None] * (n - half - 1)
    put(left, {0: {"font": _BOLD}, half: bold_center}, [(1, half), (half + 1, n)])
    put([None] * half + [MOTTO[1]] + [None] * (n - half - 1), {half: bold_center}, [(half + 1, n)])
    put([None])
    put([layout.title] + [None] * (n - 1), {0: {"font": _TITLE_FONT, "alignment": _CENTER}}, [(1, n)])
    for line in layout.lines:
        put([line] + [None] * (n - 1), {0: {"alignment": _CENTER}}, [(1, n)])
    put([None])
    put(list(layout.headers), {i: {"font": _BOLD, "fill": _HEADER_FILL, "border": _BOX, "alignment": _CENTER}
                               for i in range(len(layout.headers))})
    # Data rows carry no per-cell style: a styled cell is a WriteOnlyCell, and boxing 20,000 rows × 8 cells
    # triples the time of the export (bench/bench_synthesis_export.py); the header and totals are boxed.
    strong = {i: {"border": _BOX, "font": _BOLD} for i in range(len(layout.headers))}
    for item in rows:
        if isinstance(item, Section):
            put([item.text] + [None] * (len(layout.headers) - 1), {0: {"font": _BOLD}}, [(1, len(layout.headers))])
        elif isinstance(item, Emphasis):
            put(list(item.values), strong)
        else:
            ws.append(row_cells(ws, item))
            row += 1
    put([None])
    if layout.date_line:
        put([None] * half + [layout.date_line] + [None] * (n - half - 1), {half: {"font": _ITALIC, "alignment": _CENTER}},
            [(half + 1, n)])
    signers = list(layout.signers)[:2] + [""] * (2 - len(list(layout.signers)[:2]))
    put([signers[0]] + [None] * (half - 1) + [signers[1]] + [None] * (n - half - 1),
        {0: bold_center, half: bold_center}, [(1, half), (half + 1, n)])
    note = "(Ký, ghi rõ họ tên)"
    put([note] + [None] * (half - 1) + [note] + [None] * (n - half - 1),
        {0: {"font": _ITALIC, "alignment": _CENTER}, half: {"font": _ITALIC, "alignment": _CENTER}},
        [(1, half), (half + 1, n)])
    return save(wb)
