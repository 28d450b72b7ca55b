"""The Excel files around Mẫu 01: blank template, list of new accounts, uploaded sheet returned with errors."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from app.domain.mau01 import COLUMNS, ROLE_CHOICES, TITLE, Issue, parse_sheet
from app.excel.mau01 import (
    CREDENTIALS_HEADERS,
    CREDENTIALS_NOTE,
    ERROR_COLUMN_TITLE,
    credentials_bytes,
    error_sheet_bytes,
    template_bytes,
)

SAMPLE_WIDTHS = {"A": 5, "B": 24, "C": 22, "D": 26, "E": 36, "F": 13, "G": 28, "H": 40, "I": 10, "J": 24, "K": 24}
TITLES = [c.title for c in COLUMNS]


def _parse(data: bytes, **kwargs):
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        ws = wb.worksheets[0]
        return parse_sheet(enumerate(ws.iter_rows(values_only=True), start=1), **kwargs)
    finally:
        wb.close()


def _open(data: bytes):
    return load_workbook(io.BytesIO(data))


# --- template -------------------------------------------------------------------------------------------


def test_template_round_trips_through_parser():
    sheet = _parse(template_bytes())
    assert sheet.header_row == 5
    assert set(sheet.columns) == {c.key for c in COLUMNS}
    assert sheet.columns == {c.key: i for i, c in enumerate(COLUMNS)}
    assert sheet.rows == []  # the numbered blank rows are skipped
    assert sheet.errors == []
    assert [i.message for i in sheet.issues] == ["Danh sách không có người nào."]


def test_template_layout_matches_the_seed_form():
    wb = _open(template_bytes(rows=10))
    assert wb.sheetnames[0] == "Mẫu 01"
    ws = wb["Mẫu 01"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:K1"]
    assert ws["A1"].value == TITLE
    assert ws["A1"].font.b and ws["A1"].alignment.horizontal == "center" and ws["A1"].alignment.wrap_text
    assert ws["A2"].value == "1 - Loại hình của cơ quan đơn vị: …"
    assert ws["A3"].value == "2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: … người"
    assert [ws.cell(row=5, column=i).value for i in range(1, 12)] == TITLES
    assert all(ws.cell(row=5, column=i).font.b for i in range(1, 12))
    assert ws.cell(row=5, column=12).value is None
    assert {k: d.width for k, d in ws.column_dimensions.items() if k in SAMPLE_WIDTHS} == SAMPLE_WIDTHS
    assert ws.freeze_panes == "A6"
    assert [ws.cell(row=r, column=1).value for r in range(6, 16)] == list(range(1, 11))
    assert ws.cell(row=16, column=1).value is None
    assert ws["K15"].border.bottom.style == "thin"
    # "Tài khoản" and "SĐT liên hệ" are text cells; "Đơn vị" empty without unit_name.
    assert ws["D6"].number_format == "@" and ws["F15"].number_format == "@"
    assert ws["G6"].value is None


def test_template_with_unit_and_type():
    data = template_bytes(unit_name="Phòng Văn hóa và Thông tin", unit_type="Đơn vị hành chính", rows=7)
    ws = _open(data)["Mẫu 01"]
    assert ws["A2"].value == "1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính"
    assert [ws.cell(row=r, column=7).value for r in range(6, 13)] == ["Phòng Văn hóa và Thông tin"] * 7
    assert ws.cell(row=13, column=7).value is None
    sheet = _parse(data)
    assert sheet.header_row == 5
    assert sheet.unit_type == "Đơn vị hành chính"
    # Rows with only STT and the prefilled unit are unused rows, not people without a name.
    assert sheet.rows == [] and sheet.errors == []


def test_template_role_and_admin_drop_downs():
    wb = _open(template_bytes(rows=20))
    ws = wb["Mẫu 01"]
    by_type = {}
    for dv in ws.data_validations.dataValidation:
        by_type.setdefault(dv.type, []).append(dv)
    role_dv = next(dv for dv in by_type["list"] if "H6" in dv)
    admin_dv = next(dv for dv in by_type["list"] if "I6" in dv)
    assert "H25" in role_dv and "I25" in admin_dv
    assert admin_dv.formula1 == '"X"'

    # formula1 names a range on the hidden sheet "Danh mục" holding the four texts.
    name = role_dv.formula1.lstrip("=")
    ref = wb.defined_names[name].attr_text
    sheet_part, cells = ref.rsplit("!", 1)
    lists = wb[sheet_part.strip("'")]
    assert lists.title == "Danh mục" and lists.sheet_state == "hidden"
    values = [c.value for row in lists[cells.replace("$", "")] for c in row]
    assert values == list(ROLE_CHOICES)
    assert len(values) == 4


def test_template_guide_sheet():
    wb = _open(template_bytes())
    assert "Hướng dẫn" in wb.sheetnames
    guide = wb["Hướng dẫn"]
    assert guide.sheet_state == "visible"
    text = "\n".join(str(v) for row in guide.iter_rows(values_only=True) for v in row if v)
    for needle in ("297-CV/BTCQU", "không dấu", "viết liền", "chữ thường", "trên 20 người", "Lãnh đạo đánh giá",
                   *ROLE_CHOICES):
        assert needle in text


def test_template_filled_in_parses():
    wb = _open(template_bytes(unit_name="UBND phường Cống Vị", rows=5))
    ws = wb["Mẫu 01"]
    for col, value in zip("BCDEFHI", ("Vũ Minh Quyên", "Chủ tịch", "vuminhquyen_badinh",
                                       "vuminhquyen_badinh@hanoi.gov.vn", "0933234300", ROLE_CHOICES[0], "X")):
        ws[f"{col}6"] = value
    ws["A3"] = "2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: 5 người"
    buf = io.BytesIO()
    wb.save(buf)
    sheet = _parse(buf.getvalue(), account_suffix="badinh")
    first = sheet.rows[0]
    assert (first.row, first.full_name, first.phone, first.unit, first.unit_admin) == (
        6, "Vũ Minh Quyên", "0933234300", "UBND phường Cống Vị", True
    )


# --- credentials ----------------------------------------------------------------------------------------

ACCOUNTS = [
    {"full_name": "Nguyễn Văn An", "unit": "Phòng Nội vụ", "username": "nguyenvanan_badinh", "password": "0aB3cD4eF5gH"},
    {"full_name": "Trần Thị Bình", "unit": "UBND phường Cống Vị", "username": "tranthibinh_badinh",
     "password": "=7kLmN8pQ9rS"},
]


def test_credentials_layout_and_data():
    wb = _open(credentials_bytes(ACCOUNTS, "Quận Ba Đình"))
    assert wb.sheetnames == ["Tài khoản"]
    ws = wb["Tài khoản"]
    assert ws["A1"].value == "DANH SÁCH TÀI KHOẢN ĐĂNG NHẬP – Quận Ba Đình"
    assert ws["A2"].value == CREDENTIALS_NOTE
    assert [c.value for c in ws[4]] == ["STT", "Họ và tên", "Đơn vị", "Tài khoản", "Mật khẩu"]
    assert list(CREDENTIALS_HEADERS) == ["STT", "Họ và tên", "Đơn vị", "Tài khoản", "Mật khẩu"]
    rows = [tuple(c.value for c in ws[r]) for r in (5, 6)]
    assert rows == [
        (1, "Nguyễn Văn An", "Phòng Nội vụ", "nguyenvanan_badinh", "0aB3cD4eF5gH"),
        (2, "Trần Thị Bình", "UBND phường Cống Vị", "tranthibinh_badinh", "=7kLmN8pQ9rS"),
    ]
    assert ws.max_row == 6
    assert ws["E5"].number_format == "@" and ws["E6"].data_type == "s"  # a leading "=" stays text
    table = ws.tables["TaiKhoan"]
    assert table.ref == "A4:E6"
    assert [c.name for c in table.tableColumns] == list(CREDENTIALS_HEADERS)
    assert ws.freeze_panes == "A5"


def test_credentials_header_first():
    wb = _open(credentials_bytes(ACCOUNTS, "Quận Ba Đình", header_first=True))
    values = list(wb["Tài khoản"].values)
    assert values[0] == CREDENTIALS_HEADERS
    assert values[1:] == [
        (1, "Nguyễn Văn An", "Phòng Nội vụ", "nguyenvanan_badinh", "0aB3cD4eF5gH"),
        (2, "Trần Thị Bình", "UBND phường Cống Vị", "tranthibinh_badinh", "=7kLmN8pQ9rS"),
    ]


def test_credentials_empty_list_has_autofilter():
    ws = _open(credentials_bytes([], "Huyện Gia Lâm"))["Tài khoản"]
    assert [c.value for c in ws[4]] == list(CREDENTIALS_HEADERS)
    assert ws.auto_filter.ref == "A4:E4"
    assert not ws.tables


# --- error sheet ----------------------------------------------------------------------------------------


def _uploaded() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    ws.merge_cells("A1:K1")
    ws["A1"] = TITLE
    ws["A2"] = "1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính"
    ws["A3"] = "2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: 3 người"
    for i, title in enumerate(TITLES, start=1):
        ws.cell(row=5, column=i, value=title)
    ws.append([1, "Nguyễn Văn An", "Chuyên viên", None, "an@hanoi", "0912345678", "Phòng Nội vụ", ROLE_CHOICES[2]])
    ws.append([2, "Lê Văn Cường", "Chuyên viên", None, None, None, "Phòng Nội vụ", ROLE_CHOICES[2]])
    ws.append([3, "Phạm Thị Dung", "Chuyên viên", None, None, "0987654321", "Phòng Nội vụ", "Nhân viên"])
    ws["F6"].number_format = "@"
    ws["B6"].font = Font(bold=True)
    wb.create_sheet("Khác")["A1"] = "không động tới"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_error_sheet_adds_column_and_keeps_cells():
    original = _uploaded()
    sheet = _parse(original)
    issues = {
        6: [Issue(6, "Email", "Email “an@hanoi” không đúng dạng địa chỉ thư điện tử.")],
        8: [
            Issue(8, "Vai trò", "Vai trò “Nhân viên” không đúng."),
            Issue(8, "SĐT liên hệ", "Chưa có số điện thoại liên hệ.", "warning"),
        ],
        7: [Issue(7, "SĐT liên hệ", "Chưa có số điện thoại liên hệ.", "warning")],
    }
    data = error_sheet_bytes(original, sheet.header_row, issues)
    wb = _open(data)
    assert wb.sheetnames == ["DS", "Khác"]
    assert wb["Khác"]["A1"].value == "không động tới"
    ws = wb["DS"]

    assert ws["L5"].value == ERROR_COLUMN_TITLE
    assert ws["L5"].font.b and ws["L5"].font.color.rgb.endswith("C00000")
    assert ws["L6"].value == "Lỗi: [Email] Email “an@hanoi” không đúng dạng địa chỉ thư điện tử."
    assert ws["L7"].value == "Cảnh báo: [SĐT liên hệ] Chưa có số điện thoại liên hệ."
    assert ws["L8"].value == (
        "Lỗi: [Vai trò] Vai trò “Nhân viên” không đúng.\nCảnh báo: [SĐT liên hệ] Chưa có số điện thoại liên hệ."
    )
    assert ws["L6"].alignment.wrap_text
    assert ws["L4"].value is None and ws["L9"].value is None

    # Cells at fault: light red for errors, light yellow for warnings only.
    red, yellow = ws["E6"].fill.fgColor.rgb, ws["F7"].fill.fgColor.rgb
    assert ws["E6"].fill.fill_type == "solid" and ws["F7"].fill.fill_type == "solid"
    assert red != yellow
    assert ws["H8"].fill.fgColor.rgb == red and ws["F8"].fill.fgColor.rgb == yellow
    assert ws["B6"].fill.fill_type is None

    # Everything that was there is still there.
    orig = _open(original)["DS"]
    for row in orig.iter_rows(min_row=1, max_row=8, max_col=11):
        for cell in row:
            assert ws[cell.coordinate].value == cell.value, cell.coordinate
    assert ws["F6"].number_format == "@" and ws["B6"].font.b
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:K1"]

    # The sheet still imports the same way with the extra column.
    again = _parse(data)
    assert again.header_row == 5 and len(again.rows) == 3


def test_error_sheet_whole_file_issues_and_named_sheet():
    wb = Workbook()
    wb.active.title = "Bìa"
    ws = wb.create_sheet("Mẫu 01")
    ws["A1"] = "Danh sách"
    for i, title in enumerate(TITLES[:9], start=1):
        ws.cell(row=3, column=i, value=title)
    ws.append([1, "Nguyễn Văn An", None, None, None, None, "Phòng Nội vụ", ROLE_CHOICES[2]])
    ws["P40"].fill = PatternFill(fill_type="solid", fgColor="FF00FF00")  # formatted, no value
    buf = io.BytesIO()
    wb.save(buf)
    issues = {
        0: [Issue(0, "", "Tệp có hai trang tính; đã đọc trang “Mẫu 01”.", "warning")],
        3: [Issue(3, "Lãnh đạo đánh giá", "Không có cột “Lãnh đạo đánh giá”.", "warning")],
        4: [Issue(4, "Họ và tên", "Trùng họ tên.", "warning")],
    }
    out = _open(error_sheet_bytes(buf.getvalue(), 3, issues, sheet_name="Mẫu 01"))
    assert out.active.title == "Mẫu 01"
    ws = out["Mẫu 01"]
    assert ws["J3"].value == ERROR_COLUMN_TITLE  # after the last column with a value, not after P
    comment = ws["J3"].comment.text
    assert "Cảnh báo: Tệp có hai trang tính" in comment
    assert "Cảnh báo: [Lãnh đạo đánh giá] Không có cột" in comment
    assert "Tệp có hai trang tính" in ws["J2"].value  # noted above the header too
    assert ws["J4"].value == "Cảnh báo: [Họ và tên] Trùng họ tên."
    assert out["Bìa"]["J3"].value is None


def test_error_sheet_reuses_its_column_on_a_corrected_copy():
    original = _uploaded()
    first = error_sheet_bytes(original, 5, {6: [Issue(6, "Email", "Sai email.")], 7: [Issue(7, "Vai trò", "x")]})
    second = _open(error_sheet_bytes(first, 5, {8: [Issue(8, "Vai trò", "Sai vai trò.")]}))
    ws = second["DS"]
    assert ws["L5"].value == ERROR_COLUMN_TITLE and ws["M5"].value is None
    assert ws["L6"].value is None and ws["L7"].value is None
    assert ws["E6"].fill.fill_type is None
    assert ws["L8"].value == "Lỗi: [Vai trò] Sai vai trò."


@pytest.mark.parametrize("rows", [0, 1])
def test_template_small_row_counts(rows):
    sheet = _parse(template_bytes(rows=rows))
    assert sheet.header_row == 5 and sheet.rows == []


# --- error sheet: what is loaded whole, what is rebuilt --------------------------------------------------

ISSUES = {
    6: [Issue(6, "Email", "Email “an@hanoi” không đúng dạng địa chỉ thư điện tử.")],
    7: [Issue(7, "SĐT liên hệ", "Chưa có số điện thoại liên hệ.", "warning")],
    8: [Issue(8, "Vai trò", "Vai trò “Nhân viên” không đúng.")],
}


def test_the_error_sheet_finds_columns_with_the_domains_header_matcher():
    """Titles the import accepts (aliases, notes in brackets) are the titles the error sheet colours."""
    wb = Workbook()
    ws = wb.active
    for i, title in enumerate(["TT", "Họ tên (ghi có dấu)", "Chức danh", "Tên đăng nhập", "Địa chỉ email",
                               "Số điện thoại", "Đơn vị công tác", "Vai trò trên phần mềm"], start=1):
        ws.cell(row=1, column=i, value=title)
    ws.append([1, "Nguyễn Văn An", None, None, "an@hanoi", None, "Phòng Nội vụ", ROLE_CHOICES[2]])
    buf = io.BytesIO()
    wb.save(buf)
    out = _open(error_sheet_bytes(buf.getvalue(), 1, {2: [Issue(2, "Email", "Sai."),
                                                           Issue(2, "SĐT liên hệ", "Thiếu.", "warning")]})).active
    assert out["E2"].fill.fill_type == "solid" and out["F2"].fill.fill_type == "solid"
    assert out["E2"].fill.fgColor.rgb != out["F2"].fill.fgColor.rgb
    assert out["B2"].fill.fill_type is None


def test_a_large_upload_is_rebuilt_from_its_values(monkeypatch):
    """Past what openpyxl may load whole, the sheet is rewritten in write-only mode: values, report, fills."""
    from app.excel import guard

    monkeypatch.setattr(guard.Package, "fits_openpyxl", lambda self, *a, **k: False)
    original = _uploaded()
    ws = _open(error_sheet_bytes(original, 5, ISSUES)).active
    assert ws.title == "DS"
    assert [ws.cell(row=5, column=i).value for i in range(1, 13)] == TITLES + [ERROR_COLUMN_TITLE]
    assert ws["L5"].font.b and ws["L5"].font.color.rgb.endswith("C00000")
    assert ws["B6"].value == "Nguyễn Văn An" and ws["F6"].value == "0912345678"
    assert ws["A1"].value == TITLE and ws["A3"].value.endswith("3 người")
    assert ws["L6"].value.startswith("Lỗi: [Email]") and ws["L7"].value.startswith("Cảnh báo: [SĐT liên hệ]")
    assert ws["E6"].fill.fill_type == "solid" and ws["H8"].fill.fill_type == "solid" and ws["B6"].fill.fill_type is None
    assert ws["E6"].fill.fgColor.rgb != ws["F7"].fill.fgColor.rgb
    again = _parse(error_sheet_bytes(original, 5, ISSUES))
    assert again.header_row == 5 and len(again.rows) == 3
    # A corrected copy of a rebuilt report reuses its column.
    second = _open(error_sheet_bytes(error_sheet_bytes(original, 5, ISSUES), 5, {8: [Issue(8, "Vai trò", "x")]})).active
    assert second["L5"].value == ERROR_COLUMN_TITLE and second["M5"].value is None
    assert second["L6"].value is None and second["L8"].value == "Lỗi: [Vai trò] x"


def test_a_formula_in_an_uploaded_cell_comes_back_as_text_when_rebuilt(monkeypatch):
    from app.excel import guard

    monkeypatch.setattr(guard.Package, "fits_openpyxl", lambda self, *a, **k: False)
    wb = Workbook()
    ws = wb.active
    for i, title in enumerate(TITLES, start=1):
        ws.cell(row=1, column=i, value=title)
    ws.append([1, "Nguyễn Văn An"])
    ws["C2"].value = '=HYPERLINK("http://evil.example","x")'
    ws["C2"].data_type = "s"  # stored as text in the upload
    buf = io.BytesIO()
    wb.save(buf)
    data = error_sheet_bytes(buf.getvalue(), 1, {2: [Issue(2, "Chức vụ", "x")]})
    import zipfile

    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert _open(data).active["C2"].data_type == "s"


def test_the_error_sheet_refuses_what_the_guard_refuses():
    from app.excel.guard import WorkbookError

    with pytest.raises(WorkbookError) as err:
        error_sheet_bytes(b"not a workbook", 5, ISSUES)
    assert err.value.code == "invalid" and err.value.field == "file"
