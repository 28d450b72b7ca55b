"""Hostile workbooks: small files that claim (or inflate to) far more than they hold. Built byte by byte."""
from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from tests.excel.workbooks import MAIN_NS, REL_NS, build_xlsx

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Họ và tên</t></is></c><c r="B1" t="inlineStr"><is><t>Đơn vị</t>'
    '</is></c><c r="C1" t="inlineStr"><is><t>Vai trò</t></is></c></row>'
)


def sheet(path: Path, data: str, **kw) -> Path:
    return build_xlsx(path, [("Mẫu 01", "sheet1.xml", data)], **kw)


def with_part(path: Path, name: str, write) -> Path:
    """A small valid workbook whose part ``name`` is replaced by what ``write(fh)`` streams into it."""
    base = sheet(path.with_suffix(".base.xlsx"), HEADER_ROW)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if info.filename == name:
                part = zipfile.ZipInfo(name)
                part.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(part, "w", force_zip64=True) as fh:
                    write(fh)
            else:
                dst.writestr(info, src.read(info.filename))
    return path


def streamed_sheet(path: Path, repeat: bytes, times: int, tail: bytes = b"") -> Path:
    """A worksheet of ``times`` copies of ``repeat``: tens of megabytes, compressed to a few hundred kilobytes."""
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" '
            f'xmlns:r="{REL_NS}"><sheetData>').encode()

    def write(fh):
        fh.write(head)
        block = repeat * 10_000
        for _ in range(times // 10_000):
            fh.write(block)
        fh.write(repeat * (times % 10_000))
        fh.write(tail + b"</sheetData></worksheet>")

    return with_part(path, "xl/worksheets/sheet1.xml", write)


def zip_declaring(path: Path, size: int) -> Path:
    """A 2 KB workbook whose zip directory says its sheet unpacks to ``size`` bytes (4 GB and more)."""
    base = sheet(path.with_suffix(".base.xlsx"), HEADER_ROW)
    data = bytearray(base.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for sig, name_len_at, size_at, name_at in ((b"PK\x03\x04", 26, 22, 30), (b"PK\x01\x02", 28, 24, 46)):
        i = data.find(sig)
        while i >= 0:
            n = struct.unpack_from("<H", data, i + name_len_at)[0]
            if data[i + name_at:i + name_at + n] == name:
                struct.pack_into("<I", data, i + size_at, min(size, 0xFFFFFFFE))
            i = data.find(sig, i + 4)
    path.write_bytes(bytes(data))
    return path


def zip_of_many_entries(path: Path, entries: int) -> Path:
    """A workbook with ``entries`` tiny parts (what an overlapping-entries zip bomb looks like from outside)."""
    base = sheet(path.with_suffix(".base.xlsx"), HEADER_ROW)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        for i in range(entries):
            dst.writestr(f"x/{i}", b"")
    return path


# --- .xls: the clean sample, patched in place -----------------------------------------------------------


def _xls_stream(data: bytes) -> tuple[list[int], int]:
    """File offsets of each byte run (sector) of the Workbook stream, and the stream size."""
    sector = 512
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s != 0xFFFFFFFF]
    fat: list[int] = []
    for s in fat_sectors:
        fat += struct.unpack_from("<128I", data, sector + s * sector)
    d = struct.unpack_from("<I", data, 48)[0]
    while d != 0xFFFFFFFE:
        for k in range(4):
            off = sector + d * sector + k * 128
            if data[off:off + 64].decode("utf-16-le", "ignore").split("\x00")[0] == "Workbook":
                start, size = struct.unpack_from("<II", data, off + 116)
                chain = [start]
                while fat[chain[-1]] != 0xFFFFFFFE:
                    chain.append(fat[chain[-1]])
                return [sector + s * sector for s in chain], size
        d = fat[d]
    raise AssertionError("no Workbook stream")


def patched_xls(path: Path, patch) -> Path:
    """tests/data/mau01_sample.xls with its Workbook stream changed by ``patch(bytearray)`` (same length)."""
    data = bytearray((DATA / "mau01_sample.xls").read_bytes())
    offsets, size = _xls_stream(bytes(data))
    stream = bytearray(b"".join(bytes(data[o:o + 512]) for o in offsets)[:size])
    patch(stream)
    for i, o in enumerate(offsets):
        chunk = stream[i * 512:(i + 1) * 512]
        data[o:o + len(chunk)] = chunk
    path.write_bytes(bytes(data))
    return path


def biff_records(stream: bytes):
    pos = 0
    while pos + 4 <= len(stream):
        typ, length = struct.unpack_from("<HH", stream, pos)
        yield typ, pos + 4, length
        pos += 4 + length


def xls_dimensions(path: Path, rows: int, cols: int) -> Path:
    def patch(stream):
        for typ, body, _ in biff_records(stream):
            if typ == 0x0200:
                struct.pack_into("<IIHH", stream, body, 0, rows, 0, cols)

    return patched_xls(path, patch)


def xls_cell_at(path: Path, row: int, col: int) -> Path:
    """The first number (RK) record moved to (row, col), 0-based."""
    def patch(stream):
        for typ, body, _ in biff_records(stream):
            if typ == 0x027E:
                struct.pack_into("<HH", stream, body, row, col)
                return

    return patched_xls(path, patch)


def xls_directory_loop(path: Path) -> Path:
    """The Compound File's directory chain points back at itself: a reader that follows it never ends."""
    data = bytearray((DATA / "mau01_sample.xls").read_bytes())
    fat_sector = struct.unpack_from("<I", data, 76)[0]
    dir_start = struct.unpack_from("<I", data, 48)[0]
    struct.pack_into("<I", data, 512 + fat_sector * 512 + dir_start * 4, dir_start)
    path.write_bytes(bytes(data))
    return path


def deflate_ratio(path: Path, name: str) -> float:
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
        return info.file_size / max(info.compress_size, 1)


__all__ = [
    "HEADER_ROW", "sheet", "streamed_sheet", "zip_declaring", "zip_of_many_entries", "xls_dimensions",
    "xls_cell_at", "xls_directory_loop", "deflate_ratio",
]
