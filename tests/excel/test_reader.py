"""app.excel.reader: the values the Mẫu 01 parser needs, from .xlsx and .xls, and one error per kind of bad file."""
import datetime
import io
import random
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.excel.guard import Limits, WorkbookError
from app.excel.reader import iter_rows, open_workbook, sheet_names
from tests.excel.workbooks import MAIN_SHEET, NOTES_SHEET, REL_NS, SHARED, STYLES, build_xlsx

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLE = DATA / "mau01_sample.xlsx"
SAMPLE_XLS = DATA / "mau01_sample.xls"


def numbered(source, sheet=None, **kw):
    """iter_rows output, after checking the row numbers are 1, 2, 3, ... and blanks are trimmed."""
    rows = list(iter_rows(source, sheet, **kw))
    assert [n for n, _ in rows] == list(range(1, len(rows) + 1))
    assert all(isinstance(v, tuple) and (not v or v[-1] is not None) for _, v in rows)
    return rows


@pytest.fixture
def handmade(tmp_path):
    """Shared strings, styles, two sheets listed in a different order than their files."""
    return build_xlsx(
        tmp_path / "handmade.xlsx",
        [("Mẫu 01", "sheet2.xml", MAIN_SHEET), ("Ghi chú", "sheet1.xml", NOTES_SHEET)],
        shared=SHARED, styles=STYLES, absolute_targets=True,
    )


def test_openpyxl_written_staff_sheet(tmp_path):
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mẫu 01"
    ws.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC"])
    ws.append(["1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính"])
    ws.append([])
    ws.append(["STT", "Họ và tên", "Chức vụ", "Tài khoản", "Email", "SĐT liên hệ", "Đơn vị",
               "Vai trò", "Là quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"])
    ws.append([1, "Nguyễn Thị Ánh", "Chủ tịch", "nguyenthianh_badinh", "anh@hanoi.gov.vn",
               912345678, "UBND phường Cống Vị", "Lãnh đạo cấp trưởng, phó cơ quan đơn vị", "X"])
    ws.append([2.5, "  Trần Văn Đức  ", "Phó Chủ tịch", None, None, "0987654321", None, None,
               None, None, "Nguyễn Thị Ánh"])
    ws.append([])
    ws.append([])
    ws.append([None, None, None, True, False, None, None, None, None, None, "thưa"])
    ws["A10"] = "=A5+1"
    ws["B10"] = datetime.datetime(1990, 5, 17, 8, 30)
    ws["C10"] = datetime.date(2021, 12, 31)
    ws["D10"] = datetime.time(7, 45)
    ws["E10"] = 1.25e-7
    ws["F10"] = -3
    ws["H10"] = 36526
    ws["H10"].number_format = '"Ngày "0'
    ws["A11"] = CellRichText(["Ông ", TextBlock(InlineFont(b=True), "Hoàng"), " Minh"])
    ws["B11"] = "Dòng 1\nDòng 2"
    ws["C11"] = "a < b & c > \"d\""
    ws["Z13"] = "xa"
    path = tmp_path / "staff.xlsx"
    wb.save(path)

    rows = dict(numbered(path))
    assert rows[5] == (1, "Nguyễn Thị Ánh", "Chủ tịch", "nguyenthianh_badinh", "anh@hanoi.gov.vn", 912345678,
                       "UBND phường Cống Vị", "Lãnh đạo cấp trưởng, phó cơ quan đơn vị", "X")
    assert type(rows[5][0]) is int and type(rows[5][5]) is int  # whole numbers come back as int
    assert rows[6][:2] == (2.5, "  Trần Văn Đức  ") and rows[6][5] == "0987654321"
    assert rows[7] == rows[8] == ()
    assert rows[9][3:5] == (True, False)
    assert rows[10][0] is None  # a formula openpyxl wrote has no cached value
    assert rows[10][1:4] == (datetime.datetime(1990, 5, 17, 8, 30), datetime.date(2021, 12, 31), datetime.time(7, 45))
    assert rows[10][4:6] == (1.25e-7, -3) and rows[10][7] == 36526
    assert rows[11] == ("Ông Hoàng Minh", "Dòng 1\nDòng 2", 'a < b & c > "d"')
    assert max(rows) == 13 and rows[13][25] == "xa" and len(rows[13]) == 26


def test_handmade_workbook_values(handmade):
    rows = dict(numbered(handmade))
    assert rows[1] == ("Họ và tên", "Lãnh đạo đánh giá")
    # "#N/A" (an error value) reads as blank; "1E3" as the whole number it is.
    assert rows[2] == ("Nguyễn Văn Ánh", 912345678, 1.5, 1000, -0.25, True, False, None, "Nguyễn", "0912345678")
    assert rows[3] == rows[4] == ()
    assert rows[5] == ("Trần Thị Bích",) + (None,) * 9 + ("Lê Hữu", None, "Đỗ Quý")  # rich text, phonetic runs dropped
    assert rows[6] == ("  Phòng Tư pháp  ", "A & B <C> \"q\" 'a' ể", 7)  # cells without r follow each other
    assert rows[7] == ("Dòng 1\r\nDòng 2", "_x000D_ giữ nguyên")  # an empty shared string is blank
    assert rows[8] == rows[9] == ()
    assert rows[10] == (
        datetime.date(2020, 1, 2), datetime.datetime(2000, 1, 1, 12, 0), datetime.time(18, 0),
        datetime.timedelta(days=1, hours=12), 1234.5, 7, 3, datetime.date(2020, 6, 18),
        datetime.date(1900, 1, 30), "2021-03-04T05:06:07Z")
    assert rows[11] == (42, None, None, "Bùi & Co")
    assert max(rows) == 11


def test_sheet_order_names_and_index(handmade):
    assert sheet_names(handmade) == ["Mẫu 01", "Ghi chú"]
    first = list(iter_rows(handmade))
    assert first == list(iter_rows(handmade, 0)) == list(iter_rows(handmade, "Mẫu 01"))
    notes = list(iter_rows(handmade, "Ghi chú"))
    assert notes == [(1, ()), (2, ()), (3, (None, "Ghi chú"))]
    assert list(iter_rows(handmade, 1)) == list(iter_rows(handmade, " ghi CHÚ ")) == notes
    with pytest.raises(WorkbookError, match="Không tìm thấy trang tính") as err:
        iter_rows(handmade, "Mẫu 02")
    assert err.value.code == "no_sheet" and err.value.field == "file"
    with pytest.raises(WorkbookError):
        iter_rows(handmade, 2)


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("date1904", [False, True])
def test_prefix_and_1904(tmp_path, prefix, date1904):
    path = build_xlsx(tmp_path / "p.xlsx", [("Mẫu 01", "sheet1.xml", MAIN_SHEET)],
                      shared=SHARED, styles=STYLES, date1904=date1904, prefix=prefix)
    rows = dict(numbered(path))
    epoch = datetime.date(1904, 1, 1) if date1904 else datetime.date(1899, 12, 30)
    assert rows[10][0] == epoch + datetime.timedelta(days=43832)
    assert rows[2][0] == "Nguyễn Văn Ánh" and rows[6][1] == "A & B <C> \"q\" 'a' ể"


def test_without_shared_strings_and_styles(tmp_path):
    data = ('<row r="2"><c r="B2" t="inlineStr"><is><t>Vũ Minh Quyên</t></is></c>'
            '<c r="C2" s="3"><v>0912</v></c></row>')
    path = build_xlsx(tmp_path / "bare.xlsx", [("Sheet1", "sheet1.xml", data)])
    assert numbered(path) == [(1, ()), (2, (None, "Vũ Minh Quyên", 912))]


def test_stale_dimension_does_not_hide_cells(tmp_path):
    data = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
            '<row r="4"><c r="C4" t="inlineStr"><is><t>ngoài vùng</t></is></c></row>')
    path = build_xlsx(tmp_path / "dim.xlsx", [("S", "sheet1.xml", data)], dimension="A1:B2")
    assert numbered(path) == [(1, (1, 2)), (2, ()), (3, ()), (4, (None, None, "ngoài vùng"))]


def test_large_sheet_reads_what_openpyxl_reads(tmp_path):
    rnd = random.Random(7)
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(1, 4001):
        if i % 97 == 0:
            ws.append([])  # an empty row now and then
            continue
        row = [i, f"Nguyễn Văn {i}", rnd.choice(["Chuyên viên", "Giáo viên"]),
               rnd.randint(900000000, 999999999), rnd.random() * 10, "X" if i % 13 == 0 else None]
        if i % 50 == 0:
            row += [None] * 20 + ["xa"]  # an occasional wide row
        ws.append(row)
    path = tmp_path / "large.xlsx"
    wb.save(path)
    expected = []
    book = openpyxl.load_workbook(path, read_only=True)
    for row in book.worksheets[0].iter_rows(values_only=True):
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        expected.append(tuple(row))
    book.close()
    got = [v for _, v in numbered(path)]
    assert got == expected and len(got) == 4000


def test_clean_sample_and_its_xls_copy_read_the_same():
    rows = numbered(SAMPLE)
    assert sheet_names(SAMPLE) == ["Mẫu 01"] and rows[4][1][:2] == ("STT", "Họ và tên")
    assert rows[5][1][5] == "0933234300"
    assert numbered(SAMPLE_XLS) == rows  # tests/data/mau01_sample.xls: LibreOffice's "MS Excel 97" export
    with open_workbook(SAMPLE_XLS) as book:
        assert book.kind == "xls"


def test_file_like_sources(handmade):
    expected = list(iter_rows(handmade))
    data = handmade.read_bytes()
    assert list(iter_rows(io.BytesIO(data))) == expected
    assert list(iter_rows(data)) == expected
    assert list(iter_rows(str(handmade))) == expected
    stream = io.BytesIO(data)
    stream.read()  # already consumed once
    assert list(iter_rows(stream)) == expected

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self._inner = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, b):
            return self._inner.readinto(b)

    assert list(iter_rows(Unseekable())) == expected


def test_werkzeug_file_storage(handmade):
    from werkzeug.datastructures import FileStorage

    with open(handmade, "rb") as fh:
        upload = FileStorage(stream=fh, filename="mau01.xlsx")
        assert list(iter_rows(upload)) == list(iter_rows(handmade))


def test_early_stop(handmade):
    rows = iter_rows(handmade)
    assert next(rows) == (1, ("Họ và tên", "Lãnh đạo đánh giá"))
    rows.close()


def _assert_error(source, code):
    with pytest.raises(WorkbookError) as info:
        iter_rows(source)  # refused at call time: no row is needed
    err = info.value
    assert err.code == code and err.field == "file" and str(err) == err.message
    assert "Tệp" in err.message or "trang tính" in err.message
    return err


def test_damaged_or_foreign_files_get_one_clear_message(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(random.Random(1).randbytes(5000))
    err = _assert_error(junk, "invalid")
    assert "không phải là bảng tính Excel" in err.message
    fake_zip = tmp_path / "fake.xlsx"
    fake_zip.write_bytes(b"PK\x03\x04" + random.Random(2).randbytes(500))
    _assert_error(fake_zip, "invalid")
    broken_xls = tmp_path / "cu.xls"
    broken_xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    _assert_error(broken_xls, "invalid")
    notes = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(notes, "w") as zf:
        zf.writestr("ghi_chu.txt", "không phải bảng tính")
    _assert_error(notes, "invalid")
    docx = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"))
        zf.writestr("word/document.xml", '<w:document xmlns:w="urn:w"/>')
    _assert_error(docx, "invalid")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert "rỗng" in _assert_error(empty, "empty").message
    _assert_error(io.BytesIO(), "empty")


def test_password_protected_workbook_is_explained(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                     + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    assert "mật khẩu" in _assert_error(path, "encrypted").message


def test_workbook_without_sheets(tmp_path):
    assert "trang tính" in _assert_error(build_xlsx(tmp_path / "nosheet.xlsx", []), "no_sheets").message


def test_corrupt_xml(tmp_path, handmade):
    with zipfile.ZipFile(handmade) as src, zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # cut in the middle of sheetData
            dst.writestr(info.filename, data)
    _assert_error(tmp_path / "bad.xlsx", "invalid")
    with zipfile.ZipFile(handmade) as src, zipfile.ZipFile(tmp_path / "badwb.xlsx", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data[: len(data) // 3]
            dst.writestr(info.filename, data)
    _assert_error(tmp_path / "badwb.xlsx", "invalid")


def test_the_app_limits_are_applied_to_what_calamine_read(tmp_path):
    data = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 121))
    path = build_xlsx(tmp_path / "rows.xlsx", [("S", "sheet1.xml", data)])
    assert len(numbered(path, limits=Limits(max_rows=120))) == 120
    with pytest.raises(WorkbookError) as err:
        iter_rows(path, limits=Limits(max_rows=119))
    assert err.value.code == "too_many_rows" and "120" in err.value.message and "119" in err.value.message
    wide = build_xlsx(tmp_path / "wide.xlsx", [("S", "sheet1.xml", data + '<row r="121"><c r="T121"><v>1</v></c></row>')])
    with pytest.raises(WorkbookError) as err:
        iter_rows(wide, limits=Limits(max_cells=121 * 19))
    assert err.value.code == "too_many_cells" and "121 dòng × 20 cột" in err.value.message


def test_a_phone_stored_as_a_number_still_parses(tmp_path):
    """Excel drops the leading 0 of a phone typed as a number; the reader hands the parser the int."""
    from app.domain.mau01 import parse_sheet

    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{t}</t></is></c>'
                     for c, t in zip("ABCD", ("Họ và tên", "SĐT liên hệ", "Đơn vị", "Vai trò")))
    row = ('<c r="A2" t="inlineStr"><is><t>Vũ Minh Quyên</t></is></c><c r="B2"><v>912345678</v></c>'
           '<c r="C2" t="inlineStr"><is><t>Phòng Nội vụ</t></is></c>'
           '<c r="D2" t="inlineStr"><is><t>Công chức, viên chức, lao động hợp đồng</t></is></c>')
    path = build_xlsx(tmp_path / "phone.xlsx", [("S", "sheet1.xml", f'<row r="1">{header}</row><row r="2">{row}</row>')])
    sheet = parse_sheet(iter_rows(path))
    assert sheet.rows[0].phone == "0912345678" and not sheet.errors
