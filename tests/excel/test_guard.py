"""Hostile workbooks are refused before they cost more than 200 MB or 10 s, by every path that reads an upload.

Each file is read in a fresh subprocess (peak memory is per process), through the reader the import uses and
through the error-sheet download, which used to open the upload whole with openpyxl. The subprocess is capped
at 2 GB of address space, so a guard that fails costs a crash of the child, never the machine.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.excel import guard
from app.excel.guard import Limits, WorkbookError
from tests.excel import hostile
from tests.excel.hostile import HEADER_ROW

ROOT = Path(__file__).resolve().parents[2]
BUDGET_MB = 200
BUDGET_S = 10.0

# One worker process imports the reader once; each file is read in a fork of it (peak memory is per process),
# capped at 2 GB of address space so that a guard that fails crashes the fork, never the machine.
WORKER = r"""
import json, os, resource, sys, time
from app.domain.mau01 import Issue
from app.excel import mau01, reader
from app.excel.guard import WorkbookError

def run(path, entry):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        if entry == "read":
            result = "rows:%d" % sum(1 for _ in reader.iter_rows(path))
        else:
            data = open(path, "rb").read()
            mau01.error_sheet_bytes(data, 1, {2: [Issue(2, "Vai trò", "Thiếu vai trò.")]})
            result = "sheet"
    except WorkbookError as exc:
        result = exc.code
    return {"result": result, "seconds": time.perf_counter() - start,
            "mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}

for line in sys.stdin:
    path, entry = json.loads(line)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        os.write(w, json.dumps(run(path, entry)).encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    print(data.decode() if data else json.dumps({"result": "crashed", "status": status}), flush=True)
"""


@pytest.fixture(scope="module")
def worker():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)
    try:
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()


@pytest.fixture
def cost(worker):
    def read(path: Path, entry: str) -> dict:
        """Read ``path`` in a fork of the worker: what came of it, its extra peak memory (MB) and time (s)."""
        worker.stdin.write(json.dumps([str(path), entry]) + "\n")
        worker.stdin.flush()
        out = json.loads(worker.stdout.readline())
        assert out["result"] != "crashed", f"the reader died: {out}"
        return out

    return read


def assert_refused_cheaply(cost, path: Path, code: str, entries=("read", "errors")) -> None:
    assert path.stat().st_size < 32 * 1024 * 1024
    for entry in entries:
        out = cost(path, entry)
        assert out["result"] == code, (entry, out)
        assert out["mb"] < BUDGET_MB and out["seconds"] < BUDGET_S, (entry, out)


# --- zip bombs ------------------------------------------------------------------------------------------


def test_a_2_kb_zip_that_says_it_unpacks_to_gigabytes(tmp_path, cost):
    path = hostile.zip_declaring(tmp_path / "bomb.xlsx", 4 * 1024 ** 3)
    assert path.stat().st_size < 3000
    assert_refused_cheaply(cost, path, "unpacked_too_large")


def test_three_million_empty_rows_compressed_small(tmp_path, cost):
    path = hostile.streamed_sheet(tmp_path / "rows.xlsx", b"<row/>", 3_000_000)
    assert path.stat().st_size < 100_000 and hostile.deflate_ratio(path, "xl/worksheets/sheet1.xml") > 500
    assert_refused_cheaply(cost, path, "unpacked_too_large")  # refused from the zip directory: ratio above 100


def test_millions_of_rows_are_counted_even_when_the_ratio_looks_normal(tmp_path):
    """Past the ratio check (limits relaxed), the scan itself counts the row elements."""
    path = hostile.streamed_sheet(tmp_path / "rows.xlsx", b"<row/>", 3_000_000)
    with pytest.raises(WorkbookError) as err:
        guard.inspect(path.read_bytes(), Limits(max_ratio=10 ** 6))
    assert err.value.code == "row_limit"


def test_a_flood_of_row_heights_does_not_reach_openpyxl(tmp_path, cost):
    """1,000,000 <row ht=...> elements, no cell: calamine skips them, openpyxl would make an object of each, so
    the error sheet is rebuilt from the values instead."""
    def write(fh):
        fh.write(f'<worksheet xmlns="{hostile.MAIN_NS}"><sheetData>{HEADER_ROW}'.encode())
        for first in range(2, 1_000_001, 100_000):
            fh.write("".join(f'<row r="{r}" ht="20" customHeight="1"/>'
                             for r in range(first, min(first + 100_000, 1_000_001))).encode())
        fh.write(b"</sheetData></worksheet>")

    path = hostile.with_part(tmp_path / "heights.xlsx", "xl/worksheets/sheet1.xml", write)
    assert not guard.inspect(path.read_bytes(), Limits(), spans=True).fits_openpyxl()
    for entry, result in (("read", "rows:1"), ("errors", "sheet")):
        out = cost(path, entry)
        assert out["result"] == result and out["mb"] < BUDGET_MB and out["seconds"] < BUDGET_S, (entry, out)


def test_a_sheet_formatted_far_below_its_list_is_read(tmp_path, cost):
    """Borders down to row 100,000 are empty cell elements: within the memory bound, and not rows of data."""
    styled = "".join(f'<row r="{r}"><c r="A{r}" s="1"/><c r="K{r}" s="1"/></row>' for r in range(2, 100_001))
    path = hostile.sheet(tmp_path / "styled.xlsx", HEADER_ROW + styled)
    out = cost(path, "read")
    assert out["result"] == "rows:1" and out["mb"] < BUDGET_MB and out["seconds"] < BUDGET_S, out
    beyond = hostile.sheet(tmp_path / "beyond.xlsx", HEADER_ROW + styled + '<row r="100001"><c r="A100001"><v>1</v></c></row>')
    assert cost(beyond, "read")["result"] == "too_many_rows"  # a value there is data: MAX_SHEET_ROWS applies


def test_a_zip_of_many_entries_is_refused_from_its_directory(tmp_path, cost):
    path = hostile.zip_of_many_entries(tmp_path / "many.xlsx", 20_000)
    assert_refused_cheaply(cost, path, "unpacked_too_large", entries=("read",))


def test_a_part_that_lies_about_its_size_is_caught_by_its_crc(tmp_path):
    base = hostile.sheet(tmp_path / "s.xlsx", HEADER_ROW * 50)
    lying = hostile.zip_declaring(tmp_path / "lying.xlsx", 100)
    assert lying.stat().st_size < base.stat().st_size * 2
    with pytest.raises(WorkbookError) as err:
        guard.inspect(lying.read_bytes(), Limits())
    assert err.value.code == "invalid"


# --- rows and columns beyond Excel's limits or the app's ------------------------------------------------


def test_a_row_above_excels_limit(tmp_path, cost):
    path = hostile.sheet(tmp_path / "r.xlsx", HEADER_ROW + '<row r="1048577"><c r="A1048577"><v>1</v></c></row>')
    assert_refused_cheaply(cost, path, "row_limit")


def test_a_column_beyond_xfd(tmp_path, cost):
    path = hostile.sheet(tmp_path / "c.xlsx", HEADER_ROW + '<row r="2"><c r="ZZZZZ2"><v>1</v></c></row>')
    assert_refused_cheaply(cost, path, "column_limit")


def test_one_cell_at_the_far_corner_of_the_sheet(tmp_path, cost):
    """A1 and XFD1048576: both within Excel's limits; calamine's grid of them is 17 billion cells."""
    path = hostile.sheet(tmp_path / "far.xlsx", HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert_refused_cheaply(cost, path, "too_many_rows")


def test_one_cell_far_to_the_right_of_a_long_list(tmp_path, cost):
    path = hostile.sheet(tmp_path / "wide.xlsx", HEADER_ROW + '<row r="50000"><c r="XFD50000"><v>1</v></c></row>')
    assert_refused_cheaply(cost, path, "too_many_cells")


def test_cells_without_references_are_counted_exactly(tmp_path, cost):
    cells = "<c><v>1</v></c>" * 20_000
    path = hostile.sheet(tmp_path / "implicit.xlsx", HEADER_ROW + f'<row r="2">{cells}</row>')
    assert_refused_cheaply(cost, path, "column_limit", entries=("read",))


def test_a_dimension_that_claims_the_whole_sheet_costs_nothing(tmp_path, cost):
    """<dimension> is only a claim: nothing sizes memory by it (calamine caps what it reserves), so a stale or
    lying one is read, cheaply, for what the cells are."""
    path = hostile.sheet(tmp_path / "dim.xlsx", HEADER_ROW, dimension="A1:XFD1048576")
    out = cost(path, "read")
    assert out["result"] == "rows:1" and out["mb"] < BUDGET_MB and out["seconds"] < BUDGET_S


def test_a_merged_range_over_the_whole_sheet_is_not_given_to_openpyxl(tmp_path, cost):
    data = (HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>Nguyễn Văn An</t></is></c></row>'
            '</sheetData><mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells><sheetData>')
    path = hostile.sheet(tmp_path / "merged.xlsx", data)
    out = cost(path, "errors")
    assert out["result"] == "sheet" and out["mb"] < BUDGET_MB and out["seconds"] < BUDGET_S, out


def test_a_hyperlink_over_a_huge_range_is_not_given_to_openpyxl(tmp_path, cost):
    data = (HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>Nguyễn Văn An</t></is></c></row>'
            '</sheetData><hyperlinks><hyperlink ref="A2:XFD500000" display="x"/></hyperlinks><sheetData>')
    path = hostile.sheet(tmp_path / "links.xlsx", data)
    package = guard.inspect(path.read_bytes(), Limits(), spans=True)
    assert not package.fits_openpyxl()
    out = cost(path, "errors")
    assert out["result"] == "sheet" and out["mb"] < BUDGET_MB and out["seconds"] < BUDGET_S, out


# --- .xls -----------------------------------------------------------------------------------------------


def test_an_xls_whose_dimensions_claim_the_whole_sheet(tmp_path, cost):
    assert_refused_cheaply(cost, hostile.xls_dimensions(tmp_path / "dim.xls", 65_536, 16_384), "too_many_rows")


def test_an_xls_with_one_cell_far_away(tmp_path, cost):
    assert_refused_cheaply(cost, hostile.xls_cell_at(tmp_path / "far.xls", 40_000, 16_000), "too_many_cells")


def test_an_xls_whose_dimensions_run_backwards(tmp_path, cost):
    assert_refused_cheaply(cost, hostile.xls_dimensions(tmp_path / "back.xls", 0, 0) if False else
                           _backwards(tmp_path / "back.xls"), "invalid")


def _backwards(path):
    def patch(stream):
        import struct

        for typ, body, _ in hostile.biff_records(stream):
            if typ == 0x0200:
                struct.pack_into("<IIHH", stream, body, 100, 5, 0, 11)

    return hostile.patched_xls(path, patch)


def test_an_xls_whose_directory_chain_loops(tmp_path, cost):
    assert_refused_cheaply(cost, hostile.xls_directory_loop(tmp_path / "loop.xls"), "invalid")


def test_upload_size_cap(tmp_path):
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + bytes(1024 * 1024))
    with pytest.raises(WorkbookError) as err:
        guard.read_source(big, Limits(max_bytes=512 * 1024))
    assert err.value.code == "file_too_large" and "MB" in err.value.message
