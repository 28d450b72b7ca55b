"""Time app.excel.reader.iter_rows (guard + python-calamine) against openpyxl's read-only mode.

    .venv/bin/python bench/bench_xlsx_reader.py [--rows N] [--shared-strings] [--repeat K]

Writes a Mẫu 01-like sheet of N staff rows (default 5000) with openpyxl into a
temporary directory, checks both readers return the same rows, then prints the
best of K (default 5) full iterations for each and their ratio.  openpyxl
writes every text as an inline string; ``--shared-strings`` rewrites the sheet
the way Excel saves it (a shared string table), which is what users upload.
"""
import argparse
import random
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import openpyxl  # noqa: E402

from app.excel.reader import iter_rows  # noqa: E402

HEADER = ["STT", "Họ và tên", "Chức vụ", "Tài khoản", "Email", "SĐT liên hệ", "Đơn vị", "Vai trò",
          "Là quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thu", "Hữu", "Quang", "Thanh"]
GIVEN = ["Quyên", "Yên", "Đông", "Bảo", "Thư", "Châu", "Lâm", "Nhi", "Hạnh", "Tín", "Vĩnh",
         "Oanh", "Sang", "Phong", "Diệp", "Xuyến"]
POSTS = ["Chuyên viên", "Giáo viên", "Chuyên viên tổng hợp", "Phó Trưởng phòng", "Trưởng phòng"]
UNITS = ["UBND phường Cống Vị", "Trường Tiểu học Kim Đồng", "Phòng Tư pháp", "Phòng Nội vụ",
         "Trường THCS Giảng Võ", "Trạm Y tế phường Liễu Giai"]
ROLES = ["Lãnh đạo cấp trưởng, phó cơ quan đơn vị", "Trưởng, phó các phòng, ban, ngành",
         "Công chức, viên chức, lao động hợp đồng", "Tổng hợp, tham mưu đánh giá"]
PLAIN = str.maketrans("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ",
                      "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd")


def write_sheet(path, rows):
    rnd = random.Random(2026)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mẫu 01"
    ws.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, LAO ĐỘNG HỢP ĐỒNG ĐĂNG KÝ PHẦN MỀM"])
    ws.append(["1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính"])
    ws.append([f"2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: {rows} người"])
    ws.append([])
    ws.append(HEADER)
    leader = None
    for i in range(1, rows + 1):
        name = f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        account = f"{name.lower().translate(PLAIN).replace(' ', '')}{i}_badinh"
        ws.append([
            i, name, rnd.choice(POSTS), account, f"{account}@hanoi.gov.vn",
            rnd.randint(900000000, 999999999),          # a phone that lost its leading 0
            rnd.choice(UNITS), rnd.choice(ROLES), "X" if i % 17 == 0 else None,
            leader if i % 3 == 0 else None, leader,
        ])
        if i % 40 == 1:
            leader = name
    wb.save(path)


def to_shared_strings(src, dst):
    """Rewrite openpyxl's inline strings as a shared string table, like Excel."""
    index = {}

    def shared(match):
        text = match.group(2)
        number = index.setdefault(text, len(index))
        return f'<c{match.group(1)} t="s"><v>{number}</v></c>'

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(r'<c([^>]*?) t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)'
                              r"</t></is></c>", shared, data.decode()).encode()
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", (
                    b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                    b"</Relationships>"))
            zout.writestr(info, data)
        items = "".join(f'<si><t xml:space="preserve">{escape(text)}</t></si>' for text in index)
        zout.writestr("xl/sharedStrings.xml", (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(index)}" uniqueCount="{len(index)}">{items}</sst>'))


def read_openpyxl(path):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [row for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def read_lean(path):
    return [values for _, values in iter_rows(path)]


def best_of(func, path, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(path)
        times.append(time.perf_counter() - start)
    return min(times)


def trimmed(rows):
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] is None:
            row.pop()
        out.append(tuple(row))
    while out and not out[-1]:
        out.pop()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--shared-strings", action="store_true",
                        help="store texts in a shared string table, as Excel does")
    parser.add_argument("--xls", action="store_true", help="also time the reader on an .xls copy (LibreOffice)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mau01.xlsx"
        write_sheet(path, args.rows)
        if args.shared_strings:
            inline, path = path, Path(tmp) / "mau01_sst.xlsx"
            to_shared_strings(inline, path)
        if trimmed(read_openpyxl(path)) != trimmed(read_lean(path)):
            sys.exit("the two readers disagree")
        if args.xls:
            # Excel 97-2003, as LibreOffice saves it (needs soffice on PATH); openpyxl cannot read it.
            import subprocess

            subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", tmp, str(path)],
                           check=True, capture_output=True)
            xls = path.with_suffix(".xls")
            t_xls = best_of(read_lean, xls, args.repeat)
            print(f"app.excel.reader on the .xls copy ({xls.stat().st_size / 1024:.0f} KiB): {t_xls:.3f} s")
        size = path.stat().st_size
        t_openpyxl = best_of(read_openpyxl, path, args.repeat)
        t_lean = best_of(read_lean, path, args.repeat)

    kind = "shared strings" if args.shared_strings else "inline strings (openpyxl)"
    print(f"{args.rows} rows x {len(HEADER)} columns, {kind}, {size / 1024:.0f} KiB, "
          f"best of {args.repeat}")
    print(f"openpyxl read-only : {t_openpyxl:.3f} s")
    print(f"app.excel.reader   : {t_lean:.3f} s")
    print(f"ratio              : {t_openpyxl / t_lean:.2f}x faster")


if __name__ == "__main__":
    main()
