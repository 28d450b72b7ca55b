"""app.xlsx_reader must return what openpyxl (read-only, values_only, data_only) returns."""
import datetime
import io
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app import xlsx_reader
from app.xlsx_reader import XlsxReadError, iter_rows, sheet_names

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "mau01_sample.xlsx"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MSG_XLS = "Tệp .xls (Excel 97-2003) không được hỗ trợ; hãy lưu lại dưới dạng .xlsx"
MSG_INVALID = "Tệp không phải là bảng tính .xlsx hợp lệ hoặc đã bị hỏng"


# ---------------------------------------------------------------- helpers

def _trim(row):
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return tuple(row)


def openpyxl_rows(source, sheet=None):
    """openpyxl read-only values, trailing Nones and trailing empty rows dropped."""
    wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb[wb.sheetnames[sheet]]
        else:
            ws = wb[sheet]
        rows = [_trim(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    while rows and rows[-1] == ():
        rows.pop()
    return rows


def our_rows(source, sheet=None):
    """iter_rows output after checking the row numbers are 1, 2, 3, ..."""
    numbered = list(iter_rows(source, sheet))
    assert [n for n, _ in numbered] == list(range(1, len(numbered) + 1))
    rows = [values for _, values in numbered]
    assert all(isinstance(v, tuple) and (not v or v[-1] is not None) for v in rows)
    while rows and rows[-1] == ():     # rows of value-less (styled) cells
        rows.pop()
    return rows


def assert_same_as_openpyxl(source, sheet=None):
    expected = openpyxl_rows(source, sheet)
    got = our_rows(source, sheet)
    for number, (want, have) in enumerate(zip(expected, got), start=1):
        assert have == want, f"row {number}"
        assert [type(v) for v in have] == [type(v) for v in want], f"row {number}"
    assert len(got) == len(expected)
    return got


def _prefixed(xml, prefix):
    """Same part with every element written as ``prefix:tag``."""
    if not prefix:
        return xml
    xml = re.sub(r"<(/?)([A-Za-z]\w*)", rf"<\1{prefix}:\2", xml)
    return xml.replace(f'xmlns="{MAIN_NS}"', f'xmlns:{prefix}="{MAIN_NS}"')


def build_xlsx(path, sheets, shared=None, styles=None, date1904=False,
               prefix="", absolute_targets=False, dimension=None):
    """Write a workbook by hand.

    ``sheets``: list of ``(name, member, sheet_data_xml)`` in workbook order;
    ``member`` is the file name under xl/worksheets/.  ``shared``: list of
    ``<si>`` inner XML.  ``styles``: ``(numFmts: {id: code}, xf numFmtIds)``.
    """
    types = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
    ]
    rels = []
    sheet_els = []
    files = {}
    for i, (name, member, data) in enumerate(sheets, start=1):
        target = f"/xl/worksheets/{member}" if absolute_targets else f"worksheets/{member}"
        rels.append(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="{target}"/>')
        sheet_els.append(f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>')
        types.append(f'<Override PartName="/xl/worksheets/{member}" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
        files[f"xl/worksheets/{member}"] = _prefixed(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            + (f'<dimension ref="{dimension}"/>' if dimension else "")
            + f'<sheetData>{data}</sheetData>'
            f'<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f'</worksheet>', prefix)
    if shared is not None:
        rels.append(f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>')
        types.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        files["xl/sharedStrings.xml"] = _prefixed(
            f'<sst xmlns="{MAIN_NS}" count="{len(shared)}" uniqueCount="{len(shared)}">'
            + "".join(f"<si>{si}</si>" for si in shared) + "</sst>", prefix)
    if styles is not None:
        num_fmts, xf_ids = styles
        fmts = "".join(f'<numFmt numFmtId="{i}" formatCode="{code}"/>' for i, code in num_fmts.items())
        xfs = "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for i in xf_ids)
        rels.append(f'<Relationship Id="rIdT" Type="{REL_NS}/styles" Target="styles.xml"/>')
        types.append('<Override PartName="/xl/styles.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')
        files["xl/styles.xml"] = _prefixed(
            f'<styleSheet xmlns="{MAIN_NS}"><numFmts count="{len(num_fmts)}">{fmts}</numFmts>'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xf_ids)}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '</styleSheet>', prefix)
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    files["xl/workbook.xml"] = _prefixed(
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{pr}<sheets>{"".join(sheet_els)}</sheets>'
        '</workbook>', prefix)
    files["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels) + "</Relationships>")
    files["_rels/.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>")
    files["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(types) + "</Types>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    return path


SHARED = [
    "<t>Họ và tên</t>",                                                      # 0
    "<t>Nguyễn Văn Ánh</t>",                                                 # 1
    '<r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">Trần </t></r>'
    "<r><t>Thị Bích</t></r>",                                                # 2 rich text
    '<t>Lê Hữu</t><rPh sb="0" eb="2"><t>レ ヒウ</t></rPh><phoneticPr fontId="1"/>',  # 3 phonetic
    '<t xml:space="preserve">  Phòng Tư pháp  </t>',                         # 4
    "<t>A &amp; B &lt;C&gt; &quot;q&quot; &#39;a&#39; &#7875;</t>",          # 5 entities
    "<t>Dòng 1_x000D_\nDòng 2</t>",                                          # 6
    "<t>_x005F_x000D_ giữ nguyên</t>",                                       # 7
    "<t/>",                                                                  # 8
    "<t>0912345678</t>",                                                     # 9
    "<t>Lãnh đạo đánh giá</t>",                                              # 10
]

MAIN_SHEET = (
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>10</v></c></row>'
    '<row r="2" spans="1:10"><c r="A2" s="0" t="s"><v>1</v></c><c r="B2"><v>912345678</v></c>'
    '<c r="C2"><v>1.5</v></c><c r="D2"><v>1E3</v></c><c r="E2" t="n"><v>-0.25</v></c>'
    '<c r="F2" t="b"><v>1</v></c><c r="G2" t="b"><v>0</v></c><c r="H2" t="e"><v>#N/A</v></c>'
    '<c r="I2" t="str"><f>LEFT(A2,6)</f><v>Nguyễn</v></c><c r="J2" t="s"><v>9</v></c></row>'
    # rows 3 and 4 are absent
    '<row r="5"><c r="A5" t="s"><v>2</v></c><c r="K5" t="s"><v>3</v></c>'
    '<c r="M5" t="inlineStr"><is><r><t xml:space="preserve">Đỗ </t></r><r><rPr><i/></rPr><t>Quý</t></r>'
    '<rPh sb="0" eb="1"><t>ド</t></rPh></is></c></row>'
    # cells without r, then a row without r (it is row 7)
    '<row r="6"><c t="s"><v>4</v></c><c t="s"><v>5</v></c><c><v>7</v></c></row>'
    '<row><c r="A7" t="s"><v>6</v></c><c r="B7" t="s"><v>7</v></c><c r="C7" t="s"><v>8</v></c></row>'
    # styled cells without values
    '<row r="8"><c r="A8" s="5"/><c r="B8" s="5"/></row>'
    # dates and other number formats
    '<row r="10"><c r="A10" s="1"><v>43832</v></c><c r="B10" s="2"><v>36526.5</v></c>'
    '<c r="C10" s="3"><v>0.75</v></c><c r="D10" s="4"><v>1.5</v></c><c r="E10" s="5"><v>1234.5</v></c>'
    '<c r="F10" s="6"><v>7</v></c><c r="G10" s="7"><v>3</v></c><c r="H10" s="8"><v>44000</v></c>'
    '<c r="I10" s="1"><v>30</v></c><c r="J10" t="d"><v>2021-03-04T05:06:07Z</v></c>'
    '<c r="K10" s="1"><v></v></c></row>'
    '<row r="11"><c r="A11" t="n"><v>42</v></c><c r="B11"><f>1+1</f></c>'
    '<c r="C11" t="str"><f>"x"</f><v></v></c><c r="D11" t="inlineStr"><is><t>Bùi &amp; Co</t></is></c>'
    '<c r="E11" t="inlineStr"><is/></c></row>'
)
STYLES = (
    {164: "dd/mm/yyyy", 165: "#,##0.00", 166: '&quot;d&quot;0', 167: "[Red]0.00",
     168: "[$-42A]dd/mm/yyyy"},
    [0, 14, 164, 20, 46, 165, 166, 167, 168],
)
NOTES_SHEET = '<row r="3"><c r="B3" t="inlineStr"><is><t>Ghi chú</t></is></c></row>'


@pytest.fixture
def handmade(tmp_path):
    """Shared strings, styles, two sheets listed in a different order than their files."""
    return build_xlsx(
        tmp_path / "handmade.xlsx",
        [("Mẫu 01", "sheet2.xml", MAIN_SHEET), ("Ghi chú", "sheet1.xml", NOTES_SHEET)],
        shared=SHARED, styles=STYLES, absolute_targets=True,
    )


# ---------------------------------------------------------------- tests

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
               912345678, "UBND phường Cống Vị", "Lãnh đạo cấp trưởng, phó cơ quan đơn vị",
               "X", None, None])
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
    ws["G10"] = datetime.datetime(2000, 1, 1)
    ws["G10"].number_format = "dd/mm/yyyy"
    ws["H10"] = 36526
    ws["H10"].number_format = '"Ngày "0'
    ws["A11"] = CellRichText(["Ông ", TextBlock(InlineFont(b=True), "Hoàng"), " Minh"])
    ws["B11"] = "Dòng 1\nDòng 2"
    ws["C11"] = "a < b & c > \"d\""
    ws["D11"] = "_x000D_ và _x005F_x000D_"
    ws["Z13"] = "xa"
    path = tmp_path / "staff.xlsx"
    wb.save(path)

    got = assert_same_as_openpyxl(path)
    assert got[4][:6] == (1, "Nguyễn Thị Ánh", "Chủ tịch", "nguyenthianh_badinh",
                          "anh@hanoi.gov.vn", 912345678)
    assert got[5][5] == "0987654321"
    assert got[6] == got[7] == ()
    assert got[8][3:5] == (True, False)
    assert got[9][0] is None            # formula written by openpyxl: no cached value
    assert got[9][1:4] == (datetime.datetime(1990, 5, 17, 8, 30),
                           datetime.datetime(2021, 12, 31), datetime.time(7, 45))
    assert got[9][6] == datetime.datetime(2000, 1, 1) and got[9][7] == 36526
    assert got[10][0] == "Ông Hoàng Minh"
    assert len(got) == 13 and got[12][25] == "xa"


def test_handmade_workbook_matches_openpyxl(handmade):
    assert_same_as_openpyxl(handmade)


def test_handmade_workbook_values(handmade):
    rows = dict(iter_rows(handmade))
    assert rows[1] == ("Họ và tên", "Lãnh đạo đánh giá")
    assert rows[2] == ("Nguyễn Văn Ánh", 912345678, 1.5, 1000.0, -0.25, True, False, "#N/A",
                       "Nguyễn", "0912345678")
    assert type(rows[2][1]) is int and type(rows[2][3]) is float
    assert rows[3] == rows[4] == ()
    assert rows[5] == ("Trần Thị Bích",) + (None,) * 9 + ("Lê Hữu", None, "Đỗ Quý")
    assert rows[6] == ("  Phòng Tư pháp  ", "A & B <C> \"q\" 'a' ể", 7)
    assert rows[7] == ("Dòng 1_x000D_\nDòng 2", "_x000D_ giữ nguyên", "")
    assert rows[8] == ()
    assert rows[9] == ()
    assert rows[10] == (
        datetime.datetime(2020, 1, 2), datetime.datetime(2000, 1, 1, 12, 0), datetime.time(18, 0),
        datetime.timedelta(days=1, hours=12), 1234.5, 7, 3, datetime.datetime(2020, 6, 18),
        datetime.datetime(1900, 1, 30), datetime.datetime(2021, 3, 4, 5, 6, 7))
    assert rows[11] == (42, None, None, "Bùi & Co", "")
    assert max(rows) == 11


def test_sheet_order_names_and_index(handmade):
    assert sheet_names(handmade) == ["Mẫu 01", "Ghi chú"]
    first = list(iter_rows(handmade))
    assert first == list(iter_rows(handmade, 0)) == list(iter_rows(handmade, "Mẫu 01"))
    notes = list(iter_rows(handmade, "Ghi chú"))
    assert notes == [(1, ()), (2, ()), (3, (None, "Ghi chú"))]
    assert list(iter_rows(handmade, 1)) == notes
    assert list(iter_rows(handmade, " ghi CHÚ ")) == notes
    assert_same_as_openpyxl(handmade, "Ghi chú")
    with pytest.raises(XlsxReadError, match="Không tìm thấy trang tính"):
        iter_rows(handmade, "Mẫu 02")
    with pytest.raises(XlsxReadError):
        iter_rows(handmade, 2)


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("date1904", [False, True])
def test_prefix_and_1904(tmp_path, prefix, date1904):
    path = build_xlsx(tmp_path / "p.xlsx", [("Mẫu 01", "sheet1.xml", MAIN_SHEET)],
                      shared=SHARED, styles=STYLES, date1904=date1904, prefix=prefix)
    rows = assert_same_as_openpyxl(path)
    epoch = datetime.datetime(1904, 1, 1) if date1904 else datetime.datetime(1899, 12, 30)
    assert rows[9][0] == epoch + datetime.timedelta(days=43832)
    assert rows[1][0] == "Nguyễn Văn Ánh" and rows[5][1] == "A & B <C> \"q\" 'a' ể"


def test_text_split_across_chunks(handmade, monkeypatch):
    expected = list(iter_rows(handmade))
    monkeypatch.setattr(xlsx_reader, "_CHUNK", 7)
    assert list(iter_rows(handmade)) == expected
    assert sheet_names(handmade) == ["Mẫu 01", "Ghi chú"]


def test_without_shared_strings_and_styles(tmp_path):
    data = ('<row r="2"><c r="B2" t="inlineStr"><is><t>Vũ Minh Quyên</t></is></c>'
            '<c r="C2" s="3"><v>0912</v></c></row>')
    path = build_xlsx(tmp_path / "bare.xlsx", [("Sheet1", "sheet1.xml", data)])
    assert list(iter_rows(path)) == [(1, ()), (2, (None, "Vũ Minh Quyên", 912))]
    assert_same_as_openpyxl(path)


def test_stale_dimension_does_not_hide_cells(tmp_path):
    data = ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>'
            '<row r="4"><c r="C4" t="inlineStr"><is><t>ngoài vùng</t></is></c></row>')
    path = build_xlsx(tmp_path / "dim.xlsx", [("S", "sheet1.xml", data)], dimension="A1:B2")
    assert list(iter_rows(path)) == [(1, (1, 2)), (2, ()), (3, ()), (4, (None, None, "ngoài vùng"))]
    assert openpyxl_rows(path) == [(1, 2)]              # openpyxl trusts <dimension>


def test_large_sheet_many_chunks(tmp_path):
    rnd = random.Random(7)
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(1, 4001):
        if i % 97 == 0:
            ws.append([])                               # an empty row now and then
            continue
        row = [i, f"Nguyễn Văn {i}", rnd.choice(["Chuyên viên", "Giáo viên"]),
               rnd.randint(900000000, 999999999), rnd.random() * 10,
               "X" if i % 13 == 0 else None]
        if i % 50 == 0:
            row += [None] * 20 + ["xa"]                 # an occasional wide row
        ws.append(row)
    path = tmp_path / "large.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size > 3 * xlsx_reader._CHUNK
    assert len(assert_same_as_openpyxl(path)) == 4000


def test_clean_sample_matches_openpyxl():
    rows = assert_same_as_openpyxl(SAMPLE)
    assert sheet_names(SAMPLE) == ["Mẫu 01"]
    assert rows[4][:2] == ("STT", "Họ và tên")


def test_file_like_sources(handmade):
    expected = list(iter_rows(handmade))
    data = handmade.read_bytes()
    assert list(iter_rows(io.BytesIO(data))) == expected
    assert list(iter_rows(data)) == expected
    assert list(iter_rows(str(handmade))) == expected
    stream = io.BytesIO(data)
    stream.read()                                       # already consumed once
    assert list(iter_rows(stream)) == expected
    assert sheet_names(io.BytesIO(data)) == ["Mẫu 01", "Ghi chú"]

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self._inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self._inner.readinto(b)

    assert list(iter_rows(Unseekable())) == expected


def test_werkzeug_file_storage(handmade):
    datastructures = pytest.importorskip("werkzeug.datastructures")
    with open(handmade, "rb") as fh:
        upload = datastructures.FileStorage(stream=fh, filename="mau01.xlsx")
        assert list(iter_rows(upload)) == list(iter_rows(upload.stream))


def test_early_stop_and_lazy_rows(handmade):
    rows = iter_rows(handmade)
    assert next(rows) == (1, ("Họ và tên", "Lãnh đạo đánh giá"))
    rows.close()


def _assert_error(source, code, message=None):
    with pytest.raises(XlsxReadError) as info:
        for _ in iter_rows(source):
            pass
    err = info.value
    assert err.code == code
    assert str(err) == err.message
    if message is not None:
        assert err.message == message
    assert "Tệp" in err.message
    return err


def test_old_xls_is_refused(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    _assert_error(path, "xls", MSG_XLS)
    _assert_error(io.BytesIO(path.read_bytes()), "xls", MSG_XLS)
    with pytest.raises(XlsxReadError, match="Excel 97-2003"):
        sheet_names(path)


def test_password_protected_xlsx_is_explained(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
                     + "EncryptedPackage".encode("utf-16-le") + bytes(512))
    err = _assert_error(path, "encrypted")
    assert "mật khẩu" in err.message


def test_random_bytes_and_empty_file(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(random.Random(1).randbytes(5000))
    _assert_error(junk, "invalid", MSG_INVALID)
    fake_zip = tmp_path / "fake.xlsx"
    fake_zip.write_bytes(b"PK\x03\x04" + random.Random(2).randbytes(500))
    _assert_error(fake_zip, "invalid", MSG_INVALID)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    err = _assert_error(empty, "empty")
    assert "rỗng" in err.message
    _assert_error(io.BytesIO(), "empty")


def test_zip_without_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ghi_chu.txt", "không phải bảng tính")
    _assert_error(path, "invalid", MSG_INVALID)
    docx = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="word/document.xml"/>'
            "</Relationships>"))
        zf.writestr("word/document.xml", '<w:document xmlns:w="urn:w"/>')
    _assert_error(docx, "invalid", MSG_INVALID)


def test_workbook_without_sheets(tmp_path):
    path = build_xlsx(tmp_path / "nosheet.xlsx", [])
    err = _assert_error(path, "no_sheets")
    assert "trang tính" in err.message


def test_corrupt_xml(tmp_path, handmade):
    with zipfile.ZipFile(handmade) as src, zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]           # cut in the middle of sheetData
            dst.writestr(info.filename, data)
    rows = iter_rows(tmp_path / "bad.xlsx")             # metadata is fine: fails while reading
    with pytest.raises(XlsxReadError) as info:
        list(rows)
    assert info.value.message == MSG_INVALID
    assert list(iter_rows(tmp_path / "bad.xlsx", "Ghi chú"))[-1] == (3, (None, "Ghi chú"))

    with zipfile.ZipFile(handmade) as src, zipfile.ZipFile(tmp_path / "badwb.xlsx", "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", b"</sheet>")
            dst.writestr(info.filename, data)
    _assert_error(tmp_path / "badwb.xlsx", "invalid", MSG_INVALID)


def test_open_errors_are_raised_at_call_time(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(XlsxReadError):
        iter_rows(path)                                 # no next() needed


def test_a_part_that_inflates_beyond_the_limit_is_refused(tmp_path, monkeypatch):
    """A zip bomb is one clear error, not memory exhaustion (limit lowered for the test)."""
    import app.xlsx_reader as reader

    path = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook()
    for i in range(2000):
        wb.active.append([f"Nguyễn Văn {i}", "x" * 200])
    wb.save(path)
    monkeypatch.setattr(reader, "MAX_PART_BYTES", 100_000)
    with pytest.raises(reader.XlsxReadError) as exc:
        list(reader.iter_rows(path))
    assert "quá lớn" in exc.value.message
