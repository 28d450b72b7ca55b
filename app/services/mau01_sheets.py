"""Excel files around Mẫu 01: the blank template, the list of new accounts, the sheet returned with errors.

Every function returns the bytes of an .xlsx file; nothing here knows about Flask or the database.

- ``template_bytes(unit_name=None, unit_type=None, rows=200)``: the blank Mẫu 01 in the seed form's layout
  (sheet "Mẫu 01", header on row 5, data from row 6), with drop-downs for "Vai trò" and "Là quản trị đơn vị",
  a visible sheet "Hướng dẫn" and a hidden sheet "Danh mục" holding the "Vai trò" choices.
- ``credentials_bytes(accounts, district_name, header_first=False)``: sheet "Tài khoản" with the new
  usernames and one-time passwords. By default a title (row 1), the 5-day note (row 2), the header (row 4) and
  the data from row 5; with ``header_first=True`` the header is row 1 and the data follow from row 2, with no
  title or note (for scripts and tests).
- ``error_sheet_bytes(original, header_row, issues_by_row, sheet_name=None, columns=None)``: the uploaded
  workbook, formatting kept, with a column "Lỗi cần sửa" after the last used column listing each row's
  issues, and the cells at fault filled light red (errors) or light yellow (warnings only).
"""
from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from app.domain.mau01 import (
    COLUMNS,
    ROLE_CHOICES,
    TITLE,
    UNIT_ADMIN_MARK,
    headcount_line,
    unit_type_line,
)
from app.domain.org import UNIT_TYPES
from app.domain.text import match_key, normalize_text

__all__ = [
    "TEMPLATE_SHEET",
    "GUIDE_SHEET",
    "LISTS_SHEET",
    "ROLE_LIST_NAME",
    "TEMPLATE_HEADER_ROW",
    "CREDENTIALS_SHEET",
    "CREDENTIALS_HEADERS",
    "CREDENTIALS_NOTE",
    "ERROR_COLUMN_TITLE",
    "template_bytes",
    "credentials_bytes",
    "error_sheet_bytes",
    "iter_sheet_rows",
]

# --- shared styles --------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_ERROR_FILL = PatternFill(fill_type="solid", start_color="FFFFD7D7", end_color="FFFFD7D7")  # light red
_WARNING_FILL = PatternFill(fill_type="solid", start_color="FFFFF4C2", end_color="FFFFF4C2")  # light yellow
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=13)
_RED_BOLD = Font(bold=True, color="FFC00000")
_RED = Font(color="FFC00000")
_ITALIC_RED = Font(italic=True, color="FFC00000")
_WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP_TOP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center")
_MIDDLE = Alignment(vertical="center")
_MIDDLE_WRAP = Alignment(vertical="center", wrap_text=True)
TEXT_FORMAT = "@"


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _set_text(cell, value: object) -> None:
    """Write value as plain text: a leading "=" must not turn a name or a password into a formula."""
    text = "" if value is None else str(value)
    cell.value = text
    if text.startswith("="):
        cell.data_type = "s"


# --- the blank Mẫu 01 -----------------------------------------------------------------------------------

TEMPLATE_SHEET = "Mẫu 01"
GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
ROLE_LIST_NAME = "DS_VaiTro"
TEMPLATE_HEADER_ROW = 5

# Column widths of the seed form (../shared/samples/mau01_sample.xlsx), in COLUMNS order.
_TEMPLATE_WIDTHS: dict[str, float] = {
    "stt": 5,
    "full_name": 24,
    "position": 22,
    "account": 26,
    "email": 36,
    "phone": 13,
    "unit": 28,
    "role": 40,
    "unit_admin": 10,
    "reviewer": 24,
    "evaluator": 24,
}
_TEXT_COLUMNS = ("account", "phone")  # kept as text so Excel keeps leading zeros and does not reformat
_WRAPPED_COLUMNS = frozenset({"full_name", "position", "unit", "role", "reviewer", "evaluator"})


def _col(key: str) -> int:
    """1-based column of a Mẫu 01 column in the template."""
    for i, c in enumerate(COLUMNS, start=1):
        if c.key == key:
            return i
    raise KeyError(key)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def template_bytes(unit_name: str | None = None, unit_type: str | None = None, rows: int = 200) -> bytes:
    """The blank Mẫu 01 as .xlsx bytes.

    Sheet "Mẫu 01": row 1 the merged title, row 2 "1 - Loại hình …: <unit_type or …>", row 3 "2- Tổng số …:
    … người", row 5 the 11 column titles, rows 6..5+rows bordered with STT 1..rows (blank numbered rows are
    skipped on import). "Vai trò" and "Là quản trị đơn vị" have drop-downs; "Tài khoản" and "SĐT liên hệ"
    are text cells. With unit_name, the "Đơn vị" cell of every data row holds it. Then a sheet "Hướng dẫn"
    and a hidden sheet "Danh mục" (the "Vai trò" choices, named range ``DS_VaiTro``).
    """
    rows = max(0, int(rows))
    ncols = len(COLUMNS)
    last_letter = get_column_letter(ncols)
    header_row = TEMPLATE_HEADER_ROW
    first_data, last_data = header_row + 1, header_row + rows

    wb = Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET

    # Preamble.
    ws.merge_cells(f"A1:{last_letter}1")
    ws["A1"] = TITLE
    ws["A1"].font = _TITLE_FONT
    ws["A1"].alignment = _WRAP_CENTER
    ws.row_dimensions[1].height = 36
    ws["A2"] = unit_type_line(unit_type or "…")
    ws["A3"] = headcount_line(None)

    # Header.
    for i, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=header_row, column=i, value=column.title)
        cell.font = _BOLD
        cell.alignment = _WRAP_CENTER
        cell.border = _BORDER
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = _TEMPLATE_WIDTHS[column.key]
    ws.row_dimensions[header_row].height = 33
    ws.freeze_panes = ws.cell(row=first_data, column=1).coordinate

    # Text columns: the whole column (rows added below the prepared ones) and every prepared cell.
    text_cols = {_col(k) for k in _TEXT_COLUMNS}
    for c in text_cols:
        ws.column_dimensions[get_column_letter(c)].number_format = TEXT_FORMAT
    wrapped_cols = {_col(k) for k in _WRAPPED_COLUMNS}
    stt_col, unit_col, admin_col = _col("stt"), _col("unit"), _col("unit_admin")

    # Data rows.
    for r in range(first_data, last_data + 1):
        for c in range(1, ncols + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = _BORDER
            if c == stt_col or c == admin_col:
                cell.alignment = _CENTER
            elif c in wrapped_cols:
                cell.alignment = _MIDDLE_WRAP
            else:
                cell.alignment = _MIDDLE
            if c in text_cols:
                cell.number_format = TEXT_FORMAT
        ws.cell(row=r, column=stt_col, value=r - header_row)
        if unit_name:
            _set_text(ws.cell(row=r, column=unit_col), unit_name)

    # Lists: the "Vai trò" choices contain commas, so they live in cells of a hidden sheet.
    lists = wb.create_sheet(LISTS_SHEET)
    for i, text in enumerate(ROLE_CHOICES, start=1):
        lists.cell(row=i, column=1, value=text)
    lists.column_dimensions["A"].width = 45
    role_range = f"{_quote_sheet(LISTS_SHEET)}!$A$1:$A${len(ROLE_CHOICES)}"
    wb.defined_names[ROLE_LIST_NAME] = DefinedName(ROLE_LIST_NAME, attr_text=role_range)
    lists.sheet_state = "hidden"

    # Drop-downs over the data rows and a margin below them.
    dv_last = max(last_data, first_data) + 300
    role_letter = get_column_letter(_col("role"))
    role_dv = DataValidation(
        type="list",
        formula1=ROLE_LIST_NAME,  # stored without "=", as Excel writes it
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="Vai trò không đúng",
        error="Chọn một trong bốn vai trò của danh sách thả xuống.",
        promptTitle="Vai trò",
        prompt="Chọn trong danh sách thả xuống.",
    )
    role_dv.add(f"{role_letter}{first_data}:{role_letter}{dv_last}")
    admin_letter = get_column_letter(admin_col)
    admin_dv = DataValidation(
        type="list",
        formula1=f'"{UNIT_ADMIN_MARK}"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Là quản trị đơn vị",
        error=f"Chỉ ghi “{UNIT_ADMIN_MARK}” hoặc để trống.",
    )
    admin_dv.add(f"{admin_letter}{first_data}:{admin_letter}{dv_last}")
    ws.add_data_validation(role_dv)
    ws.add_data_validation(admin_dv)

    # Printing: landscape A4, one page wide, the header repeated.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"

    _write_guide(wb.create_sheet(GUIDE_SHEET, index=1), header_row)
    wb.active = 0
    return _save(wb)


def _guide_rows(header_row: int) -> list[tuple[str, str]]:
    first = header_row + 1
    roles = "; ".join(f"“{t}”" for t in ROLE_CHOICES)
    types = "; ".join(f"“{t}”" for t in UNIT_TYPES)
    return [
        ("Chung",
         f"Điền vào trang “{TEMPLATE_SHEET}”, mỗi người một dòng, bắt đầu từ dòng {first}. Không đổi tên, không "
         f"đổi thứ tự các cột và không xóa dòng tiêu đề (dòng {header_row}). Dòng chỉ có số thứ tự được bỏ qua, "
         "không cần xóa; cần thêm dòng thì chèn tiếp ở cuối bảng."),
        ("",
         "Gõ tiếng Việt bằng Unicode (Times New Roman, Arial…). Văn bản gõ bằng TCVN3 (.VnTime) hoặc VNI được "
         "tự chuyển sang Unicode nhưng sẽ có cảnh báo để kiểm tra lại."),
        ("Dòng 2 – Loại hình",
         f"Thay dấu “…” bằng loại hình của cơ quan, đơn vị, một trong: {types}."),
        ("Dòng 3 – Tổng số",
         "Thay dấu “…” bằng tổng số cán bộ, công chức, viên chức và lao động hợp đồng hiện có; số này phải "
         "bằng số người trong danh sách."),
        ("STT", "Số thứ tự, đã đánh sẵn."),
        ("Họ và tên", "Bắt buộc. Họ và tên đầy đủ, có dấu, ví dụ: Nguyễn Văn An."),
        ("Chức vụ", "Chức vụ hoặc chức danh hiện giữ, ví dụ: Chủ tịch, Trưởng phòng, Chuyên viên."),
        ("Tài khoản",
         "Nên để trống: phần mềm tự tạo tên đăng nhập theo Công văn số 297-CV/BTCQU: họ tên không dấu, viết "
         "liền, chữ thường, thêm dấu “_” và hậu tố của quận (ví dụ ở quận Ba Đình: Nguyễn Văn An → "
         "nguyenvanan_badinh; trùng tên thì thêm số trước hậu tố: nguyenvanan2_badinh). Nếu ghi sẵn thì phải đúng quy tắc "
         "trên và không trùng với người khác."),
        ("Email", "Địa chỉ thư điện tử công vụ, ví dụ: nguyenvanan@hanoi.gov.vn. Không trùng giữa hai người."),
        ("SĐT liên hệ",
         "Số di động 10 chữ số (bắt đầu bằng 03, 05, 07, 08, 09) hoặc số cố định bắt đầu bằng 02. Ô đã định "
         "dạng văn bản nên giữ được số 0 ở đầu."),
        ("Đơn vị",
         "Bắt buộc. Tên đơn vị nơi người đó công tác, hoặc tên một phòng, ban của đơn vị đó đúng như trên phần mềm "
         "(người đó thuộc phòng, ban ấy); ghi thống nhất một cách viết cho cùng một đơn vị."),
        ("Vai trò", f"Bắt buộc. Chọn trong danh sách thả xuống một trong: {roles}."),
        ("Là quản trị đơn vị",
         f"Ghi “{UNIT_ADMIN_MARK}” nếu người này là quản trị đơn vị trên phần mềm (thêm, sửa người dùng, cấp "
         "lại mật khẩu); để trống nếu không."),
        ("Lãnh đạo phụ trách nhận xét",
         "Chỉ dùng ở phòng, ban, đơn vị có trên 20 người: họ và tên lãnh đạo nhận xét người này trước khi "
         "lãnh đạo đánh giá chấm điểm, ghi đúng như ở cột “Họ và tên”. Các trường hợp khác để trống."),
        ("Lãnh đạo đánh giá",
         "Họ và tên lãnh đạo đánh giá, xếp loại người này, ghi đúng như ở cột “Họ và tên”. Chỉ để trống đối "
         "với người đứng đầu cơ quan, đơn vị do quận đánh giá."),
        ("Tài khoản đăng nhập",
         "Sau khi nhập danh sách, mỗi người nhận tên đăng nhập và mật khẩu dùng một lần; phải đổi mật khẩu "
         "trong 5 ngày kể từ khi được cấp, quá hạn tài khoản tự động bị khóa."),
    ]


def _write_guide(ws, header_row: int) -> None:
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    ws.merge_cells("A1:B1")
    ws["A1"] = "HƯỚNG DẪN ĐIỀN MẪU 01"
    ws["A1"].font = _TITLE_FONT
    ws["A1"].alignment = _CENTER
    for c, title in enumerate(("Mục", "Cách ghi"), start=1):
        cell = ws.cell(row=3, column=c, value=title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _WRAP_CENTER
    for r, (topic, text) in enumerate(_guide_rows(header_row), start=4):
        a = ws.cell(row=r, column=1, value=topic or None)
        a.font = _BOLD
        a.alignment = _WRAP_TOP
        a.border = _BORDER
        b = ws.cell(row=r, column=2, value=text)
        b.alignment = _WRAP_TOP
        b.border = _BORDER
        ws.row_dimensions[r].height = 15 * max(1, -(-len(text) // 95))


# --- the list of new accounts ---------------------------------------------------------------------------

CREDENTIALS_SHEET = "Tài khoản"
CREDENTIALS_HEADERS: tuple[str, ...] = ("STT", "Họ và tên", "Đơn vị", "Tài khoản", "Mật khẩu")
CREDENTIALS_TITLE = "DANH SÁCH TÀI KHOẢN ĐĂNG NHẬP – {district_name}"
CREDENTIALS_NOTE = (
    "Mật khẩu chỉ dùng một lần: phải đổi trong 5 ngày kể từ khi được cấp, quá hạn tài khoản tự động bị khóa."
)
_CREDENTIALS_WIDTHS = (6, 28, 40, 30, 18)
_PASSWORD_FONT = Font(name="Consolas", size=11)


def credentials_bytes(accounts: list[dict], district_name: str, header_first: bool = False) -> bytes:
    """The new accounts as .xlsx bytes: sheet "Tài khoản", one row per account in the order given.

    Each account has the keys full_name, unit, username, password. Layout by default: row 1 the title
    "DANH SÁCH TÀI KHOẢN ĐĂNG NHẬP – <district_name>", row 2 the note on the one-time password, row 4 the
    header "STT · Họ và tên · Đơn vị · Tài khoản · Mật khẩu", data from row 5. With header_first=True: the
    header on row 1 and the data from row 2, no title or note (a plain table for scripts). The header and
    data form an Excel table ("TaiKhoan") when there is at least one account, else carry an autofilter.
    Usernames and passwords are text cells.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = CREDENTIALS_SHEET
    ncols = len(CREDENTIALS_HEADERS)
    last_letter = get_column_letter(ncols)

    if header_first:
        header_row = 1
    else:
        header_row = 4
        ws.merge_cells(f"A1:{last_letter}1")
        ws["A1"] = CREDENTIALS_TITLE.format(district_name=district_name or "").rstrip(" –")
        ws["A1"].font = _TITLE_FONT
        ws["A1"].alignment = _WRAP_CENTER
        ws.row_dimensions[1].height = 30
        ws.merge_cells(f"A2:{last_letter}2")
        ws["A2"] = CREDENTIALS_NOTE
        ws["A2"].font = _ITALIC_RED
        ws["A2"].alignment = _WRAP_CENTER
        ws.row_dimensions[2].height = 30

    for c, (title, width) in enumerate(zip(CREDENTIALS_HEADERS, _CREDENTIALS_WIDTHS), start=1):
        cell = ws.cell(row=header_row, column=c, value=title)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = _WRAP_CENTER
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = width
        if c >= 4:
            ws.column_dimensions[letter].number_format = TEXT_FORMAT

    for n, account in enumerate(accounts, start=1):
        r = header_row + n
        values = (
            account.get("full_name"),
            account.get("unit"),
            account.get("username"),
            account.get("password"),
        )
        stt = ws.cell(row=r, column=1, value=n)
        stt.alignment = _CENTER
        stt.border = _BORDER
        for c, value in enumerate(values, start=2):
            cell = ws.cell(row=r, column=c)
            _set_text(cell, normalize_text(value) if c < 4 else ("" if value is None else str(value)))
            cell.border = _BORDER
            cell.alignment = _MIDDLE_WRAP if c < 4 else _MIDDLE
            if c >= 4:
                cell.number_format = TEXT_FORMAT
            if c == 5:
                cell.font = _PASSWORD_FONT

    last_row = header_row + len(accounts)
    ref = f"A{header_row}:{last_letter}{last_row}"
    if accounts:
        table = Table(displayName="TaiKhoan", ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = ref
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return _save(wb)


# --- the uploaded sheet, returned with its errors -------------------------------------------------------

ERROR_COLUMN_TITLE = "Lỗi cần sửa"
_ERROR_LABEL = "Lỗi: "
_WARNING_LABEL = "Cảnh báo: "
_MAX_COLUMN = 16384
_PARENS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _issue_field(issue: Any, name: str, default: Any = "") -> Any:
    if isinstance(issue, Mapping):
        return issue.get(name, default)
    return getattr(issue, name, default)


def _is_error(issue: Any) -> bool:
    return _issue_field(issue, "severity", "error") != "warning"


def _issue_line(issue: Any) -> str:
    label = _ERROR_LABEL if _is_error(issue) else _WARNING_LABEL
    column = normalize_text(_issue_field(issue, "column"))
    message = normalize_text(_issue_field(issue, "message"))
    return f"{label}[{column}] {message}" if column else f"{label}{message}"


def _last_used_column(ws) -> int:
    """The last column holding a value (cells that are only formatted do not count) or a merged range."""
    last = 0
    for (_, c), cell in ws._cells.items():  # noqa: SLF001 - avoids creating a cell for every formatted blank
        if c > last and cell.value is not None:
            last = c
    with_merged = max([last, *(rng.max_col for rng in ws.merged_cells.ranges)])
    return with_merged if with_merged < _MAX_COLUMN else last


def _title_columns(ws, header_row: int, columns: Mapping[str, int] | None) -> dict[str, int]:
    """Mẫu 01 column title (as issues name it) -> 1-based column, from ``columns`` or the header cells."""
    out: dict[str, int] = {}
    if columns:
        by_key = {c.key: c.title for c in COLUMNS}
        for key, idx in columns.items():
            if key in by_key:
                out[by_key[key]] = idx + 1
        return out
    if header_row < 1:
        return out
    names: dict[str, str] = {}
    for c in COLUMNS:
        for t in (c.title, *c.aliases):
            names.setdefault(match_key(t), c.title)
    for (r, c), cell in list(ws._cells.items()):  # noqa: SLF001
        if r != header_row or not isinstance(cell.value, str):
            continue
        title = names.get(match_key(_PARENS_RE.sub(" ", normalize_text(cell.value))))
        if title is not None and title not in out:
            out[title] = c
    return out


def _clear_previous_report(ws, col: int, header_row: int) -> None:
    """A sheet sent back corrected still holds the last report: empty its column and undo its fills."""
    fills = {(_ERROR_FILL.fgColor.rgb), (_WARNING_FILL.fgColor.rgb)}
    for (_, c), cell in list(ws._cells.items()):  # noqa: SLF001
        if isinstance(cell, MergedCell):
            continue
        if c == col and cell.row != header_row:
            cell.value = None
            cell.fill = PatternFill(fill_type=None)
        elif cell.fill is not None and cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb in fills:
            cell.fill = PatternFill(fill_type=None)


def error_sheet_bytes(
    original: bytes,
    header_row: int,
    issues_by_row: Mapping[int, Sequence[Any]],
    sheet_name: str | None = None,
    columns: Mapping[str, int] | None = None,
) -> bytes:
    """The uploaded workbook returned with its problems, as .xlsx bytes.

    On the imported sheet (``sheet_name``, default the first), a column "Lỗi cần sửa" (bold red title on
    ``header_row``) is added after the last used column; each Excel row of ``issues_by_row`` gets its issues
    there, one per line, "Lỗi: [Cột] thông báo" or "Cảnh báo: [Cột] thông báo". The cell each issue names is
    filled light red when it has an error, light yellow when it has only warnings (the report cell likewise).
    Issues on the header row or on row 0 (about the whole file) go in a comment on the "Lỗi cần sửa" title
    and, when the row above the header is free, are written there too. Issues are Issue objects (row, column,
    message, severity) or dicts with those keys. ``columns`` (ParsedSheet.columns: key -> 0-based index) says
    where the columns are; without it they are found by their titles on the header row. When the sheet
    already has a "Lỗi cần sửa" column (a corrected copy of an earlier report), that column is reused and
    the old report cleared. Everything else is kept as uploaded.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extension is not supported and will be removed", …
        wb = load_workbook(io.BytesIO(original))
    ws = wb[sheet_name] if sheet_name else wb.worksheets[0]

    existing = None
    if header_row >= 1:
        for (r, c), cell in list(ws._cells.items()):  # noqa: SLF001
            if r == header_row and isinstance(cell.value, str) and match_key(cell.value) == match_key(
                ERROR_COLUMN_TITLE
            ):
                existing = c
                break
    if existing is not None:
        col = existing
        _clear_previous_report(ws, col, header_row)
    else:
        col = min(_last_used_column(ws) + 1, _MAX_COLUMN)
    letter = get_column_letter(col)
    title_cols = _title_columns(ws, header_row, columns)

    # Whole-file and header issues: a comment on the title, and a note above it when there is room.
    general: list[Any] = []
    per_row: dict[int, list[Any]] = {}
    for row_no, issues in issues_by_row.items():
        if not issues:
            continue
        if row_no <= 0 or row_no == header_row:
            general.extend(issues)
        else:
            per_row.setdefault(row_no, []).extend(issues)

    if header_row >= 1:
        title_cell = ws.cell(row=header_row, column=col)
        if not isinstance(title_cell, MergedCell):
            title_cell.value = ERROR_COLUMN_TITLE
            title_cell.font = _RED_BOLD
            title_cell.alignment = _WRAP_CENTER
            title_cell.comment = None
            if general:
                text = "\n".join(_issue_line(i) for i in general)
                comment = Comment(text, "Phần mềm đánh giá")
                comment.width = 360
                comment.height = min(600, 40 + 18 * len(general))
                title_cell.comment = comment
    note_row = None
    if general and header_row != 1:
        note_row = header_row - 1 if header_row > 1 else 1  # no header found: the top of the sheet
    ws.column_dimensions[letter].width = 60

    for row_no in sorted(set(per_row) | ({note_row} if note_row else set())):
        issues = per_row.get(row_no, [])
        shown = (general if row_no == note_row else []) + issues
        cell = ws.cell(row=row_no, column=col)
        if isinstance(cell, MergedCell):
            continue
        any_error = any(_is_error(i) for i in shown)
        cell.value = "\n".join(_issue_line(i) for i in shown)
        cell.font = _RED if any_error else Font()
        cell.alignment = _WRAP_TOP
        cell.fill = _ERROR_FILL if any_error else _WARNING_FILL
        lines = sum(len(_issue_line(i)) // 70 + 1 for i in shown)
        height = ws.row_dimensions[row_no].height
        wanted = min(409, 15 * lines)
        if height is None or height < wanted:
            ws.row_dimensions[row_no].height = wanted
        # The cells at fault (the note above the header names none).
        by_cell: dict[int, bool] = {}
        for issue in issues:
            c = title_cols.get(normalize_text(_issue_field(issue, "column")))
            if c is not None and c != col:
                by_cell[c] = by_cell.get(c, False) or _is_error(issue)
        for c, is_error in by_cell.items():
            target = ws.cell(row=row_no, column=c)
            if not isinstance(target, MergedCell):
                target.fill = _ERROR_FILL if is_error else _WARNING_FILL

    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    wb.active = wb.worksheets.index(ws)
    return _save(wb)


def iter_sheet_rows(data: bytes, sheet_name: str | None = None) -> Iterable[tuple[int, tuple]]:
    """(Excel row number, values) of a sheet of ``data`` read with openpyxl read-only (for checks and tests)."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb[sheet_name] if sheet_name else wb.worksheets[0]
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    finally:
        wb.close()
