"""Checks an uploaded workbook before anything heavy reads it.

python-calamine builds a dense grid of a sheet's used range (32 bytes a cell) and trusts what the file
claims; openpyxl creates an object for every cell, merged cell and hyperlinked cell. A 2 KB upload can
claim a cell at XFD1048576, a part that inflates to gigabytes, or a Compound File whose sector chain loops
forever; each of those takes a worker down. ``inspect`` reads only the zip directory, the parts themselves
as streams (each checked against its CRC, so a lying directory is caught), or the BIFF records of a .xls,
and refuses the file with one ``WorkbookError`` (a ``ValidationError`` on field "file") before calamine or
openpyxl open it.

What is refused, whatever the sheet holds:

- an empty file, or one larger than ``Limits.max_bytes`` (the upload cap, MAX_CONTENT_LENGTH);
- a zip part that inflates beyond ``max_part_bytes``, parts beyond ``max_total_bytes`` altogether, or a part
  compressed more than ``max_ratio`` : 1 (a flood of empty rows);
- a row number (or more row elements) above Excel's 1,048,576, or a column beyond XFD (16,384);
- cells whose bounding box (rows x columns) exceeds ``max_grid``, or more than ``max_cells`` cell elements:
  what calamine would allocate, refused as "too many rows" when the rows pass MAX_SHEET_ROWS.

Only the cells' positions are scanned, with a few C-level regular expressions over each part; a part whose
markup a regular expression cannot be sure of (comments, cells without a reference, unusual references) is
scanned again exactly with expat. Every bound is an upper bound of what calamine will see. The app's own
limits (``max_rows`` = MAX_SHEET_ROWS, ``max_cells`` of rows x columns) are then checked by ``check_grid`` on
the used range calamine read, which leaves out cells that are only formatted.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from app.domain.errors import ValidationError

__all__ = ["EXCEL_MAX_ROWS", "EXCEL_MAX_COLUMNS", "Limits", "Package", "WorkbookError", "inspect", "read_source"]

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384  # XFD
MiB = 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")

MSG_EMPTY = "Tệp rỗng (0 byte), không có dữ liệu để đọc."
MSG_INVALID = (
    "Tệp không phải là bảng tính Excel (.xlsx, .xls) hợp lệ hoặc đã bị hỏng; hãy mở bằng Excel và lưu lại "
    "dưới dạng .xlsx."
)
MSG_ENCRYPTED = "Tệp được đặt mật khẩu (đã mã hóa) nên không đọc được; hãy gỡ mật khẩu rồi lưu lại."
MSG_FILE_TOO_LARGE = "Tệp lớn hơn {mb} MB; hãy tách danh sách thành nhiều tệp nhỏ hơn."
MSG_UNPACKED_TOO_LARGE = "Tệp quá lớn sau khi giải nén; hãy tách danh sách thành nhiều tệp nhỏ hơn."
MSG_ROW_LIMIT = "Tệp ghi một dòng vượt quá giới hạn 1.048.576 dòng của Excel; tệp bị hỏng hoặc không phải bảng tính thật."
MSG_COLUMN_LIMIT = "Tệp ghi một cột vượt quá cột XFD (16.384 cột) của Excel; tệp bị hỏng hoặc không phải bảng tính thật."
MSG_TOO_MANY_ROWS = (
    "Trang tính có dữ liệu đến dòng {rows}, vượt giới hạn {limit} dòng mỗi lần nhập; hãy xóa các dòng thừa "
    "hoặc tách danh sách thành nhiều tệp."
)
MSG_TOO_MANY_CELLS = (
    "Vùng dữ liệu của trang tính quá rộng ({rows} dòng × {cols} cột); hãy xóa các ô thừa ở xa bảng "
    "(cột, dòng cuối) rồi lưu lại."
)


def _n(value: int) -> str:
    """12345 -> "12.345" (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


class WorkbookError(ValidationError):
    """The upload cannot be read as a workbook, or would cost too much to read; ``message`` is for people.

    ``code``: empty, file_too_large, unpacked_too_large, row_limit, column_limit, too_many_rows,
    too_many_cells, encrypted, invalid, no_sheets, no_sheet.
    """

    def __init__(self, code: str, message: str):
        super().__init__(code, message, "file")


def _invalid() -> WorkbookError:
    return WorkbookError("invalid", MSG_INVALID)


@dataclass(frozen=True)
class Limits:
    """What one upload may cost. ``max_rows`` is MAX_SHEET_ROWS, ``max_bytes`` MAX_CONTENT_LENGTH."""

    max_bytes: int = 32 * MiB
    max_rows: int = 60_000
    max_cells: int = 2_000_000  # a sheet's used range, rows x columns (calamine's grid: 32 bytes a cell)
    max_grid: int = 3_000_000  # the most an upper bound may claim before calamine builds the grid (96 MB)
    max_part_bytes: int = 64 * MiB  # one unpacked part; bounds calamine's strings and its time
    max_total_bytes: int = 256 * MiB  # all unpacked parts
    max_ratio: int = 100  # unpacked / packed, for parts above ratio_floor
    ratio_floor: int = 1 * MiB
    max_members: int = 10_000  # zip entries (a real workbook has tens)


@dataclass
class SheetScan:
    """Upper bounds of what one part holds: rows and columns reached, row and cell elements (every element,
    empty formatted cells too; the fast scan may round rows and columns up to 99,999 x 26)."""

    part: str
    max_row: int = 0
    max_col: int = 0
    rows: int = 0
    cells: int = 0
    spans: int = 0  # cells openpyxl creates for merged ranges and hyperlinked ranges


@dataclass
class Package:
    """What ``inspect`` learned: the format and, per part that holds cells, its bounds."""

    kind: str  # "xlsx" | "xls"
    size: int
    unpacked: int = 0
    sheets: list[SheetScan] = field(default_factory=list)
    pivots: bool = False  # pivot caches: openpyxl reads every record

    @property
    def cells(self) -> int:
        return sum(s.cells for s in self.sheets)

    @property
    def spans(self) -> int:
        return sum(s.spans for s in self.sheets)

    def fits_openpyxl(self, max_unpacked: int = 8 * MiB, max_cells: int = 100_000) -> bool:
        """Small enough for openpyxl to load whole (about ten times the unpacked XML in memory)."""
        return (
            self.kind == "xlsx" and not self.pivots and self.unpacked <= max_unpacked and self.cells <= max_cells
            and self.spans <= max_cells and sum(s.rows for s in self.sheets) <= max_cells
        )


# --- the source ----------------------------------------------------------------------------------------


def read_source(source, limits: Limits) -> bytes:
    """The bytes of a path, bytes or binary stream, refusing more than ``limits.max_bytes`` without reading it."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, str) or hasattr(source, "__fspath__"):
        with open(source, "rb") as fh:
            fh.seek(0, io.SEEK_END)
            if fh.tell() > limits.max_bytes:
                raise _too_large(limits)
            fh.seek(0)
            data = fh.read()
    else:
        stream = getattr(source, "stream", source)  # werkzeug FileStorage
        seekable = getattr(stream, "seekable", None)
        if seekable is not None and seekable():
            stream.seek(0)
        data = stream.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _too_large(limits)
    if not data:
        raise WorkbookError("empty", MSG_EMPTY)
    return data


def _too_large(limits: Limits) -> WorkbookError:
    return WorkbookError("file_too_large", MSG_FILE_TOO_LARGE.format(mb=_n(max(1, limits.max_bytes // MiB))))


def inspect(data: bytes, limits: Limits, spans: bool = False) -> Package:
    """Check ``data`` (an .xlsx or .xls file); raise WorkbookError, or return what was found.

    ``spans``: also count the cells of merged and hyperlinked ranges (what openpyxl would create).
    """
    if not data:
        raise WorkbookError("empty", MSG_EMPTY)
    if len(data) > limits.max_bytes:
        raise _too_large(limits)
    if data.startswith(OLE2_MAGIC):
        if _ENCRYPTED_STREAM in data:  # a password-protected .xlsx is an OLE2 container too
            raise WorkbookError("encrypted", MSG_ENCRYPTED)
        return _inspect_xls(data, limits)
    if data.startswith(b"PK\x03\x04"):
        return _inspect_xlsx(data, limits, spans)
    raise _invalid()


def check_bounds(scan: SheetScan, limits: Limits) -> None:
    """Refuse a part beyond Excel's limits, or whose cells would cost calamine too much memory.

    The bounds count every cell element, empty formatted ones too (calamine skips those): the app's own row
    and cell limits are checked on what calamine actually read (``check_grid``), so formatting a sheet down to
    row 100,000 is not mistaken for 100,000 rows of data.
    """
    if scan.max_row > EXCEL_MAX_ROWS or scan.rows > EXCEL_MAX_ROWS:
        raise WorkbookError("row_limit", MSG_ROW_LIMIT)
    if scan.max_col > EXCEL_MAX_COLUMNS:
        raise WorkbookError("column_limit", MSG_COLUMN_LIMIT)
    if scan.cells > limits.max_cells or scan.max_row * scan.max_col > limits.max_grid:
        if scan.max_row > limits.max_rows:
            raise WorkbookError(
                "too_many_rows", MSG_TOO_MANY_ROWS.format(rows=_n(scan.max_row), limit=_n(limits.max_rows))
            )
        raise _too_many_cells(scan.max_row, scan.max_col)


def check_grid(rows: int, cols: int, limits: Limits) -> None:
    """Refuse a used range of ``rows`` x ``cols`` (exact: what calamine read) beyond the app's limits."""
    if rows > limits.max_rows:
        raise WorkbookError("too_many_rows", MSG_TOO_MANY_ROWS.format(rows=_n(rows), limit=_n(limits.max_rows)))
    if rows * cols > limits.max_cells:
        raise _too_many_cells(rows, cols)


def _too_many_cells(rows: int, cols: int) -> WorkbookError:
    return WorkbookError("too_many_cells", MSG_TOO_MANY_CELLS.format(rows=_n(rows), cols=_n(max(cols, 1))))


# --- .xlsx ---------------------------------------------------------------------------------------------

_CHUNK = 4 * MiB
_MAX_CARRY = 2 * _CHUNK  # no start tag of a real workbook is this long
# Three tiers per block of a part. Tier 1 (what Excel, LibreOffice and openpyxl write): every <c> and <row>
# starts with r="A1"-style references of one letter and at most five digits, no element of another prefix is
# named c or row. Then every cell calamine places lies within 99,999 rows x 26 columns, whatever the file says
# elsewhere. Tier 2: references of up to three letters and seven digits, read exactly. Tier 3: anything else
# (cells or rows without r, prefixed elements): expat, exactly as calamine numbers them.
_C_NOT_TIER1 = re.compile(rb'<c(?! r="[A-Z][1-9][0-9]{0,4}")[\s/>]')
_ROW_NOT_TIER1 = re.compile(rb'<row(?! r="[1-9][0-9]{0,4}")[\s/>]')
_C_NOT_TIER2 = re.compile(rb'<c(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")[\s/>]')
_ROW_NOT_TIER2 = re.compile(rb'<row(?! r="[1-9][0-9]{0,6}")[\s/>]')
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_CELL_REFS = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_ROW_REFS = re.compile(rb'<row r="([1-9][0-9]{0,6})"')
# Ranges openpyxl turns into one object per cell: merged cells and hyperlinks (any prefix).
_SPAN_REFS = re.compile(rb"""(?:mergeCell|hyperlink)\s[^>]*?\bref\s*=\s*["']([^"']*)["']""")
_SPAN_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?")
TIER1_ROWS, TIER1_COLS = 99_999, 26


class _Tier3(Exception):
    """The fast scans cannot bound this part: read it with expat."""


def column_number(letters: str) -> int:
    """"A" -> 1, "XFD" -> 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _members_declared(data: bytes, limits: Limits) -> None:
    """Refuse a zip whose central directory claims more entries than a workbook has (before zipfile lists them)."""
    tail = data[-(65536 + 22):]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _invalid()
    if struct.unpack_from("<H", tail, at + 10)[0] > limits.max_members:
        raise WorkbookError("unpacked_too_large", MSG_UNPACKED_TOO_LARGE)


def _inspect_xlsx(data: bytes, limits: Limits, spans: bool) -> Package:
    _members_declared(data, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, struct.error):
        raise _invalid() from None
    if len(infos) > limits.max_members:
        raise WorkbookError("unpacked_too_large", MSG_UNPACKED_TOO_LARGE)
    names = [i.filename for i in infos]
    folded = {n.lower() for n in names}
    if len(folded) != len(names):  # two parts of one name: which one a reader takes is anybody's guess
        raise _invalid()
    # calamine tries .xlsx, then .xlsb, then .ods: only a real .xlsx may reach it.
    if "xl/workbook.xml" not in names or "xl/workbook.bin" in folded or "content.xml" in folded:
        raise _invalid()
    total = 0
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _invalid()
        size = info.file_size
        total += size
        if size > limits.max_part_bytes or total > limits.max_total_bytes:
            raise WorkbookError("unpacked_too_large", MSG_UNPACKED_TOO_LARGE)
        if size > limits.ratio_floor and size > limits.max_ratio * max(info.compress_size, 1):
            raise WorkbookError("unpacked_too_large", MSG_UNPACKED_TOO_LARGE)
    package = Package("xlsx", len(data), total, pivots=any("pivotcache" in n for n in folded))
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            try:
                scan = _fast_scan(zf, info, spans)
            except _Tier3:
                scan = _expat_scan(zf, info)
            if scan.rows or scan.cells:
                check_bounds(scan, limits)
                package.sheets.append(scan)
        else:
            for _ in _chunks(zf, info):  # read to the end: the CRC check is what catches a lying directory
                pass
    return package


def _open(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    try:
        return zf.open(info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, zlib.error, EOFError):
        raise _invalid() from None


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = _CHUNK):
    """The part, inflated chunk by chunk; zipfile stops at the declared size and checks the CRC at the end."""
    with _open(zf, info) as fh:
        while True:
            try:
                chunk = fh.read(size)
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, RuntimeError):
                raise _invalid() from None
            if not chunk:
                return
            yield chunk


def _blocks(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The part in blocks that end just before a "<", so that no tag is cut in two."""
    carry = b""
    for chunk in _chunks(zf, info):
        block = carry + chunk
        cut = block.rfind(b"<")
        if cut < 0:
            carry = b""
            yield block
            continue
        carry, block = block[cut:], block[:cut]
        if len(carry) > _MAX_CARRY:
            raise _invalid()
        if block:
            yield block
    if carry:
        yield carry


def _fast_scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo, spans: bool) -> SheetScan:
    scan = SheetScan(info.filename)
    for block in _blocks(zf, info):
        if _PREFIXED.search(block):
            raise _Tier3
        cells = block.count(b"<c ")
        rows = block.count(b"<row ")
        if not cells and not rows and b"<c" not in block and b"<row" not in block:
            continue
        if _C_NOT_TIER1.search(block) or _ROW_NOT_TIER1.search(block):
            if _C_NOT_TIER2.search(block) or _ROW_NOT_TIER2.search(block):
                raise _Tier3
            for letters, digits in set(_CELL_REFS.findall(block)):
                scan.max_col = max(scan.max_col, column_number(letters.decode()))
                scan.max_row = max(scan.max_row, int(digits))
            found = _ROW_REFS.findall(block)
            if found:
                scan.max_row = max(scan.max_row, max(map(int, found)))
        elif cells:
            scan.max_row, scan.max_col = max(scan.max_row, TIER1_ROWS), max(scan.max_col, TIER1_COLS)
        scan.cells += cells
        scan.rows += rows
        if spans:
            scan.spans += _spans(block)
    return scan


def _spans(block: bytes) -> int:
    total = 0
    for ref in _SPAN_REFS.findall(block):
        for part in ref.decode("ascii", "replace").split():
            m = _SPAN_RE.fullmatch(part)
            if m is None:
                return EXCEL_MAX_ROWS * EXCEL_MAX_COLUMNS  # unreadable: assume the worst
            c1, r1, c2, r2 = m.groups()
            if c2 is None:
                continue
            total += (abs(int(r2) - int(r1)) + 1) * (abs(column_number(c2) - column_number(c1)) + 1)
    return total


def _expat_scan(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> SheetScan:
    """The exact scan: rows and cells as calamine numbers them (a row or cell without r follows the last)."""
    scan = SheetScan(info.filename)
    state = [0, 0]  # 1-based row of the current <row>, last 1-based column in it

    def start(name, attrs):
        local = name.rpartition(":")[2]
        if local == "row":
            scan.rows += 1
            r = attrs.get("r")
            state[0] = _row_number(r) if r is not None else state[0] + 1
            state[1] = 0
            scan.max_row = max(scan.max_row, state[0])
        elif local == "c":
            scan.cells += 1
            r = attrs.get("r")
            if r is not None:
                row, state[1] = _cell_ref(r)
            else:
                row, state[1] = max(state[0], 1), state[1] + 1
            scan.max_row = max(scan.max_row, row)
            scan.max_col = max(scan.max_col, state[1])
        elif local in ("mergeCell", "hyperlink"):
            scan.spans += _spans(b'mergeCell ref="%s"' % attrs.get("ref", "").encode("ascii", "replace"))

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    try:
        for chunk in _chunks(zf, info, 1 * MiB):
            parser.Parse(chunk, False)
            if scan.max_row > EXCEL_MAX_ROWS or scan.max_col > EXCEL_MAX_COLUMNS or scan.rows > EXCEL_MAX_ROWS:
                return scan  # check_bounds refuses it: no need to read on
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise _invalid() from None
    return scan


def _refuse_doctype(*_args):
    raise _invalid()


_REF_RE = re.compile(r"([A-Za-z]*)([0-9]*)")


def _row_number(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise _invalid()
    if len(value) > 7:
        return EXCEL_MAX_ROWS + 1
    row = int(value)
    if row < 1:
        raise _invalid()
    return row


def _cell_ref(value: str) -> tuple[int, int]:
    """(row, column), 1-based, of a reference such as "AB12"; beyond-limit values come back as limit + 1."""
    m = _REF_RE.fullmatch(value)
    if m is None or not m.group(1) or not m.group(2) or not value.isascii():
        raise _invalid()
    letters, digits = m.groups()
    if letters != letters.upper():
        raise _invalid()
    col = EXCEL_MAX_COLUMNS + 1 if len(letters) > 3 else column_number(letters)
    return _row_number(digits), col


# --- .xls (BIFF in a Compound File) -------------------------------------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
# Records that carry a cell at (row, col) in their first four bytes (BIFF2-8), and MULRK / MULBLANK.
_CELL_RECORDS = frozenset({
    0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x0206, 0x027E,
    0x00D6, 0x00FD, 0x0406,
})
_MUL_RECORDS = frozenset({0x00BD, 0x00BE})
_DIMENSIONS = frozenset({0x0000, 0x0200})
_EOF, _BOUNDSHEET, _FILEPASS, _SST = 0x000A, 0x0085, 0x002F, 0x00FC


def _inspect_xls(data: bytes, limits: Limits) -> Package:
    stream = _workbook_stream(data)
    package = Package("xls", len(data), len(stream))
    sheets = []
    pos = 0
    n = len(stream)
    while pos + 4 <= n:  # the globals substream, up to its EOF, as calamine reads it
        typ, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if typ == _FILEPASS:
            raise WorkbookError("encrypted", MSG_ENCRYPTED)
        if typ == _BOUNDSHEET and length >= 4:
            sheets.append(struct.unpack_from("<I", stream, body)[0])
        if typ == _SST and length >= 8:  # calamine reserves a slot per announced string
            unique = struct.unpack_from("<i", stream, body + 4)[0]
            if unique < 0 or unique > n // 3:
                raise _invalid()
        pos = body + length
        if typ == _EOF:
            break
    if pos > n:
        raise _invalid()
    for start in sheets:
        if start >= n:
            raise _invalid()
        scan = _scan_biff_sheet(stream, start)
        if scan.rows or scan.cells:
            check_bounds(scan, limits)
            package.sheets.append(scan)
    return package


def _scan_biff_sheet(stream: bytes, pos: int) -> SheetScan:
    scan = SheetScan(f"xls@{pos}")
    n = len(stream)
    unpack = struct.unpack_from
    while pos + 4 <= n:
        typ, length = unpack("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if pos > n:
            raise _invalid()
        if typ in _CELL_RECORDS:
            if length < 4:
                raise _invalid()
            row, col = unpack("<HH", stream, body)
            scan.cells += 1
            scan.max_row = max(scan.max_row, row + 1)
            scan.max_col = max(scan.max_col, col + 1)
        elif typ in _MUL_RECORDS:
            if length < 6:
                raise _invalid()
            row, first = unpack("<HH", stream, body)
            last = unpack("<H", stream, pos - 2)[0]
            if last < first:
                raise _invalid()
            scan.cells += last - first + 1
            scan.max_row = max(scan.max_row, row + 1)
            scan.max_col = max(scan.max_col, last + 1)
        elif typ == 0x0208 and length >= 2:  # ROW
            scan.rows += 1
        elif typ in _DIMENSIONS:
            _check_dimensions(stream[body:pos], scan)
        elif typ == _EOF:
            break
    return scan


def _check_dimensions(body: bytes, scan: SheetScan) -> None:
    """calamine reserves rows x columns cells from DIMENSIONS: count them as reached."""
    if len(body) >= 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", body)
    elif len(body) >= 8:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", body)
    else:
        raise _invalid()
    if rl >= 1 and cl >= 1:
        if rl - 1 < rf or cl - 1 < cf:  # calamine would compute a negative size
            raise _invalid()
        scan.max_row = max(scan.max_row, rl)
        scan.max_col = max(scan.max_col, cl)


def _workbook_stream(data: bytes) -> bytes:
    """The "Workbook" (or "Book") stream of a Compound File, every chain checked for loops and bounds.

    calamine follows the DIFAT, FAT, directory, mini-FAT and stream chains without noticing a loop: one
    loop and it reads forever. Each chain is walked here first with a visited set.
    """
    if len(data) < 512:
        raise _invalid()
    shift = struct.unpack_from("<H", data, 30)[0]
    if shift not in (9, 12) or struct.unpack_from("<H", data, 32)[0] != 6:
        raise _invalid()
    size = 1 << shift
    n_sectors = (len(data) - size + size - 1) // size if len(data) > size else 0
    dir_start, = struct.unpack_from("<I", data, 48)
    minifat_start, = struct.unpack_from("<I", data, 60)
    difat_start, = struct.unpack_from("<I", data, 68)
    per_sector = size // 4

    def sector(i: int) -> bytes:
        if i >= n_sectors:
            raise _invalid()
        off = size + i * size
        return data[off:off + size].ljust(size, b"\0")

    difat = list(struct.unpack_from("<109I", data, 76))
    seen: set[int] = set()
    sid = difat_start
    while sid not in (_FREESECT, _ENDOFCHAIN):
        if sid in seen or len(seen) > n_sectors:
            raise _invalid()
        seen.add(sid)
        entries = struct.unpack(f"<{per_sector}I", sector(sid))
        difat.extend(entries[:-1])
        sid = entries[-1]
    fat: list[int] = []
    for sid in difat:
        if sid == _FREESECT:
            continue
        fat.extend(struct.unpack(f"<{per_sector}I", sector(sid)))
        if len(fat) > (n_sectors + per_sector) * 2:
            raise _invalid()

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        out: list[int] = []
        seen_ids: set[int] = set()
        sid = start
        while sid != _ENDOFCHAIN:
            if sid in seen_ids or sid >= len(table) or sid >= limit:
                raise _invalid()
            seen_ids.add(sid)
            out.append(sid)
            sid = table[sid]
        return out

    directory = b"".join(sector(s) for s in chain(dir_start, fat, n_sectors))
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise _invalid()
    root_start = struct.unpack_from("<I", entries[0], 116)[0]
    ministream = b"".join(sector(s) for s in chain(root_start, fat, n_sectors)) if root_start != _ENDOFCHAIN else b""
    minifat: list[int] = []
    if minifat_start != _ENDOFCHAIN:
        for s in chain(minifat_start, fat, n_sectors):
            minifat.extend(struct.unpack(f"<{per_sector}I", sector(s)))
    # calamine takes the first entry named "Workbook" (else "Book"), whatever its type: check every such entry.
    found: dict[str, bytes] = {}
    for entry in entries:
        name = entry[:64].decode("utf-16-le", "ignore").split("\x00", 1)[0]
        if name not in ("Workbook", "Book"):
            continue
        start, stream_size = struct.unpack_from("<II", entry, 116)
        if stream_size > len(data):
            raise _invalid()
        if stream_size < 4096:
            ids = chain(start, minifat, len(ministream) // 64)
            body = b"".join(ministream[i * 64:(i + 1) * 64] for i in ids)
        else:
            body = b"".join(sector(s) for s in chain(start, fat, n_sectors))
        if len(body) < stream_size:
            raise _invalid()
        found.setdefault(name, body[:stream_size])
    stream = found.get("Workbook", found.get("Book"))
    if stream is None:
        raise _invalid()
    return stream
