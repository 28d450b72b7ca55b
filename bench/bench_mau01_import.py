"""Time the end-to-end Mẫu 01 import against openpyxl merely reading the same file.

    .venv/bin/python bench/bench_mau01_import.py [--rows 5000] [--rows-large 50000] [--repeat 3]
                                                  [--database-url URL]

For each size it writes a realistic Mẫu 01 of N rows with openpyxl (about 20 units, some of them new to the
district; in each unit the leaders first, then the people they evaluate, "Lãnh đạo đánh giá" naming the
unit head and "Lãnh đạo phụ trách nhận xét" a deputy, by name; many namesakes; some phones typed as
numbers that lost their leading 0), and measures, best of K:

  (a) openpyxl read-only reading the file: load_workbook(read_only=True) and every row, values_only;
  (b) app.services.mau01.run_import(db.session, path, actor=SYSTEM): parse, validate, resolve the leaders,
      create the accounts with their password hashes, commit. Each repetition starts from a freshly
      restored database (the restore is not timed) and must create every row.

It prints both times, the ratio b/a (target ≤ 1.5), the per-row time of the large size over the small one
(target ≈ 1: linear), and a breakdown of one import into read_sheet / plan_import / commit_plan.

The database is a fresh SQLite file in a temporary directory, set up like a real district (schema, roles,
the demo Ba Đình). With --database-url (a scratch database: every table is restored to its state after the
set-up before each run, i.e. rows written meanwhile are deleted) the demo is seeded only when it has nobody.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADER = ["STT", "Họ và tên", "Chức vụ", "Tài khoản", "Email", "SĐT liên hệ", "Đơn vị", "Vai trò",
          "Là quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"]
LEADER = "Lãnh đạo cấp trưởng, phó cơ quan đơn vị"
DEPT_HEAD = "Trưởng, phó các phòng, ban, ngành"
STAFF = "Công chức, viên chức, lao động hợp đồng"
SYNTHESIS = "Tổng hợp, tham mưu đánh giá"

# Few family names, few middle names, common given names: namesakes everywhere, as in a real district.
FAMILY = ["Nguyễn"] * 10 + ["Trần"] * 4 + ["Lê"] * 3 + ["Phạm"] * 2 + [
    "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đào", "Lương"]
MIDDLE_M = ["Văn", "Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Ngọc", "Xuân", "Tiến", "Mạnh", "Công", "Duy"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Phương", "Thùy", "Hồng", "Lan", "Mai", "Kim"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Quân", "Sơn",
           "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Đạt", "Hoàng", "Phúc", "Thành", "Vinh", "Đức", "Kiên"]
GIVEN_F = ["Anh", "Chi", "Dung", "Hà", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Loan", "Mai", "Nga", "Ngọc",
           "Nhung", "Phương", "Thảo", "Trang", "Yến", "Huyền", "Thủy", "Hạnh", "Vân", "Oanh", "Giang", "Tâm"]
# Units the demo district does not have: created by the import (district admin, no actor).
NEW_UNITS = [
    ("Phòng Quản lý đô thị", ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
    ("Phòng Văn hóa và Thông tin", ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
    ("Phòng Tài nguyên và Môi trường", ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
    ("Phòng Y tế", ("Trưởng phòng", "Phó Trưởng phòng", "Chuyên viên")),
    ("UBND phường Liễu Giai", ("Chủ tịch", "Phó Chủ tịch", "Công chức")),
    ("UBND phường Đội Cấn", ("Chủ tịch", "Phó Chủ tịch", "Công chức")),
    ("UBND phường Giảng Võ", ("Chủ tịch", "Phó Chủ tịch", "Công chức")),
    ("Trường Mầm non Hoa Sen", ("Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên")),
    ("Trường Tiểu học Thủ Lệ", ("Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên")),
    ("Trường THCS Thống Nhất", ("Hiệu trưởng", "Phó Hiệu trưởng", "Giáo viên")),
    ("Trung tâm Văn hóa – Thông tin và Thể thao", ("Giám đốc", "Phó Giám đốc", "Viên chức")),
    ("Ban Quản lý dự án đầu tư xây dựng", ("Giám đốc", "Phó Giám đốc", "Viên chức")),
]
EXISTING_TITLES = ("Thủ trưởng", "Phó Thủ trưởng", "Chuyên viên")
PLAIN = str.maketrans("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ",
                      "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd")


def _fold(s: str) -> str:
    from app.domain.text import fold

    return fold(s)


def _name(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"


def _phone(rng: random.Random) -> object:
    digits = rng.choice(["09", "03", "08", "07", "05"]) + "".join(rng.choice("0123456789") for _ in range(8))
    r = rng.random()
    if r < 0.30:
        return int(digits)  # Excel dropped the leading 0
    if r < 0.38:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if r < 0.40:
        return None  # not given: a warning
    return digits


def write_mau01(path: Path, rows: int, existing_units: list[str], taken: set[tuple[str, str]], seed: int = 2026) -> dict:
    """Write a Mẫu 01 of exactly ``rows`` people with openpyxl; return what was written, for checks.

    ``existing_units``: unit names already in the database (about 8 of them are used, with 12 new ones).
    ``taken``: (folded unit, folded name) pairs of people already in the database; no row repeats one, so
    every row creates an account, and no unit leader is a namesake of anybody in their unit.
    """
    import openpyxl

    if rows < 12:
        raise ValueError("a Mẫu 01 for this benchmark needs at least 12 rows")
    rng = random.Random(seed)
    k = min(20, max(2, rows // 10))  # 20 units (8 existing, 12 new) from 200 rows up
    old = [(u, EXISTING_TITLES) for u in existing_units[:min(8, k // 2)]]
    units = old + NEW_UNITS[:k - len(old)]
    weights = [rng.uniform(0.5, 2.0) for _ in units]
    sizes = [max(6, int(rows * w / sum(weights))) for w in weights]
    sizes[-1] += rows - sum(sizes)
    assert sizes[-1] >= 6 and sum(sizes) == rows

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Mẫu 01")
    ws.append(["DANH SÁCH CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC, LAO ĐỘNG HỢP ĐỒNG ĐĂNG KÝ PHẦN MỀM ĐÁNH GIÁ, CHẤM ĐIỂM, "
               "PHÂN LOẠI HÀNG THÁNG"])
    ws.append(["1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính"])
    ws.append([f"2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: {rows} người"])
    ws.append([])
    ws.append(HEADER)
    stt = 0
    new_units = {u for u, _ in NEW_UNITS} & {u for u, _ in units}
    for (unit, (head_title, deputy_title, staff_title)), size in zip(units, sizes):
        ukey = _fold(unit)
        busy = {n for (u, n) in taken if u == ukey}  # names this unit's leaders must not share
        leader_names: set[str] = set()

        def leader_name() -> str:
            while True:
                n = _name(rng)
                if _fold(n) not in busy and _fold(n) not in leader_names:
                    leader_names.add(_fold(n))
                    return n

        head = leader_name()
        deputies = [leader_name() for _ in range(1 if size <= 20 else min(3, 1 + size // 150))]
        dept_heads = [leader_name() for _ in range(min(8, size // 80))]
        people = [(head, head_title, LEADER, None, None)]
        people += [(d, deputy_title, LEADER, None, head) for d in deputies]
        people += [(d, "Trưởng bộ phận", DEPT_HEAD, deputies[i % len(deputies)], head) for i, d in enumerate(dept_heads)]
        people.append((leader_name(), f"{staff_title} tổng hợp", SYNTHESIS, deputies[0], head))
        while len(people) < size:
            n = _name(rng)
            if _fold(n) in leader_names or _fold(n) in busy:
                continue
            reviewer = deputies[len(people) % len(deputies)] if size > 20 else None
            evaluator = head if rng.random() > 0.05 else f"Đ/c {head}"
            people.append((n, staff_title, STAFF, reviewer, evaluator))
        for i, (name, position, role, reviewer, evaluator) in enumerate(people):
            stt += 1
            plain = name.lower().translate(PLAIN).replace(" ", "")
            email = f"{plain}{stt}@hanoi.gov.vn" if rng.random() < 0.6 else None
            admin = "X" if i == len(deputies) + len(dept_heads) + 2 else None  # the first staff member
            ws.append([stt, name, position, None, email, _phone(rng), unit, role, admin, reviewer, evaluator])
    wb.save(path)
    return {"rows": stt, "units": len(units), "new_units": len(new_units)}


# --- timing -----------------------------------------------------------------------------------------------


def read_openpyxl(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        n = 0
        for _ in wb.worksheets[0].iter_rows(values_only=True):
            n += 1
        return n
    finally:
        wb.close()


def read_lean(path: Path) -> int:
    from app.excel.reader import iter_rows

    return sum(1 for _ in iter_rows(str(path)))


CPU: dict[int, float] = {}  # id(func) -> best process CPU time of the last best_of(func)


def best_of(repeat: int, func, before=None) -> tuple[float, object]:
    """Best wall time of ``repeat`` runs; the best CPU time of this process goes to CPU[id(func)] (a second
    figure that other processes on a shared machine disturb less)."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        if before is not None:
            before()
        gc.collect()  # not timed: garbage left by the previous repetition
        start, start_cpu = time.perf_counter(), time.process_time()
        result = func()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    CPU[id(func)] = best_cpu
    return best, result


class Database:
    """The seeded district, restored before every timed import (SQLite: a file copy; else delete + insert)."""

    def __init__(self, app, db, url: str, workdir: Path):
        self.app, self.db = app, db
        self.sqlite_path = None
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            self.sqlite_path = Path(url[len("sqlite:///"):])
            self.saved = workdir / "seeded.db"
            self._close()
            shutil.copyfile(self.sqlite_path, self.saved)
        else:
            from flask_appbuilder import Model

            self.tables = list(Model.metadata.sorted_tables)
            with db.engine.connect() as conn:
                self.rows = {t.name: [dict(r._mapping) for r in conn.execute(t.select())] for t in self.tables}

    def _close(self) -> None:
        self.db.session.remove()
        self.db.engine.dispose()

    def restore(self) -> None:
        with self.app.app_context():
            self._restore()

    def _restore(self) -> None:
        self._close()
        if self.sqlite_path is not None:
            for extra in ("-wal", "-shm", "-journal"):
                Path(str(self.sqlite_path) + extra).unlink(missing_ok=True)
            shutil.copyfile(self.saved, self.sqlite_path)
            return
        from sqlalchemy import text

        with self.db.engine.begin() as conn:
            for t in reversed(self.tables):
                conn.execute(t.delete())
            for t in self.tables:
                if self.rows[t.name]:
                    conn.execute(t.insert(), self.rows[t.name])
            if conn.dialect.name == "postgresql":
                for t in self.tables:
                    for c in t.primary_key.columns:
                        if c.autoincrement is True or (c.type.python_type is int and len(t.primary_key.columns) == 1):
                            seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": t.name, "c": c.name}).scalar()
                            if seq:
                                conn.execute(text(f"SELECT setval('{seq}', COALESCE((SELECT MAX({c.name}) FROM {t.name}), 0) + 1, false)"))


def make_app(url: str):
    from app import create_app
    from app.cli import run_setup
    from app.extensions import db
    from app.models import Staff
    from seed.demo import seed_demo

    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ACCOUNT_SUFFIX": "badinh", "DISTRICT_NAME": "Quận Ba Đình",
                      "TESTING": True})
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        run_setup()
        if db.session.query(Staff.id).filter(Staff.username != "admin").first() is None:
            seed_demo(db.session, layout="district")
        db.session.remove()
    return app, url


def _to_shared_strings(path: Path) -> None:
    """Rewrite the sheet as Excel saves it (shared string table), with bench_xlsx_reader's converter."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_xlsx_reader", Path(__file__).with_name("bench_xlsx_reader.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tmp = path.with_suffix(".shared.xlsx")
    module.to_shared_strings(path, tmp)
    tmp.replace(path)


SHARED_STRINGS = False


def bench_size(app, database: Database, workdir: Path, rows: int, repeat: int) -> dict:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import OrgUnit, Staff
    from app.services.mau01 import commit_plan, plan_import, read_sheet, run_import
    from app.domain.scope import SYSTEM
    from app.services.uow import unit_of_work

    with app.app_context():
        units = {u.name_key: u.name for u in db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "unit").order_by(OrgUnit.id))}
        taken = set(db.session.execute(select(OrgUnit.name_key, Staff.name_key).join(OrgUnit, OrgUnit.id == Staff.unit_id)).all())
        staff_before = db.session.scalar(select(func.count(Staff.id)))
    path = workdir / f"mau01_{rows}.xlsx"
    t0 = time.perf_counter()
    info = write_mau01(path, rows, list(units.values()), taken)
    if SHARED_STRINGS:
        _to_shared_strings(path)
    t_write = time.perf_counter() - t0
    assert info["rows"] == rows

    read_a = lambda: read_openpyxl(path)  # noqa: E731
    t_openpyxl, n_read = best_of(repeat, read_a)
    cpu_openpyxl = CPU[id(read_a)]
    assert n_read >= rows + 5
    t_lean, _ = best_of(repeat, lambda: read_lean(path))

    def one_import():
        with app.app_context():
            with unit_of_work(db.session):  # services only stage: the caller commits
                result = run_import(db.session, str(path), actor=SYSTEM, source_name=path.name)
            out = (result.committed, result.plan.count("create"), len(result.plan.errors), len(result.plan.warnings),
                   len(result.units_created))
            db.session.remove()
            return out

    t_import, (committed, created, n_errors, n_warnings, n_units) = best_of(repeat, one_import, database.restore)
    cpu_import = CPU[id(one_import)]
    assert committed and n_errors == 0, f"import not committed: {n_errors} errors"
    assert created == rows, f"created {created} of {rows} rows"
    assert n_units == info["new_units"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Staff.id))) == staff_before + rows
        db.session.remove()

    # Breakdown of one import, on a fresh database.
    database.restore()
    with app.app_context():
        session = db.session
        t = time.perf_counter()
        sheet = read_sheet(str(path), app.config["ACCOUNT_SUFFIX"])
        t_read = time.perf_counter() - t
        t = time.perf_counter()
        plan = plan_import(session, sheet, SYSTEM)
        t_plan = time.perf_counter() - t
        t = time.perf_counter()
        with unit_of_work(session):
            result = commit_plan(session, plan, SYSTEM, source_name=path.name)
        t_commit = time.perf_counter() - t
        assert result.committed and plan.count("create") == rows
        session.remove()
    database.restore()
    return {"rows": rows, "size": path.stat().st_size, "write": t_write, "openpyxl": t_openpyxl, "lean": t_lean,
            "import": t_import, "cpu_openpyxl": cpu_openpyxl, "cpu_import": cpu_import, "read": t_read, "plan": t_plan, "commit": t_commit, "warnings": n_warnings,
            "units": info["units"], "new_units": info["new_units"]}


def report(r: dict, repeat: int) -> None:
    print(f"\n{r['rows']} rows, {r['units']} units ({r['new_units']} new), {r['size'] / 1024:.0f} KiB, "
          f"{r['warnings']} warnings; written in {r['write']:.2f} s")
    print(f"  (a) openpyxl read-only, read only     : {r['openpyxl']:8.3f} s   (best of {repeat})")
    print(f"  (b) run_import end to end, committed  : {r['import']:8.3f} s   (best of {repeat})")
    ratio = r["import"] / r["openpyxl"]
    print(f"      ratio b/a                         : {ratio:8.2f}     (target <= 1.5: {'ok' if ratio <= 1.5 else 'ABOVE'})")
    cpu_ratio = r["cpu_import"] / r["cpu_openpyxl"]
    print(f"      same in CPU time of this process  : {cpu_ratio:8.2f}     ({r['cpu_import']:.3f} s / {r['cpu_openpyxl']:.3f} s)")
    print(f"      app.excel.reader read only        : {r['lean']:8.3f} s   (guard + python-calamine)")
    total = r["read"] + r["plan"] + r["commit"]
    print(f"  breakdown (one run): read+parse {r['read']:.3f} s | plan {r['plan']:.3f} s | commit {r['commit']:.3f} s"
          f" | total {total:.3f} s")
    print(f"  per row: openpyxl {r['openpyxl'] / r['rows'] * 1e6:.1f} µs, import {r['import'] / r['rows'] * 1e6:.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rows-large", type=int, default=50000, help="0 to skip the large size")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="a scratch database (default: a fresh SQLite file)")
    parser.add_argument("--shared-strings", action="store_true",
                        help="store texts in a shared string table, as Excel saves files (openpyxl reads those faster)")
    args = parser.parse_args()
    global SHARED_STRINGS
    SHARED_STRINGS = args.shared_strings

    with tempfile.TemporaryDirectory(prefix="bench_mau01_") as tmp:
        workdir = Path(tmp)
        os.environ.setdefault("INSTANCE_DIR", str(workdir / "instance"))
        url = args.database_url or f"sqlite:///{workdir / 'district.db'}"
        t = time.perf_counter()
        app, url = make_app(url)
        from app.extensions import db

        with app.app_context():
            database = Database(app, db, url, workdir)
        print(f"database: {url.split('@')[-1]} (set up and seeded in {time.perf_counter() - t:.1f} s)")
        results = []
        for rows in (args.rows, args.rows_large):
            if rows:
                r = bench_size(app, database, workdir, rows, args.repeat)
                report(r, args.repeat)
                results.append(r)
        if len(results) == 2:
            small, large = results
            per_import = (large["import"] / large["rows"]) / (small["import"] / small["rows"])
            per_read = (large["openpyxl"] / large["rows"]) / (small["openpyxl"] / small["rows"])
            print(f"\nper-row time large/small: import {per_import:.2f}, openpyxl {per_read:.2f} (target ≈ 1: linear)")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
