"""Excel files around Mẫu 01: the blank template, the list of new accounts, the sheet returned with errors.

Every function returns the bytes of an .xlsx file; nothing here knows about Flask or the database. Every
value goes into its cell through ``app.excel.writer`` (text that looks like a formula stays text).

- ``template_bytes(unit_name=None, unit_type=None, rows=200)``: the blank Mẫu 01 in the seed form's layout
  (sheet "Mẫu 01", header on row 5, data from row 6), with drop-downs for "Vai trò" and "Là quản trị đơn vị",
  a visible sheet "Hướng dẫn" and a hidden sheet "Danh mục" holding the "Vai trò" choices.
- ``credentials_bytes(accounts, district_name, header_first=False)``: sheet "Tài khoản" with the new
  usernames and one-time passwords. By default a title (row 1), the 5-day note (row 2), the header (row 4) and
  the data from row 5; with ``header_first=True`` the header is row 1 and the data follow from row 2, with no
  title or note (for scripts and tests).
- ``error_sheet_bytes(original, header_row, issues_by_row, sheet_name=None, columns=None, limits=None)``: the
  uploaded workbook with a column "Lỗi cần sửa" after the last used column listing each row's issues, and the
  cells at fault filled light red (errors) or light yellow (warnings only). The upload goes through
  ``app.excel.guard`` first. A small .xlsx is loaded whole with openpyxl, so its formatting is kept; a large
  one, or an .xls, is rewritten from its values in write-only mode (fast, constant memory, formatting lost).
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from app.domain.root import current as root
from app.domain.mau01 import (
    COLUMNS,
    ROLE_CHOICES,
    TITLE,
    UNIT_ADMIN_MARK,
    headcount_line,
    match_header,
    unit_type_line,
)
from app.domain.org import UNIT_TYPES
from app.domain.text import match_key, normalize_text
from app.excel import guard, reader
from app.excel.guard import Limits
from app.excel.writer import new_workbook, row_cells, save, set_value, write

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
    "staff_list_bytes",
    "credentials_bytes",
    "error_sheet_bytes",
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


def staff_list_bytes(unit_name: str, unit_type: str | None, people: Sequence[Mapping[str, Any]]) -> bytes:
    """A unit's current people in the Mẫu 01 layout (the template's sheets, styles and drop-downs).

    ``people``: one mapping per person keyed by the Mẫu 01 column keys (``full_name``, ``position``,
    ``account``, ``email``, ``phone``, ``unit``, ``role`` — the drop-down text —, ``unit_admin`` (bool),
    ``reviewer``, ``evaluator``). Line 3 gives their number. Imported again unchanged, it changes nothing.
    """
    wb = _template_workbook(unit_name, unit_type, len(people), headcount=len(people))
    ws = wb[TEMPLATE_SHEET]
    first = TEMPLATE_HEADER_ROW + 1
    for i, person in enumerate(people):
        for column in COLUMNS:
            if column.key == "stt":
                continue
            value = person.get(column.key)
            if column.key == "unit_admin":
                value = UNIT_ADMIN_MARK if value else None
            cell = ws.cell(row=first + i, column=_col(column.key))
            set_value(cell, value if value not in ("",) else None)
    return save(wb)


def template_bytes(unit_name: str | None = None, unit_type: str | None = None, rows: int = 200) -> bytes:
    """The blank Mẫu 01 as .xlsx bytes.

    Sheet "Mẫu 01": row 1 the merged title, row 2 "1 - Loại hình …: <unit_type or …>", row 3 "2- Tổng số …:
    … người", row 5 the 11 column titles, rows 6..5+rows bordered with STT 1..rows (blank numbered rows are
    skipped on import). "Vai trò" and "Là quản trị đơn vị" have drop-downs; "Tài khoản" and "SĐT liên hệ"
    are text cells. With unit_name, the "Đơn vị" cell of every data row holds it. Then a sheet "Hướng dẫn"
    and a hidden sheet "Danh mục" (the "Vai trò" choices, named range ``DS_VaiTro``).
    """
    return save(_template_workbook(unit_name, unit_type, rows))


def _template_workbook(unit_name, unit_type, rows, headcount=None):
    rows = max(0, int(rows))
    ncols = len(COLUMNS)
    last_letter = get_column_letter(ncols)
    header_row = TEMPLATE_HEADER_ROW
    first_data, last_data = header_row + 1, header_row + rows

    wb = new_workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET

    # Preamble.
    ws.merge_cells(f"A1:{last_letter}1")
    write(ws, 1, 1, TITLE, font=_TITLE_FONT, alignment=_WRAP_CENTER)
    ws.row_dimensions[1].height = 36
    write(ws, 2, 1, unit_type_line(unit_type or "…"))
    write(ws, 3, 1, headcount_line(headcount))

    # Header.
    for i, column in enumerate(COLUMNS, start=1):
        write(ws, header_row, i, column.title, font=_BOLD, alignment=_WRAP_CENTER, border=_BORDER, fill=_HEADER_FILL)
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
        write(ws, r, stt_col, r - header_row)
        if unit_name:
            write(ws, r, unit_col, unit_name)

    # Lists: the "Vai trò" choices contain commas, so they live in cells of a hidden sheet.
    lists = wb.create_sheet(LISTS_SHEET)
    for i, text in enumerate(ROLE_CHOICES, start=1):
        write(lists, i, 1, text)
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
    return wb


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
         f"liền, chữ thường, thêm dấu “_” và hậu tố của {root().word} (ví dụ với hậu tố badinh: Nguyễn Văn An → "
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
         f"với người đứng đầu cơ quan, đơn vị do {root().level} đánh giá."),
        ("Tài khoản đăng nhập",
         "Sau khi nhập danh sách, mỗi người nhận tên đăng nhập và mật khẩu dùng một lần; phải đổi mật khẩu "
         "trong 5 ngày kể từ khi được cấp, quá hạn tài khoản tự động bị khóa."),
    ]


def _write_guide(ws, header_row: int) -> None:
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    ws.merge_cells("A1:B1")
    write(ws, 1, 1, "HƯỚNG DẪN ĐIỀN MẪU 01", font=_TITLE_FONT, alignment=_CENTER)
    for c, title in enumerate(("Mục", "Cách ghi"), start=1):
        write(ws, 3, c, title, font=_BOLD, fill=_HEADER_FILL, border=_BORDER, alignment=_WRAP_CENTER)
    for r, (topic, text) in enumerate(_guide_rows(header_row), start=4):
        write(ws, r, 1, topic or None, font=_BOLD, alignment=_WRAP_TOP, border=_BORDER)
        write(ws, r, 2, text, alignment=_WRAP_TOP, border=_BORDER)
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
    wb = new_workbook()
    ws = wb.active
    ws.title = CREDENTIALS_SHEET
    ncols = len(CREDENTIALS_HEADERS)
    last_letter = get_column_letter(ncols)

    if header_first:
        header_row = 1
    else:
        header_row = 4
        ws.merge_cells(f"A1:{last_letter}1")
        write(ws, 1, 1, CREDENTIALS_TITLE.format(district_name=district_name or "").rstrip(" –"),
              font=_TITLE_FONT, alignment=_WRAP_CENTER)
        ws.row_dimensions[1].height = 30
        ws.merge_cells(f"A2:{last_letter}2")
        write(ws, 2, 1, CREDENTIALS_NOTE, font=_ITALIC_RED, alignment=_WRAP_CENTER)
        ws.row_dimensions[2].height = 30

    for c, (title, width) in enumerate(zip(CREDENTIALS_HEADERS, _CREDENTIALS_WIDTHS), start=1):
        write(ws, header_row, c, title, font=_BOLD, fill=_HEADER_FILL, border=_BORDER, alignment=_WRAP_CENTER)
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
        write(ws, r, 1, n, alignment=_CENTER, border=_BORDER)
        for c, value in enumerate(values, start=2):
            text = normalize_text(value) if c < 4 else ("" if value is None else str(value))
            cell = write(ws, r, c, text)
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
    return save(wb)


# --- the uploaded sheet, returned with its errors -------------------------------------------------------

ERROR_COLUMN_TITLE = "Lỗi cần sửa"
_ERROR_LABEL = "Lỗi: "
_WARNING_LABEL = "Cảnh báo: "
_MAX_COLUMN = 16384
_ERROR_KEY = match_key(ERROR_COLUMN_TITLE)
_COLUMN_TITLES = {c.key: c.title for c in COLUMNS}


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


def _title_columns(header: Sequence[object], columns: Mapping[str, int] | None) -> dict[str, int]:
    """Mẫu 01 column title (as issues name it) -> 0-based column: from ``columns`` (ParsedSheet.columns), else
    from the header row's cells read by the domain's own header matcher, as the import read them."""
    found = dict(columns) if columns else match_header(header)
    return {_COLUMN_TITLES[key]: idx for key, idx in found.items() if key in _COLUMN_TITLES}


def _split_issues(issues_by_row: Mapping[int, Sequence[Any]], header_row: int) -> tuple[list[Any], dict[int, list[Any]]]:
    """(issues about the whole file or the header row, issues by data row)."""
    general: list[Any] = []
    per_row: dict[int, list[Any]] = {}
    for row_no, issues in issues_by_row.items():
        if not issues:
            continue
        if row_no <= 0 or row_no == header_row:
            general.extend(issues)
        else:
            per_row.setdefault(row_no, []).extend(issues)
    return general, per_row


def _faulty_cells(issues: Sequence[Any], title_cols: Mapping[str, int], report_col: int) -> dict[int, bool]:
    """0-based column -> True (an error there) / False (warnings only), for the cells the issues name."""
    by_cell: dict[int, bool] = {}
    for issue in issues:
        c = title_cols.get(normalize_text(_issue_field(issue, "column")))
        if c is not None and c != report_col:
            by_cell[c] = by_cell.get(c, False) or _is_error(issue)
    return by_cell


def _note_row(general: Sequence[Any], header_row: int) -> Optional[int]:
    """Where whole-file issues are written out: the row above the header (the top when no header was found)."""
    if not general or header_row == 1:
        return None
    return header_row - 1 if header_row > 1 else 1


def _report_height(lines: Sequence[Any]) -> int:
    return min(409, 15 * sum(len(_issue_line(i)) // 70 + 1 for i in lines))


def _title_comment(general: Sequence[Any]) -> Comment:
    comment = Comment("\n".join(_issue_line(i) for i in general), "Phần mềm đánh giá")
    comment.width = 360
    comment.height = min(600, 40 + 18 * len(general))
    return comment


def error_sheet_bytes(
    original: bytes,
    header_row: int,
    issues_by_row: Mapping[int, Sequence[Any]],
    sheet_name: str | None = None,
    columns: Mapping[str, int] | None = None,
    limits: Limits | None = None,
) -> bytes:
    """The uploaded workbook returned with its problems, as .xlsx bytes.

    On the imported sheet (``sheet_name``, default the first), a column "Lỗi cần sửa" (bold red title on
    ``header_row``) is added after the last used column; each Excel row of ``issues_by_row`` gets its issues
    there, one per line, "Lỗi: [Cột] thông báo" or "Cảnh báo: [Cột] thông báo". The cell each issue names is
    filled light red when it has an error, light yellow when it has only warnings (the report cell likewise).
    Issues on the header row or on row 0 (about the whole file) go in a comment on the "Lỗi cần sửa" title
    and, when the row above the header is free, are written there too. Issues are Issue objects (row, column,
    message, severity) or dicts with those keys. ``columns`` (ParsedSheet.columns: key -> 0-based index) says
    where the columns are; without it they are found on the header row by the domain's header matcher. When
    the sheet already has a "Lỗi cần sửa" column (a corrected copy of an earlier report), that column is reused
    and the old report cleared.

    ``original`` passes ``guard.inspect`` first (WorkbookError otherwise). A small .xlsx keeps everything as
    uploaded (openpyxl loads it whole); anything else is rebuilt from the sheet's values.
    """
    limits = limits or reader.DEFAULT_LIMITS
    package = guard.inspect(original, limits, spans=True)
    general, per_row = _split_issues(issues_by_row, header_row)
    if package.fits_openpyxl():
        return _annotated_copy(original, header_row, general, per_row, sheet_name, columns)
    return _rebuilt_copy(reader.Workbook(original, limits, package), header_row, general, per_row, sheet_name,
                         columns)


def _annotated_copy(original, header_row, general, per_row, sheet_name, columns) -> bytes:
    """The upload itself, loaded whole by openpyxl: formatting, other sheets, merged cells all kept."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extension is not supported and will be removed", …
        try:
            wb = load_workbook(io.BytesIO(original))
        except Exception:  # a file calamine read but openpyxl cannot: say so, as for any damaged file
            raise guard.WorkbookError("invalid", guard.MSG_INVALID) from None
    if sheet_name:
        ws = wb[sheet_name]
    elif wb.worksheets:
        ws = wb.worksheets[0]
    else:
        raise guard.WorkbookError("no_sheets", reader.MSG_NO_SHEETS)
    cells = ws._cells  # noqa: SLF001 - iterating the existing cells; ws.iter_rows would create every blank

    header: list[object] = []
    if header_row >= 1:
        for (r, c), cell in cells.items():
            if r == header_row:
                if c > len(header):
                    header.extend([None] * (c - len(header)))
                header[c - 1] = cell.value
    existing = next((i + 1 for i, v in enumerate(header) if isinstance(v, str) and match_key(v) == _ERROR_KEY), None)
    if existing is not None:
        col = existing
        _clear_previous_report(ws, col, header_row)
    else:
        col = min(_last_used_column(ws) + 1, _MAX_COLUMN)
    title_cols = _title_columns(header, columns)

    if header_row >= 1:
        title_cell = ws.cell(row=header_row, column=col)
        if not isinstance(title_cell, MergedCell):
            write(ws, header_row, col, ERROR_COLUMN_TITLE, font=_RED_BOLD, alignment=_WRAP_CENTER)
            title_cell.comment = _title_comment(general) if general else None
    note_row = _note_row(general, header_row)
    ws.column_dimensions[get_column_letter(col)].width = 60

    for row_no in sorted(set(per_row) | ({note_row} if note_row else set())):
        issues = per_row.get(row_no, [])
        shown = (general if row_no == note_row else []) + issues
        if isinstance(ws.cell(row=row_no, column=col), MergedCell):
            continue
        any_error = any(_is_error(i) for i in shown)
        write(ws, row_no, col, "\n".join(_issue_line(i) for i in shown), font=_RED if any_error else Font(),
              alignment=_WRAP_TOP, fill=_ERROR_FILL if any_error else _WARNING_FILL)
        height = ws.row_dimensions[row_no].height
        wanted = _report_height(shown)
        if height is None or height < wanted:
            ws.row_dimensions[row_no].height = wanted
        for c, is_error in _faulty_cells(issues, title_cols, col - 1).items():  # the note names no cell
            target = ws.cell(row=row_no, column=c + 1)
            if not isinstance(target, MergedCell):
                target.fill = _ERROR_FILL if is_error else _WARNING_FILL

    for other in wb.worksheets:
        other.sheet_view.tabSelected = other is ws
    wb.active = wb.worksheets.index(ws)
    return save(wb)


def _last_used_column(ws) -> int:
    """The last column holding a value (cells that are only formatted do not count) or a merged range."""
    last = 0
    for (_, c), cell in ws._cells.items():  # noqa: SLF001 - avoids creating a cell for every formatted blank
        if c > last and cell.value is not None:
            last = c
    with_merged = max([last, *(rng.max_col for rng in ws.merged_cells.ranges)])
    return with_merged if with_merged < _MAX_COLUMN else last


def _clear_previous_report(ws, col: int, header_row: int) -> None:
    """A sheet sent back corrected still holds the last report: empty its column and undo its fills."""
    fills = {(_ERROR_FILL.fgColor.rgb), (_WARNING_FILL.fgColor.rgb)}
    for (_, c), cell in list(ws._cells.items()):  # noqa: SLF001
        if isinstance(cell, MergedCell):
            continue
        if c == col and cell.row != header_row:
            set_value(cell, None)
            cell.fill = PatternFill(fill_type=None)
        elif cell.fill is not None and cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb in fills:
            cell.fill = PatternFill(fill_type=None)


def _rebuilt_copy(book: reader.Workbook, header_row, general, per_row, sheet_name, columns) -> bytes:
    """The imported sheet's values in a new workbook (write-only: a 50,000-row sheet in seconds), report added."""
    with book:
        name = book.sheet_name(sheet_name)
        rows = list(book.rows(name))
    width = max((len(v) for _, v in rows), default=0)
    header = next((list(v) for n, v in rows if n == header_row), []) if header_row >= 1 else []
    existing = next((i for i, v in enumerate(header) if isinstance(v, str) and match_key(v) == _ERROR_KEY), None)
    col = existing if existing is not None else min(width, _MAX_COLUMN - 1)  # 0-based
    title_cols = _title_columns(header, columns)
    note_row = _note_row(general, header_row)

    wb = new_workbook(write_only=True)
    ws = wb.create_sheet(name[:31])
    ws.column_dimensions[get_column_letter(col + 1)].width = 60
    if header_row >= 1:
        ws.freeze_panes = f"A{header_row + 1}"
    by_number = dict(rows)
    last = max([rows[-1][0] if rows else 0, header_row, *per_row, note_row or 0])
    for row_no in range(1, last + 1):
        values = list(by_number.get(row_no, ()))
        style: dict[int, dict[str, Any]] = {}
        if existing is not None and row_no != header_row and col < len(values):
            values[col] = None  # the last report: replaced by this one
        if row_no == header_row:
            values.extend([None] * (col + 1 - len(values)))
            values[col] = ERROR_COLUMN_TITLE
            style = {i: {"font": _BOLD, "alignment": _WRAP_CENTER} for i in range(len(values))}
            style[col] = {"font": _RED_BOLD, "alignment": _WRAP_CENTER}
            if general:
                style[col]["comment"] = _title_comment(general)
        issues = per_row.get(row_no, [])
        shown = (general if row_no == note_row else []) + issues
        if shown:
            any_error = any(_is_error(i) for i in shown)
            values.extend([None] * (col + 1 - len(values)))
            values[col] = "\n".join(_issue_line(i) for i in shown)
            style[col] = {"font": _RED if any_error else Font(), "alignment": _WRAP_TOP,
                          "fill": _ERROR_FILL if any_error else _WARNING_FILL}
            for c, is_error in _faulty_cells(issues, title_cols, col).items():
                if c >= len(values):
                    values.extend([None] * (c + 1 - len(values)))
                style[c] = {"fill": _ERROR_FILL if is_error else _WARNING_FILL}
            ws.row_dimensions[row_no].height = _report_height(shown)
        ws.append(row_cells(ws, values, style))
    return save(wb)
