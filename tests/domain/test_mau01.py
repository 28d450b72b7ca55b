"""Reading Mẫu 01: the layout, the header hunt, and every slip a person makes in Excel."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest

from app.domain.mau01 import (
    COLUMNS,
    ERROR,
    HEADCOUNT_PREFIX,
    ROLE_CHOICES,
    TITLE,
    UNIT_TYPE_PREFIX,
    WARNING,
    Issue,
    Mau01FormatError,
    Mau01Row,
    headcount_line,
    parse_sheet,
    unit_type_line,
)
from app.domain.roles import EVAL_ROLES

SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "data" / "mau01_sample.xlsx"

HEADER = tuple(c.title for c in COLUMNS)
STAFF = "Công chức, viên chức, lao động hợp đồng"
LEADER = "Lãnh đạo cấp trưởng, phó cơ quan đơn vị"
PREAMBLE = [
    (TITLE,),
    ("1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính",),
    ("2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: 3 người",),
    (),
]
DEFAULTS = {
    "stt": 1,
    "full_name": "Nguyễn Văn An",
    "position": "Chuyên viên",
    "account": None,
    "email": None,
    "phone": "0912345678",
    "unit": "Phòng Tư pháp",
    "role": STAFF,
    "unit_admin": None,
    "reviewer": None,
    "evaluator": "Đặng Ngọc Anh",
}


def person(**overrides) -> tuple:
    """One data row in template order."""
    values = {**DEFAULTS, **overrides}
    return tuple(values[c.key] for c in COLUMNS)


def sheet(*data, preamble=PREAMBLE, header=HEADER) -> list[tuple[int, tuple]]:
    """(Excel row number, values) pairs: preamble lines, the header, then the data rows."""
    lines = [*preamble, header, *data]
    return [(i, tuple(v)) for i, v in enumerate(lines, start=1)]


def first_data_row(preamble=PREAMBLE) -> int:
    return len(preamble) + 2


def parse_one(**overrides):
    parsed = parse_sheet(sheet(person(**overrides), preamble=[]))
    assert len(parsed.rows) == 1
    return parsed, parsed.rows[0]


def only_issue(parsed, severity=None):
    issues = [i for i in parsed.issues if severity is None or i.severity == severity]
    assert len(issues) == 1, issues
    return issues[0]


# --- the clean sample ----------------------------------------------------------------------------------


def read_workbook(path: Path) -> list[tuple[int, tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        return [(i, tuple(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()


def test_clean_sample_parses_without_a_single_issue():
    parsed = parse_sheet(read_workbook(SAMPLE))
    assert len(parsed.rows) == 38
    assert parsed.errors == []
    assert parsed.issues == []
    assert parsed.unit_type == "Đơn vị hành chính"
    assert parsed.headcount == 38
    assert parsed.header_row == 5
    assert parsed.columns == {c.key: i for i, c in enumerate(COLUMNS)}
    first = parsed.rows[0]
    assert first == Mau01Row(
        row=6,
        full_name="Vũ Minh Quyên",
        position="Chủ tịch",
        account="vuminhquyen_badinh",
        email="vuminhquyen_badinh@hanoi.gov.vn",
        phone="0933234300",
        unit="UBND phường Cống Vị",
        role="leader",
        unit_admin=False,
        reviewer=None,
        evaluator=None,
    )
    assert [r.row for r in parsed.rows] == list(range(6, 44))
    assert sum(r.unit_admin for r in parsed.rows) == 3
    assert {r.role for r in parsed.rows} == {r.code for r in EVAL_ROLES}
    by_name = {r.full_name: r for r in parsed.rows}
    assert by_name["Phạm Văn Yên"].reviewer == "Ngô Hữu Bảo"
    assert by_name["Phạm Văn Yên"].evaluator == "Ngô Văn Đông"


def test_clean_sample_with_its_suffix_has_no_naming_warning():
    parsed = parse_sheet(read_workbook(SAMPLE), account_suffix="badinh")
    assert parsed.issues == []


def test_sample_lines_are_what_the_template_writes():
    rows = read_workbook(SAMPLE)
    assert rows[0][1][0] == TITLE
    assert rows[1][1][0] == unit_type_line("Đơn vị hành chính")
    assert rows[2][1][0] == headcount_line(38)
    assert rows[4][1] == HEADER
    assert unit_type_line("X").startswith(UNIT_TYPE_PREFIX)
    assert headcount_line(1).startswith(HEADCOUNT_PREFIX)
    assert ROLE_CHOICES == tuple(r.mau01_text for r in EVAL_ROLES)


def test_columns_in_template_order():
    assert [(c.key, c.title) for c in COLUMNS] == [
        ("stt", "STT"),
        ("full_name", "Họ và tên"),
        ("position", "Chức vụ"),
        ("account", "Tài khoản"),
        ("email", "Email"),
        ("phone", "SĐT liên hệ"),
        ("unit", "Đơn vị"),
        ("role", "Vai trò"),
        ("unit_admin", "Là quản trị đơn vị"),
        ("reviewer", "Lãnh đạo phụ trách nhận xét"),
        ("evaluator", "Lãnh đạo đánh giá"),
    ]
    assert {c.key for c in COLUMNS if c.required} == {"full_name", "unit", "role"}


# --- finding the header --------------------------------------------------------------------------------


@pytest.mark.parametrize("blank_lines", [0, 1, 10, 29])
def test_header_found_wherever_it_is_in_the_first_30_rows(blank_lines):
    rows = sheet(person(), preamble=[()] * blank_lines)
    parsed = parse_sheet(rows)
    assert parsed.header_row == blank_lines + 1
    assert len(parsed.rows) == 1


def test_header_below_row_30_is_not_found():
    with pytest.raises(Mau01FormatError) as info:
        parse_sheet(sheet(person(), preamble=[()] * 30))
    assert "Không tìm thấy dòng tiêu đề của Mẫu 01" in str(info.value)


@pytest.mark.parametrize(
    "header",
    [
        ("ST T", "Họ và\ntên", "Chức\nvụ", "Tài khoản", "Email", "SĐT\nliên hệ", "Đơn vị", "Vai trò",
         "Là quản trị\nđơn vị", "Lãnh đạo phụ trách\nnhận xét", "Lãnh đạo\nđánh giá"),
        ("stt", "HỌ VÀ TÊN", "CHỨC VỤ", "TÀI KHOẢN", "EMAIL", "SĐT LIÊN HỆ", "ĐƠN VỊ", "VAI TRÒ",
         "LÀ QUẢN TRỊ ĐƠN VỊ", "LÃNH ĐẠO PHỤ TRÁCH NHẬN XÉT", "LÃNH ĐẠO ĐÁNH GIÁ"),
        ("TT", "Họ tên", "Chức vụ", "Tài khoản đăng nhập", "E-mail", "Số điện thoại", "Đơn vị", "Vai trò",
         "Quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"),
        ("STT", "Họ và tên (*)", "Chức vụ", "Tài khoản", "E-mail", "Điện thoại", "Đơn vị (*)", "Vai trò (*)",
         "Là quản trị đơn vị (đánh dấu X)", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"),
        ("STT", "Ho va ten", "Chuc vu", "Tai khoan", "Email", "SDT", "Don vi", "Vai tro", "La quan tri don vi",
         "Lanh dao phu trach nhan xet", "Lanh dao danh gia"),
        ("  STT ", " Họ\u00a0và  tên ", "Chức vụ", "Tài khoản", "Email công vụ", "SĐT", "Đơn vị công tác",
         "Vai trò", "Là quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"),
    ],
)
def test_header_variants(header):
    parsed = parse_sheet(sheet(person(), header=header))
    assert parsed.columns == {c.key: i for i, c in enumerate(COLUMNS)}
    assert parsed.rows[0].full_name == "Nguyễn Văn An"
    assert parsed.errors == []


def test_columns_in_any_order_and_extra_columns():
    order = ["role", "full_name", "unit", "stt", "evaluator", "phone", "email", "account", "unit_admin",
             "reviewer", "position"]
    titles = {c.key: c.title for c in COLUMNS}
    header = ("Ghi chú",) + tuple(titles[k] for k in order)
    values = {**DEFAULTS, "account": "nguyenvanan_badinh", "unit_admin": "X", "reviewer": "Bùi Ngọc Hạnh"}
    row = ("đã đăng ký",) + tuple(values[k] for k in order)
    parsed = parse_sheet(sheet(row, header=header))
    assert parsed.columns["role"] == 1 and parsed.columns["position"] == 11
    r = parsed.rows[0]
    assert (r.full_name, r.unit, r.role, r.account, r.unit_admin, r.reviewer, r.position) == (
        "Nguyễn Văn An", "Phòng Tư pháp", "staff", "nguyenvanan_badinh", True, "Bùi Ngọc Hạnh", "Chuyên viên",
    )
    assert parsed.errors == []


def test_missing_optional_columns_are_one_warning_each():
    header = ("Họ và tên", "Đơn vị", "Vai trò")
    parsed = parse_sheet(sheet(("Nguyễn Văn An", "Phòng Tư pháp", STAFF), ("Lê Thị Hà", "Phòng Tư pháp", STAFF),
                               header=header, preamble=[]))
    assert parsed.errors == []
    assert len(parsed.rows) == 2
    missing = {i.column for i in parsed.warnings}
    assert missing == {"Chức vụ", "Tài khoản", "Email", "SĐT liên hệ", "Là quản trị đơn vị",
                       "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"}
    assert all(i.row == 1 for i in parsed.warnings)
    assert parsed.rows[0] == Mau01Row(2, "Nguyễn Văn An", None, None, None, None, "Phòng Tư pháp", "staff",
                                      False, None, None)


@pytest.mark.parametrize(
    "header, missing",
    [
        (("STT", "Họ và tên", "Chức vụ", "Đơn vị", "Email"), ["Vai trò"]),
        (("STT", "Họ và tên", "Chức vụ", "Vai trò", "Email"), ["Đơn vị"]),
        (("STT", "Chức vụ", "Tài khoản", "Email"), ["Họ và tên", "Đơn vị", "Vai trò"]),
    ],
)
def test_required_columns_missing(header, missing):
    with pytest.raises(Mau01FormatError) as info:
        parse_sheet(sheet(person(), header=header))
    assert list(info.value.missing) == missing
    for title in missing:
        assert title in str(info.value)


@pytest.mark.parametrize("rows", [[], [(1, ("Bảng lương tháng 5",)), (2, (1, 2, 3))], [(1, ())]])
def test_not_a_mau01(rows):
    with pytest.raises(Mau01FormatError) as info:
        parse_sheet(rows)
    assert str(info.value) == (
        "Không tìm thấy dòng tiêu đề của Mẫu 01 (cần các cột: Họ và tên, Đơn vị, Vai trò)."
    )


# --- the two lines above the header ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        (("1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính",), "Đơn vị hành chính"),
        (("1- Loại hình của cơ quan, đơn vị : Đơn vị sự nghiệp",), "Đơn vị sự nghiệp"),
        (("1.Loại hình cơ quan đơn vị:Đơn vị hành chính.",), "Đơn vị hành chính"),
        (("1 – Loại hình của cơ quan đơn vị Đơn vị hành chính",), "Đơn vị hành chính"),
        (("  1  -  Loại  hình  của  cơ  quan  đơn  vị :   Đơn vị hành chính  ",), "Đơn vị hành chính"),
        (("1 - Loại hình của cơ quan đơn vị:", None, "Đơn vị sự nghiệp"), "Đơn vị sự nghiệp"),
        (("1 - Loại hình của cơ quan đơn vị:",), None),
        (("Something else",), None),
    ],
)
def test_unit_type(line, expected):
    parsed = parse_sheet(sheet(person(), preamble=[(TITLE,), line]))
    assert parsed.unit_type == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        (("2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: 38 người",), 38),
        (("2 - Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị : 38",), 38),
        (("2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị:1.250 người",), 1250),
        (("2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị 38 người",), 38),
        (("2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị:", None, 38), 38),
        (("2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị:", "38 người"), 38),
        (("2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: … người",), None),
        ((None,), None),
    ],
)
def test_headcount(line, expected):
    parsed = parse_sheet(sheet(person(), preamble=[(TITLE,), line]))
    assert parsed.headcount == expected


def test_headcount_that_differs_from_the_list_is_a_warning():
    parsed = parse_sheet(sheet(person(), person(full_name="Lê Thị Hà")))  # the preamble says 3
    issue = only_issue(parsed)
    assert issue.severity == WARNING
    assert issue.row == 3
    assert issue.message == "Dòng “Tổng số” ghi 3 người nhưng danh sách có 2 người."


# --- rows that are not people ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numbering",
    [tuple(range(1, 12)), tuple(f"({i})" for i in range(1, 12)), tuple(str(i) for i in range(1, 12)),
     tuple(float(i) for i in range(1, 12)), (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, None, None)],
)
def test_column_numbering_row_under_the_header_is_skipped(numbering):
    parsed = parse_sheet(sheet(numbering, person(), person(full_name="Lê Thị Hà"), person(full_name="Ngô Văn B")))
    assert [r.full_name for r in parsed.rows] == ["Nguyễn Văn An", "Lê Thị Hà", "Ngô Văn B"]
    assert parsed.issues == []


def test_blank_prenumbered_dotted_rows_are_skipped():
    rows = sheet(
        (),
        person(),
        (None,) * 11,
        ("", "  ", None, "\u00a0"),
        (2,),  # a pre-numbered empty row
        (3, None, None, None, None, None, None, None, None, None, None),
        person(stt=4, full_name="Lê Thị Hà"),
        (5,),
        ("...", "...", "...", "...", "...", "...", "...", "...", "...", "...", "..."),
        ("…", "…", "…"),
        (None, ".....", None, None, None, None, "…"),
        (None, "-", None, "-"),
    )
    parsed = parse_sheet(rows)
    assert [r.full_name for r in parsed.rows] == ["Nguyễn Văn An", "Lê Thị Hà"]
    assert parsed.errors == []


def test_header_repeated_mid_sheet_is_skipped():
    parsed = parse_sheet(sheet(person(), HEADER, tuple(range(1, 12)), person(full_name="Lê Thị Hà"),
                               person(full_name="Ngô Văn B")))
    assert [r.full_name for r in parsed.rows] == ["Nguyễn Văn An", "Lê Thị Hà", "Ngô Văn B"]
    assert parsed.issues == []


def test_signature_block_ends_the_list():
    rows = sheet(
        person(),
        person(full_name="Lê Thị Hà"),
        person(full_name="Ngô Văn B"),
        (),
        (None, "Hà Nội, ngày 12 tháng 5 năm 2024"),
        (None, "NGƯỜI LẬP BIỂU", None, None, None, None, None, None, "THỦ TRƯỞNG ĐƠN VỊ"),
        (None, "(Ký, ghi rõ họ tên)", None, None, None, None, None, None, "(Ký tên, đóng dấu)"),
        (None, "Trần Văn Lập", None, None, None, None, None, None, "Vũ Minh Quyên"),
    )
    parsed = parse_sheet(rows)
    assert [r.full_name for r in parsed.rows] == ["Nguyễn Văn An", "Lê Thị Hà", "Ngô Văn B"]
    issue = only_issue(parsed)
    assert issue.severity == WARNING and issue.row == 10
    assert "phần ký tên" in issue.message


def test_a_person_with_a_footer_like_position_is_still_a_person():
    parsed, row = parse_one(position="Thủ trưởng đơn vị")
    assert row.position == "Thủ trưởng đơn vị"


def test_empty_list_is_a_warning():
    parsed = parse_sheet(sheet(preamble=[]))
    assert parsed.rows == []
    assert only_issue(parsed).message == "Danh sách không có người nào."


# --- one rule at a time -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, column, severity, fragment",
    [
        ({"full_name": None}, "Họ và tên", ERROR, "Thiếu họ và tên."),
        ({"full_name": "   "}, "Họ và tên", ERROR, "Thiếu họ và tên."),
        ({"full_name": "..."}, "Họ và tên", ERROR, "Thiếu họ và tên."),
        ({"full_name": 12345}, "Họ và tên", ERROR, "Họ và tên “12345” không hợp lệ."),
        ({"email": "nguyenvanan"}, "Email", ERROR, "Email “nguyenvanan” không đúng dạng địa chỉ thư điện tử"),
        ({"email": "nguyen van an@hanoi.gov.vn"}, "Email", ERROR, "không đúng dạng"),
        ({"email": "an@hanoi"}, "Email", ERROR, "không đúng dạng"),
        ({"email": "an@@hanoi.gov.vn"}, "Email", ERROR, "không đúng dạng"),
        ({"email": "a@x.vn; b@y.vn"}, "Email", ERROR, "không đúng dạng"),
        ({"email": "nguyễn@hanoi.gov.vn"}, "Email", ERROR, "không đúng dạng"),
        ({"phone": "12345"}, "SĐT liên hệ", ERROR, "Số điện thoại “12345” không hợp lệ"),
        ({"phone": "0112345678"}, "SĐT liên hệ", ERROR, "không hợp lệ"),
        ({"phone": "0912345678 / 0987654321"}, "SĐT liên hệ", ERROR, "không hợp lệ"),
        ({"phone": "không biết"}, "SĐT liên hệ", ERROR, "không hợp lệ"),
        ({"phone": None}, "SĐT liên hệ", WARNING, "Chưa có số điện thoại liên hệ."),
        ({"phone": ""}, "SĐT liên hệ", WARNING, "Chưa có số điện thoại liên hệ."),
        ({"phone": "-"}, "SĐT liên hệ", WARNING, "Chưa có số điện thoại liên hệ."),
        ({"phone": "Không có"}, "SĐT liên hệ", WARNING, "Chưa có số điện thoại liên hệ."),
        ({"role": None}, "Vai trò", ERROR, "Thiếu vai trò; chọn một trong: “Lãnh đạo cấp trưởng"),
        ({"role": "Chuyên viên"}, "Vai trò", ERROR, "Vai trò “Chuyên viên” không đúng; chọn một trong:"),
        ({"role": "Lãnh đạo"}, "Vai trò", ERROR, "không đúng"),
        ({"role": "Công chức"}, "Vai trò", ERROR, "không đúng"),
        ({"unit_admin": "có"}, "Là quản trị đơn vị", ERROR, "Chỉ ghi “X” (là quản trị đơn vị) hoặc để trống, không ghi “có”."),
        ({"unit_admin": "Không"}, "Là quản trị đơn vị", ERROR, "không ghi “Không”"),
        ({"unit_admin": 1}, "Là quản trị đơn vị", ERROR, "không ghi “1”"),
        ({"unit_admin": "XX"}, "Là quản trị đơn vị", ERROR, "không ghi “XX”"),
        ({"unit": None}, "Đơn vị", ERROR, "Thiếu đơn vị."),
        ({"unit": "  "}, "Đơn vị", ERROR, "Thiếu đơn vị."),
        ({"account": "nguyễn văn an"}, "Tài khoản", ERROR, "Tài khoản “nguyễn văn an” không hợp lệ"),
        ({"account": "nguyen van an"}, "Tài khoản", ERROR, "không có khoảng trắng"),
    ],
)
def test_row_rules(overrides, column, severity, fragment):
    parsed = parse_sheet(sheet(person(**overrides), preamble=[]))
    issue = only_issue(parsed)
    assert (issue.row, issue.column, issue.severity) == (2, column, severity)
    assert fragment in issue.message
    assert len(parsed.rows) == 1  # a row with errors is still there for the preview


@pytest.mark.parametrize("text", [*ROLE_CHOICES, *(r.label for r in EVAL_ROLES)])
def test_every_role_text(text):
    _, row = parse_one(role=text)
    assert row.role == next(r.code for r in EVAL_ROLES if text in (r.mau01_text, r.label))


@pytest.mark.parametrize(
    "text, code",
    [
        ("lãnh đạo cấp trưởng, phó cơ quan đơn vị", "leader"),
        ("Lanh dao cap truong pho co quan don vi", "leader"),
        ("LÃNH ĐẠO CẤP TRƯỞNG, PHÓ CƠ QUAN ĐƠN VỊ", "leader"),
        ("Lãnh đạo cấp trưởng, phó cơ quan, đơn vị.", "leader"),
        ("  Công chức,viên chức , lao động hợp đồng", "staff"),
        ("Công chức - viên chức - lao động hợp đồng", "staff"),
        ("Công\nchức, viên chức, lao động hợp đồng", "staff"),
        ("Trưởng,phó các phòng,ban,ngành", "department_head"),
        ("truong pho cac phong ban nganh", "department_head"),
        ("Tổng hợp , tham mưu đánh giá", "synthesis"),
        ("Tong hop tham muu danh gia", "synthesis"),
        ("C«ng chøc, viªn chøc, lao ®éng hîp ®ång", "staff"),  # TCVN3
        ("Toång hôïp, tham möu ñaùnh giaù", "synthesis"),  # VNI
    ],
)
def test_role_slips(text, code):
    parsed, row = parse_one(role=text)
    assert row.role == code
    assert parsed.errors == []


@pytest.mark.parametrize(
    "value, expected",
    [("X", True), ("x", True), (" x ", True), ("✓", True), ("✔", True), ("×", True), (None, False), ("", False),
     ("  ", False), (True, True), (False, False)],
)
def test_unit_admin(value, expected):
    parsed, row = parse_one(unit_admin=value)
    assert row.unit_admin is expected
    assert parsed.errors == []


@pytest.mark.parametrize(
    "value, expected",
    [
        ("nguyenvanan@hanoi.gov.vn", "nguyenvanan@hanoi.gov.vn"),
        ("  NguyenVanAn@HaNoi.Gov.Vn ", "nguyenvanan@hanoi.gov.vn"),
        ("mailto:an@hanoi.gov.vn", "an@hanoi.gov.vn"),
        ("MAILTO:an@hanoi.gov.vn", "an@hanoi.gov.vn"),
        ("Mailto: an@hanoi.gov.vn", "an@hanoi.gov.vn"),
        ("an@hanoi.gov.vn.", "an@hanoi.gov.vn"),
        ("an@hanoi.gov.vn;", "an@hanoi.gov.vn"),
        ("Nguyễn Văn An <an@hanoi.gov.vn>", "an@hanoi.gov.vn"),
        ("nguyen.van-an+1@gmail.com", "nguyen.van-an+1@gmail.com"),
        (None, None),
        ("", None),
        ("-", None),
        ("không có", None),
    ],
)
def test_email(value, expected):
    parsed, row = parse_one(email=value)
    assert row.email == expected
    assert parsed.errors == []


@pytest.mark.parametrize(
    "value, expected",
    [
        (912345678, "0912345678"),
        (912345678.0, "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(024) 3825 1234", "02438251234"),
        ("091.234.5678", "0912345678"),
        ("091-234-5678", "0912345678"),
    ],
)
def test_phone(value, expected):
    parsed, row = parse_one(phone=value)
    assert row.phone == expected
    assert parsed.issues == []


@pytest.mark.parametrize(
    "value, expected",
    [
        ("nguyenvanan_badinh", "nguyenvanan_badinh"),
        ("  NguyenVanAn_BaDinh ", "nguyenvanan_badinh"),
        (None, None),
        ("", None),
        ("-", None),
    ],
)
def test_account(value, expected):
    parsed, row = parse_one(account=value)
    assert row.account == expected
    assert parsed.errors == []


def test_account_written_as_an_email_keeps_the_local_part():
    parsed, row = parse_one(account="nguyenvanan_badinh@hanoi.gov.vn")
    assert row.account == "nguyenvanan_badinh"
    issue = only_issue(parsed)
    assert issue.severity == WARNING and issue.column == "Tài khoản"


def test_account_against_the_naming_rule_with_a_suffix():
    rows = sheet(person(account="nguyenvanan_badinh"), person(full_name="Lê Thị Hà", account="ha.le"),
                 person(full_name="Lê Thị Hà", unit="Phòng Nội vụ", account="lethiha_badinh2"), preamble=[])
    parsed = parse_sheet(rows, account_suffix="badinh")
    issue = only_issue(parsed)
    assert (issue.row, issue.column, issue.severity) == (3, "Tài khoản", WARNING)
    assert "_badinh" in issue.message


def test_optional_texts_are_none_when_blank():
    _, row = parse_one(position=None, reviewer="", evaluator="  ")
    assert (row.position, row.reviewer, row.evaluator) == (None, None, None)
    _, row = parse_one(position="-", reviewer="Không", evaluator="…")
    assert (row.position, row.reviewer, row.evaluator) == (None, None, None)


def test_texts_are_normalised():
    _, row = parse_one(full_name="  Nguyễn\u00a0 Văn\nAn ", unit="Phòng\tTư  pháp", position="Chuyên\u00a0viên",
                       reviewer=" Bùi  Ngọc Hạnh ")
    assert (row.full_name, row.unit, row.position, row.reviewer) == (
        "Nguyễn Văn An", "Phòng Tư pháp", "Chuyên viên", "Bùi Ngọc Hạnh",
    )


def test_excel_values_of_other_types():
    _, row = parse_one(stt=1.0, full_name="Nguyễn Văn An", position=dt.datetime(2024, 5, 1), account=12345)
    assert row.position == "2024-05-01"
    assert row.account == "12345"


# --- duplicates ----------------------------------------------------------------------------------------


def test_same_account_twice_is_an_error_on_the_later_row():
    rows = sheet(
        person(account="nguyenvanan_badinh"),
        person(full_name="Lê Thị Hà", account="lethiha_badinh"),
        person(full_name="Nguyễn Văn An", unit="Phòng Nội vụ", account=" NguyenVanAn_Badinh "),
        preamble=[],
    )
    parsed = parse_sheet(rows)
    issue = only_issue(parsed)
    assert (issue.row, issue.column, issue.severity) == (4, "Tài khoản", ERROR)
    assert issue.message == "Tài khoản “nguyenvanan_badinh” trùng với dòng 2."
    assert len(parsed.rows) == 3


def test_same_email_twice_is_a_warning():
    """Units share mailboxes and sign-in never uses this address: point it out, import anyway."""
    rows = sheet(person(email="an@hanoi.gov.vn"), person(full_name="Lê Thị Hà", email="AN@hanoi.gov.vn"),
                 preamble=[])
    issue = only_issue(parsed := parse_sheet(rows))
    assert (issue.row, issue.column, issue.severity) == (3, "Email", WARNING)
    assert "trùng với dòng 2" in issue.message
    assert parsed.rows[1].email == "an@hanoi.gov.vn"


def test_same_name_and_unit_twice_is_a_warning_unless_accounts_tell_them_apart():
    rows = sheet(person(), person(full_name="NGUYỄN VĂN AN"), preamble=[])
    issue = only_issue(parse_sheet(rows))
    assert (issue.row, issue.column, issue.severity) == (3, "Họ và tên", WARNING)
    assert "trùng họ tên và đơn vị với dòng 2" in issue.message.lower()
    rows = sheet(person(account="nguyenvanan_badinh"), person(account="nguyenvanan_badinh2"), preamble=[])
    assert parse_sheet(rows).issues == []
    rows = sheet(person(), person(unit="Phòng Nội vụ"), preamble=[])
    assert parse_sheet(rows).issues == []


# --- legacy encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, legacy, expected, encoding",
    [
        ("full_name", "NguyÔn V¨n An", "Nguyễn Văn An", "TCVN3"),
        ("full_name", "Nguyeãn Vaên An", "Nguyễn Văn An", "VNI"),
        ("position", "Chuyªn viªn", "Chuyên viên", "TCVN3"),
        ("position", "Chuyeân vieân", "Chuyên viên", "VNI"),
        ("unit", "Phßng T\u00ad ph¸p", "Phòng Tư pháp", "TCVN3"),
        ("unit", "Phoøng Tö phaùp", "Phòng Tư pháp", "VNI"),
        ("reviewer", "Bïi Ngäc H¹nh", "Bùi Ngọc Hạnh", "TCVN3"),
        ("evaluator", "Ñaëng Ngoïc Anh", "Đặng Ngọc Anh", "VNI"),
    ],
)
def test_legacy_text_is_converted_with_a_warning(key, legacy, expected, encoding):
    parsed, row = parse_one(**{key: legacy})
    assert getattr(row, key) == expected
    issue = only_issue(parsed)
    title = next(c.title for c in COLUMNS if c.key == key)
    assert (issue.column, issue.severity) == (title, WARNING)
    assert issue.message.startswith(f"Đã chuyển “{legacy}” từ bảng mã {encoding}")
    assert issue.message.endswith(f"sang Unicode: “{expected}”.")


@pytest.mark.parametrize(
    "key, garbled",
    [
        ("full_name", "Nguyễn V¨n An"),
        ("position", "Chuyªªn viªn"),
        ("unit", "Phòng Tư ph¸p"),
        ("reviewer", "§§ Minh"),
        ("evaluator", "Mêng Kh¬ng"),
    ],
)
def test_legacy_text_that_cannot_be_converted_is_an_error_and_is_not_kept(key, garbled):
    parsed, row = parse_one(**{key: garbled})
    issue = only_issue(parsed)
    assert issue.severity == ERROR
    assert issue.column == next(c.title for c in COLUMNS if c.key == key)
    assert "bảng mã" in issue.message and garbled in issue.message
    assert getattr(row, key) in ("", None)


def test_the_row_settles_legacy_text_that_also_reads_as_unicode():
    # "Vò Minh Trung" is a valid Unicode string, but this row was typed in TCVN3: it is "Vũ Minh Trung".
    parsed, row = parse_one(full_name="Vò Minh Trung", position="Chuyªn viªn", unit="Phßng T\u00ad ph¸p")
    assert row.full_name == "Vũ Minh Trung"
    assert parsed.errors == []
    assert len(parsed.warnings) == 3


def test_the_row_settles_text_that_reads_as_both_legacy_encodings():
    parsed, row = parse_one(full_name="Löu Lan Lan", position="Chuyeân vieân")
    assert row.full_name == "Lưu Lan Lan"
    assert parsed.errors == []


def test_the_sheet_settles_a_row_with_nothing_else_to_go_by():
    rows = sheet(
        person(full_name="NguyÔn V¨n An", position="Chuyªn viªn", unit="Phßng T\u00ad ph¸p",
               role="C«ng chøc, viªn chøc, lao ®éng hîp ®ång", evaluator="§Æng Ngäc Anh"),
        person(full_name="Vò Minh Trung", position=None, unit="Phßng T\u00ad ph¸p",
               role="C«ng chøc, viªn chøc, lao ®éng hîp ®ång", evaluator="§Æng Ngäc Anh"),
        person(full_name="Khóc Thõa Dô", position=None, unit="UBND", role=STAFF, evaluator=None),
        preamble=[],
    )
    parsed = parse_sheet(rows)
    assert [r.full_name for r in parsed.rows] == ["Nguyễn Văn An", "Vũ Minh Trung", "Khúc Thừa Dụ"]
    assert parsed.errors == []


def test_unicode_rows_are_never_reinterpreted():
    rows = sheet(person(full_name="Ngô Tô", unit="UBND", position=None, evaluator=None), preamble=[])
    assert parse_sheet(rows).rows[0].full_name == "Ngô Tô"


# --- the result object ---------------------------------------------------------------------------------


def test_parsed_sheet_groups_issues():
    rows = sheet(
        person(full_name=None, role="Sếp"),
        person(full_name="Lê Thị Hà", phone=None),
        person(full_name="Ngô Văn B"),
        preamble=[],
    )
    parsed = parse_sheet(rows)
    assert [(i.row, i.column) for i in parsed.errors] == [(2, "Họ và tên"), (2, "Vai trò")]
    assert [(i.row, i.column) for i in parsed.warnings] == [(3, "SĐT liên hệ")]
    grouped = parsed.issues_by_row()
    assert list(grouped) == [2, 3]
    assert [i.column for i in grouped[2]] == ["Họ và tên", "Vai trò"]
    assert parsed.has_errors
    assert parsed.errors[0].as_dict() == {"row": 2, "column": "Họ và tên", "message": "Thiếu họ và tên."}
    assert parsed.rows[0] == Mau01Row(2, "", "Chuyên viên", None, None, "0912345678", "Phòng Tư pháp", None,
                                      False, None, "Đặng Ngọc Anh")


def test_issue_as_dict():
    assert Issue(7, "Email", "Sai", WARNING).as_dict() == {"row": 7, "column": "Email", "message": "Sai"}


def test_rows_may_be_any_iterable():
    parsed = parse_sheet(iter(sheet(person(), preamble=[])))
    assert len(parsed.rows) == 1


def test_short_rows_and_missing_cells():
    parsed = parse_sheet(sheet(("1", "Nguyễn Văn An", None, None, None, "0912345678", "Phòng Tư pháp", STAFF),
                               preamble=[]))
    assert parsed.errors == []
    assert parsed.rows[0].evaluator is None


# --- a whole district at once ----------------------------------------------------------------------------


def test_fifty_thousand_rows():
    rng = random.Random(7)
    surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Ngô", "Bùi", "Đặng"]
    middles = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thu", "Quang"]
    givens = ["An", "Bình", "Hà", "Đông", "Yên", "Tín", "Châu", "Hạnh", "Quyên", "Sang"]
    data = [tuple(range(1, 12))]
    for i in range(50_000):
        name = f"{rng.choice(surnames)} {rng.choice(middles)} {rng.choice(givens)}"
        data.append(person(
            stt=i + 1,
            full_name=name,
            account=f"user{i}_badinh",
            email=f"user{i}@hanoi.gov.vn",
            phone=900_000_000 + i,  # an Excel number without its leading 0
            unit=f"Trường số {i % 400}",
            role=ROLE_CHOICES[i % 4],
            unit_admin="X" if i % 100 == 0 else None,
            reviewer=None if i % 3 else "Ngô Hữu Bảo",
        ))
    data.append(person(stt=50_001, full_name=None, account="user0_badinh", phone="123"))
    data.extend([(50_002,), ("...",) * 11])
    rows = sheet(*data, preamble=[(TITLE,), ("1 - Loại hình của cơ quan đơn vị: Đơn vị sự nghiệp",),
                                 ("2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: 50001 người",), ()])
    parsed = parse_sheet(rows)
    assert len(parsed.rows) == 50_001
    assert parsed.unit_type == "Đơn vị sự nghiệp" and parsed.headcount == 50_001
    assert sum(r.unit_admin for r in parsed.rows) == 500
    assert {r.role for r in parsed.rows[:4]} == {r.code for r in EVAL_ROLES}
    assert parsed.rows[1].phone == "0900000001"
    assert [(i.column, i.severity) for i in parsed.errors] == [
        ("Họ và tên", ERROR), ("Tài khoản", ERROR), ("SĐT liên hệ", ERROR),
    ]
    duplicates_warned = [i for i in parsed.warnings if i.column == "Họ và tên"]
    assert duplicates_warned == []  # the same name in the same unit, but accounts tell them apart
    assert len(parsed.warnings) == 0
