"""City scale on PostgreSQL: 200,000 people × 12 months; the monthly summary against a bare GROUP BY; the
per-row cost of import, period opening and export at two sizes.

    .venv/bin/python bench/bench_city.py [--staff 200000] [--unit-size 100] [--months 12] [--repeat 3]
                                         [--import-rows 500,5000] [--export-rows 10000,50000]
                                         [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Generator (its own, in a scratch database dropped at the end): ``flask setup``; one block per 14 units (about
the 126 xã/phường of Hà Nội at 200,000 people); units of ``--unit-size`` people inserted with
``INSERT … SELECT generate_series`` (a head who grades the unit, the rest staff); months 1 to ``--months``−1 of
the year closed and finalised (sheets inserted with one ``INSERT … SELECT`` over people × months, grades
spread over A–D); the last month opened by the service (``open_period``), then half of it moved on
(submitted, some finalised) with one UPDATE.

Measured:
- the monthly summary of the open month against a bare ``SELECT unit_id, count(*) FROM sheet WHERE period_id = :p
  GROUP BY unit_id`` over the same table; best of ``--repeat`` each, ratio (target ≤ 3), and ``EXPLAIN (ANALYZE,
  BUFFERS)`` of each. The summary is the synthesis service the screens use
  (``app.services.synthesis.summary.summary``, the district admin's unit table: counts per grade, quota) when it
  is there, and always ``SUMMARY_SQL`` below, written here against the sheet tables (one row per unit: its block,
  people, sheets per state, finalised per grade, the average final score).
- period opening (``services.evaluation.periods.open_period``, committed) with ``--staff``/10 people and with
  ``--staff`` people, each on a sheet table without other months: per-row cost at both sizes; and the month
  opened with the past months in the table;
- Mẫu 01 import (``services.mau01``: read_sheet, plan_import, commit_plan — the commit path, flushed, then rolled
  back so both sizes see the same database) of the two ``--import-rows`` sizes into the city;
- export (``app.excel.writer.table_bytes``) of the open month's sheet list at the two ``--export-rows`` sizes
  (query + workbook).
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_load import make_app, pg_scratch  # noqa: E402

YEAR = 2026
FAMILIES = ["Nguyễn Văn", "Trần Thị", "Lê Hữu", "Phạm Minh", "Hoàng Thu", "Vũ Đức", "Đặng Ngọc"]
GIVENS = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Lan", "Linh", "Long", "Mai", "Nam", "Sơn", "Trang", "Tuấn"]

# The summary: per unit, aggregated over the month's sheets first, then joined to the unit's and block's names.
SUMMARY_SQL = """
WITH per_unit AS (
    SELECT s.unit_id,
           count(*) AS people,
           count(*) FILTER (WHERE s.state = 'draft') AS draft,
           count(*) FILTER (WHERE s.state = 'submitted') AS submitted,
           count(*) FILTER (WHERE s.state = 'commented') AS commented,
           count(*) FILTER (WHERE s.state = 'finalised') AS finalised,
           count(*) FILTER (WHERE s.state = 'finalised' AND s.grade = 'A') AS grade_a,
           count(*) FILTER (WHERE s.state = 'finalised' AND s.grade = 'B') AS grade_b,
           count(*) FILTER (WHERE s.state = 'finalised' AND s.grade = 'C') AS grade_c,
           count(*) FILTER (WHERE s.state = 'finalised' AND s.grade = 'D') AS grade_d,
           round(avg(s.final_total) FILTER (WHERE s.state = 'finalised'), 2) AS average
    FROM sheet s
    WHERE s.period_id = :period
    GROUP BY s.unit_id
)
SELECT u.id AS unit_id, u.name AS unit, b.name AS block, per_unit.*
FROM per_unit
JOIN org_unit u ON u.id = per_unit.unit_id
LEFT JOIN org_unit b ON b.id = u.block_id
ORDER BY b.name, u.name
"""


def summary(conn, period_id: int) -> list:
    """One row per unit: block, unit, people, sheets per state, finalised per grade, average final score."""
    from sqlalchemy import text

    return conn.execute(text(SUMMARY_SQL), {"period": period_id}).mappings().all()


BARE_SQL = "SELECT s.unit_id, count(*) FROM sheet s WHERE s.period_id = :period GROUP BY s.unit_id"


def _admin():
    from app.domain.roles import ADMIN
    from app.domain.scope import Actor

    return Actor(id=None, roles=frozenset({ADMIN}))


def add_people(conn, first_unit_no: int, units: int, unit_size: int, block_ids: list[int], now) -> None:
    """``units`` units of ``unit_size`` people each, in one INSERT … SELECT per table."""
    from sqlalchemy import text

    conn.execute(text("""
        INSERT INTO org_unit (name, name_key, kind, parent_id, block_id, unit_type, declared_headcount, created_on)
        SELECT 'Đơn vị ' || lpad(g::text, 5, '0'), 'don vi ' || lpad(g::text, 5, '0'), 'unit',
               (CAST(:blocks AS int[]))[1 + (g - 1) % cardinality(CAST(:blocks AS int[]))], (CAST(:blocks AS int[]))[1 + (g - 1) % cardinality(CAST(:blocks AS int[]))],
               'Đơn vị hành chính', :size, :now
        FROM generate_series(CAST(:first AS int), CAST(:last AS int)) AS g
    """), {"blocks": block_ids, "size": unit_size, "now": now, "first": first_unit_no, "last": first_unit_no + units - 1})
    conn.execute(text("UPDATE org_unit SET unit_id = id WHERE kind = 'unit' AND unit_id IS NULL"))
    # People: unit k's i-th person (i from 0); i = 0 is its head, who grades everybody else in the unit.
    from app.domain.text import fold

    conn.execute(text("""
        INSERT INTO ab_user (first_name, last_name, full_name, name_key, username, email, active, password,
                             unit_id, eval_role, is_unit_admin, must_change_password, session_version,
                             created_on, changed_on)
        SELECT g.given, f.family, f.family || ' ' || g.given, f.folded || ' ' || g.folded,
               'nguoi' || p || '_hanoi', 'nguoi' || p || '@hanoi.invalid', true, 'x',
               u.id, CASE WHEN i = 0 THEN 'leader' ELSE 'staff' END, false, false, 0, :now, :now
        FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM org_unit
              WHERE kind = 'unit' AND name_key >= 'don vi ' || lpad(CAST(:first AS text), 5, '0')
                AND name_key <= 'don vi ' || lpad(CAST(:last AS text), 5, '0')) u
        CROSS JOIN generate_series(0, CAST(:size AS int) - 1) AS i
        CROSS JOIN LATERAL (SELECT (CAST(:first AS int) - 1 + u.k) * CAST(:size AS int) + i AS p) pp
        CROSS JOIN LATERAL (SELECT (CAST(:families AS text[]))[1 + pp.p % cardinality(CAST(:families AS text[]))] AS family,
                                   (CAST(:families_folded AS text[]))[1 + pp.p % cardinality(CAST(:families AS text[]))] AS folded) f
        CROSS JOIN LATERAL (SELECT (CAST(:givens AS text[]))[1 + (pp.p / 7) % cardinality(CAST(:givens AS text[]))] AS given,
                                   (CAST(:givens_folded AS text[]))[1 + (pp.p / 7) % cardinality(CAST(:givens AS text[]))] AS folded) g
    """), {"now": now, "size": unit_size, "first": first_unit_no, "last": first_unit_no + units - 1,
           "families": FAMILIES, "families_folded": [fold(x) for x in FAMILIES],
           "givens": GIVENS, "givens_folded": [fold(x) for x in GIVENS]})
    conn.execute(text("""
        UPDATE ab_user a SET evaluator_id = h.id
        FROM (SELECT unit_id, min(id) AS id FROM ab_user WHERE unit_id IS NOT NULL GROUP BY unit_id) h
        WHERE a.unit_id = h.unit_id AND a.id <> h.id AND a.evaluator_id IS NULL
    """))


def linear(n1: int, t1: float, n2: int, t2: float) -> str:
    """The line through both sizes: marginal cost per row and fixed cost."""
    if n1 == n2:
        return "one size only"
    marginal = (t2 - t1) / (n2 - n1)
    return f"marginal {marginal * 1e6:.1f} µs/row, fixed {t1 - marginal * n1:.2f} s"


def timed(fn) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def best(repeat: int, fn) -> float:
    return min(timed(fn) for _ in range(repeat))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--staff", type=int, default=200_000)
    parser.add_argument("--unit-size", type=int, default=100)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--import-rows", default="500,5000", help="two Mẫu 01 sizes (BENCH_PROFILE_IMPORT=1 profiles one)")
    parser.add_argument("--export-rows", default="10000,50000")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres"):
        parser.error("the city bench runs on PostgreSQL (--database-url postgresql://…)")
    units = max(2, args.staff // args.unit_size)
    small_units = max(1, units // 10)
    import_sizes = [int(x) for x in args.import_rows.split(",")]
    export_sizes = [int(x) for x in args.export_rows.split(",")]

    from sqlalchemy import delete, select, text

    work = Path(tempfile.mkdtemp(prefix="bench_city_"))
    url, drop = pg_scratch(args.database_url, "bench_city")
    try:
        t_all = time.perf_counter()
        app = make_app(url, str(work / "instance"), secrets.token_urlsafe(48))
        from app.domain.text import fold
        from app.extensions import db
        from app.models import OrgUnit, Period, Sheet
        from app.services import clock
        from app.services.evaluation import periods
        from app.services.evaluation import rules as rule_service
        from app.services.uow import unit_of_work

        admin = _admin()
        now = clock.now()
        ctx = app.app_context()
        ctx.push()
        session = db.session

        def vacuum():
            session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))

        # Past months, opened and closed while nobody exists yet: their sheets come in bulk below.
        t0 = time.perf_counter()
        for m in range(1, args.months):
            with unit_of_work(session):
                p = periods.open_period(session, f"{YEAR}-{m:02d}", admin)
                periods.close_period(session, p, admin)
        root = session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "district"))
        blocks = max(1, round(units / 14))
        with unit_of_work(session):
            conn = session.connection()
            block_ids = []
            for i in range(blocks):
                name = f"Phường số {i + 1:03d}"
                block = OrgUnit(name=name, name_key=fold(name), kind="block", parent_id=root)
                session.add(block)
                session.flush()
                block.block_id = block.id
                block_ids.append(block.id)
            session.flush()
            add_people(conn, 1, small_units, args.unit_size, block_ids, now)
        vacuum()

        # Period opening, small size (deleted afterwards).
        probe_key = f"{YEAR + 1}-01"

        def open_probe():
            with unit_of_work(session):
                periods.open_period(session, probe_key, admin)

        def drop_probe():
            with unit_of_work(session):
                session.execute(delete(Period).where(Period.key == probe_key))

        n_small = small_units * args.unit_size
        t_open_small = timed(open_probe)
        drop_probe()

        with unit_of_work(session):
            add_people(session.connection(), small_units + 1, units - small_units, args.unit_size, block_ids, now)
        people = session.scalar(text("SELECT count(*) FROM ab_user WHERE unit_id IS NOT NULL"))
        vacuum()
        t_open_large = timed(open_probe)  # the same conditions as the small size: no other sheets yet
        drop_probe()

        # Past months' sheets: finalised, grades spread (A ≥ 90, B ≥ 70, C ≥ 50, D below).
        version_id, _ = rule_service.versions_for_period(session, periods.P.parse_key(f"{YEAR}-01"))
        with unit_of_work(session):
            session.execute(text("""
                INSERT INTO sheet (period_id, person_id, unit_id, eval_role, evaluator_id, rule_version_id, state,
                                   self_assessed, fails, worked_days, working_days, self_total, final_total,
                                   computed_grade, grade, submitted_at, finalised_at, created_at, updated_at, version)
                SELECT p.id, a.id, a.unit_id, a.eval_role, a.evaluator_id, :version, 'finalised', true, false,
                       p.working_days, p.working_days, t.total, t.total,
                       g.grade, g.grade, p.opened_at, p.opened_at, p.opened_at, p.opened_at, 4
                FROM period p
                CROSS JOIN ab_user a
                CROSS JOIN LATERAL (SELECT (45 + (a.id * 7 + p.id * 13) % 55)::numeric AS total) t
                CROSS JOIN LATERAL (SELECT CASE WHEN t.total >= 90 THEN 'A' WHEN t.total >= 70 THEN 'B'
                                                WHEN t.total >= 50 THEN 'C' ELSE 'D' END AS grade) g
                WHERE a.unit_id IS NOT NULL AND p.key <> :probe
            """), {"version": version_id, "probe": probe_key})
        vacuum()

        # The open month: the service, at full size (timed), then half of it moved on.
        key = f"{YEAR}-{args.months:02d}"

        def open_month():
            with unit_of_work(session):
                periods.open_period(session, key, admin)

        t_open_city = timed(open_month)  # with the 11 past months' sheets in the table
        period_id = session.scalar(select(Period.id).where(Period.key == key))
        with unit_of_work(session):
            session.execute(text("""
                UPDATE sheet SET state = CASE WHEN person_id % 4 = 0 THEN 'finalised' ELSE 'submitted' END,
                       self_total = 45 + (person_id * 7) % 55, submitted_at = :now, version = version + 2,
                       final_total = CASE WHEN person_id % 4 = 0 THEN 45 + (person_id * 7) % 55 END,
                       grade = CASE WHEN person_id % 4 <> 0 THEN NULL WHEN 45 + (person_id * 7) % 55 >= 90 THEN 'A'
                                    WHEN 45 + (person_id * 7) % 55 >= 70 THEN 'B'
                                    WHEN 45 + (person_id * 7) % 55 >= 50 THEN 'C' ELSE 'D' END
                WHERE period_id = :p AND person_id % 2 = 0
            """), {"p": period_id, "now": now})
        vacuum()
        sheets = session.scalar(text("SELECT count(*) FROM sheet"))
        t_gen = time.perf_counter() - t_all
        print(f"PostgreSQL; {people:,} people in {units:,} units ({blocks} blocks); {args.months} months, "
              f"{sheets:,} sheets; generated in {t_gen:.0f} s")

        # -- the monthly summary against the bare GROUP BY -----------------------------------------------------
        # The summary the screens show: app.services.synthesis.summary (branch synth) when present — the unit
        # table of the district admin's scope — else SUMMARY_SQL below (written here against the sheet tables).
        try:
            from app.services.synthesis import summary as synthesis_summary
        except ImportError:
            synthesis_summary = None
        conn = session.connection()
        run_sql = lambda: summary(conn, period_id)  # noqa: E731
        run_bare = lambda: conn.execute(text(BARE_SQL), {"period": period_id}).all()  # noqa: E731
        rows_sql, rows_bare = run_sql(), run_bare()
        assert len(rows_sql) == len(rows_bare) == units, (len(rows_sql), len(rows_bare), units)
        assert sum(r["people"] for r in rows_sql) == people
        candidates = [("summary SQL (bench)", run_sql)]
        if synthesis_summary is not None:
            org_name = app.extensions["settings"].org_name

            def run_service():
                out = synthesis_summary.summary(session, admin, key, org_name=org_name)
                session.expire_all()
                return out

            got = run_service()
            assert len(got.units) == units and sum(u.total for u in got.units) == people
            finalised = sum(u.graded for u in got.units)
            assert finalised == sum(r["finalised"] for r in rows_sql)
            candidates.insert(0, ("synthesis.summary service", run_service))
        times = {name: [] for name, _ in candidates}
        t_bare = []
        for _ in range(args.repeat):  # interleaved: the same cache for all
            t_bare.append(timed(run_bare))
            for name, fn in candidates:
                times[name].append(timed(fn))
        b = min(t_bare)
        print(f"\nmonthly summary of {key} ({units:,} units, {people:,} sheets of {sheets:,}):")
        print(f"  bare GROUP BY             : best {b * 1000:8.1f} ms  (runs {', '.join(f'{x * 1000:.0f}' for x in t_bare)})")
        for name, _ in candidates:
            best_t = min(times[name])
            print(f"  {name:<26}: best {best_t * 1000:8.1f} ms  (runs {', '.join(f'{x * 1000:.0f}' for x in times[name])})"
                  f"  ratio {best_t / b:.2f} (target ≤ 3)")
        s = min(times[candidates[0][0]])
        explained = [("bare GROUP BY", BARE_SQL, {"period": period_id}), ("summary SQL (bench)", SUMMARY_SQL, {"period": period_id})]
        if synthesis_summary is not None:
            # The statements the service runs, as it runs them (captured from one call), EXPLAINed as they are.
            from sqlalchemy import event

            seen: list = []

            def capture(conn_, cursor, statement, parameters, context, executemany):
                if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "sheet" in statement:
                    seen.append((statement, parameters))

            event.listen(db.engine, "before_cursor_execute", capture)
            try:
                run_service()
            finally:
                event.remove(db.engine, "before_cursor_execute", capture)
            for i, (statement, parameters) in enumerate(seen, 1):
                explained.insert(i, (f"synthesis.summary statement {i}", statement, parameters))
        for title, sql, params in explained:
            print(f"\n  EXPLAIN (ANALYZE, BUFFERS) {title}:")
            if title.startswith("synthesis"):
                lines = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params or {}).all()
            else:
                lines = conn.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql), params).all()
            for (line,) in lines:
                print(f"    {line}")
        session.rollback()

        # -- period opening at two sizes -----------------------------------------------------------------------
        print("\nperiod opening (open_period, committed):")
        print(f"  {n_small:>9,} people: {t_open_small:7.2f} s  {t_open_small / n_small * 1e6:7.1f} µs/row")
        print(f"  {people:>9,} people: {t_open_large:7.2f} s  {t_open_large / people * 1e6:7.1f} µs/row  "
              f"(large/small per row: {(t_open_large / people) / (t_open_small / n_small):.2f})")
        print(f"  {linear(n_small, t_open_small, people, t_open_large)}")
        print(f"  {people:>9,} people, {sheets - people:,} sheets of past months in the table: {t_open_city:7.2f} s  "
              f"{t_open_city / people * 1e6:7.1f} µs/row")

        # -- import at two sizes ---------------------------------------------------------------------------------
        from bench_mau01_import import write_mau01

        from app.domain.scope import SYSTEM
        from app.models import Staff
        from app.services.mau01 import commit_plan, plan_import, read_sheet

        print("\nMẫu 01 import into the city (read_sheet + plan_import + commit_plan, flushed, rolled back):")
        unit_names = [u for u in session.scalars(select(OrgUnit.name).where(OrgUnit.kind == "unit").order_by(OrgUnit.id).limit(8))]
        taken = set(session.execute(select(OrgUnit.name_key, Staff.name_key).join(OrgUnit, OrgUnit.id == Staff.unit_id)
                                    .where(OrgUnit.name.in_(unit_names))).all())
        per_row, times = [], []
        for rows in import_sizes:
            path = work / f"mau01_{rows}.xlsx"
            write_mau01(path, rows, unit_names, taken)
            session.rollback()

            def one():
                sheet = read_sheet(str(path), app.config["ACCOUNT_SUFFIX"])
                plan = plan_import(session, sheet, SYSTEM)
                assert not plan.errors, [(e.row, e.column, e.message) for e in plan.errors[:5]]
                result = commit_plan(session, plan, SYSTEM, source_name=path.name)
                session.flush()
                assert result.committed
                session.rollback()

            if os.environ.get("BENCH_PROFILE_IMPORT"):
                import cProfile
                import pstats

                prof = cProfile.Profile()
                prof.runcall(one)
                pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
            t = best(args.repeat, one)
            per_row.append(t / rows)
            times.append((rows, t))
            print(f"  {rows:>7,} rows: {t:7.2f} s  {t / rows * 1e6:8.1f} µs/row")
        print(f"  large/small per row: {per_row[-1] / per_row[0]:.2f}; {linear(*times[0], *times[-1])}")

        # -- export at two sizes ---------------------------------------------------------------------------------
        from app.excel.writer import table_bytes

        print("\nexport of the month's sheet list (query + app.excel.writer.table_bytes):")
        headers = ["STT", "Họ và tên", "Đơn vị", "Khối", "Trạng thái", "Tự chấm", "Điểm", "Xếp loại"]
        export_sql = text("""
            SELECT a.full_name, u.name, b.name, s.state, s.self_total, s.final_total, s.grade
            FROM sheet s JOIN ab_user a ON a.id = s.person_id JOIN org_unit u ON u.id = s.unit_id
            LEFT JOIN org_unit b ON b.id = u.block_id
            WHERE s.period_id = :p ORDER BY b.name, u.name, a.name_key LIMIT :n
        """)
        per_row, times = [], []
        for rows in export_sizes:
            def one():
                data = session.execute(export_sql, {"p": period_id, "n": rows}).all()
                out = table_bytes(f"Kỳ {key}", headers, ([i + 1, *r] for i, r in enumerate(data)))
                assert len(data) == min(rows, people) and out[:2] == b"PK"

            t = best(max(1, args.repeat - 1), one)
            n = min(rows, people)
            per_row.append(t / n)
            times.append((n, t))
            print(f"  {n:>7,} rows: {t:7.2f} s  {t / n * 1e6:8.1f} µs/row")
        print(f"  large/small per row: {per_row[-1] / per_row[0]:.2f}; {linear(*times[0], *times[-1])}")
        session.rollback()
        print(f"\ntotal run: {time.perf_counter() - t_all:.0f} s")
        db.session.remove()
        db.engine.dispose()
        ctx.pop()
        return 0 if s / b <= 3 else 1
    finally:
        drop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    logging.getLogger().setLevel(logging.WARNING)
    sys.exit(main())
