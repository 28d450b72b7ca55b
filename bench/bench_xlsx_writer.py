"""Time app.excel.writer against openpyxl's bare write-only mode, on an export of N rows (default 20,000).

    .venv/bin/python bench/bench_xlsx_writer.py [--rows 20000] [--repeat 3]

The rows look like an audit or evaluation export: a datetime, names, labels, a few numbers, some texts that
start with "=", "+" or "-" (which the safe writer turns into quoted text cells). openpyxl writes the same
values with ws.append (no safety, no date format). Prints both times and the ratio (target <= 2).
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from app.excel.writer import table_bytes  # noqa: E402

HEADERS = ["Thời điểm", "Người thực hiện", "Hành động", "Đối tượng", "Đơn vị", "Điểm", "Xếp loại", "Ghi chú"]


def make_rows(n: int) -> list[list]:
    rnd = random.Random(2026)
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    rows = []
    for i in range(n):
        note = rnd.choice(["", "Hoàn thành tốt", "=1+1", "+84912345678", "-", "Đã trả lại để sửa"])
        rows.append([start + dt.timedelta(minutes=i), f"Nguyễn Văn {i}", "Chấm điểm", f"Trần Thị {i} (tranthi{i}_badinh)",
                     "UBND phường Cống Vị", rnd.randint(40, 100), rnd.choice("ABCD"), note or None])
    return rows


def bare(rows) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Báo cáo")
    ws.append(HEADERS)
    for r in rows:
        ws.append([r[0].replace(tzinfo=None)] + r[1:])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def safe(rows) -> bytes:
    return table_bytes("Báo cáo", HEADERS, rows)


def best(func, rows, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        func(rows)
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = make_rows(args.rows)
    t_bare, t_safe = best(bare, rows, args.repeat), best(safe, rows, args.repeat)
    print(f"{args.rows} rows x {len(HEADERS)} columns, best of {args.repeat}")
    print(f"openpyxl write-only, bare : {t_bare:.3f} s")
    print(f"app.excel.writer          : {t_safe:.3f} s")
    print(f"ratio                     : {t_safe / t_bare:.2f}   (target <= 2)")


if __name__ == "__main__":
    main()
