"""The official xlsx export of 20,000 rows against openpyxl's write-only mode writing the same rows.

    .venv/bin/python bench/bench_synthesis_export.py [--people 20000] [--repeat 3] [--pg URL|none]

Data (bench/synthesis_data.py). (a) bare: the rows of the people list, fetched once beforehand, appended to
an openpyxl write-only sheet (no safety, no layout); (b) ``app.excel.writer.official_bytes`` writing the same
rows in the official layout (motto, merged title, boxed table, signature block), every value through the safe
cell writer. Also (c): ``services.synthesis.export.people_xlsx`` end to end (the query included), for the
record. Prints the times and b/a (target ≤ 2).
"""
from __future__ import annotations

import argparse
import io

from synthesis_data import best, build, dialects


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg", default="none", help="PostgreSQL server URL to run on it too (none: SQLite only)")
    args = parser.parse_args()
    from openpyxl import Workbook

    from app.domain.scope import SYSTEM
    from app.excel.writer import OfficialLayout, official_bytes
    from app.extensions import db
    from app.services.synthesis import export

    print(f"{'database':<12}{'rows':>7}{'openpyxl bare':>16}{'official':>12}{'ratio':>8}{'end to end':>14}")
    for dialect in dialects(args.pg):
        with build(dialect, args.people, pg_url=args.pg) as world:
            with world.app.test_request_context():
                s = db.session
                from sqlalchemy import select

                from app.models import OrgUnit, Period, Sheet, Staff
                pid = s.scalar(select(Period.id).where(Period.key == "2026-11"))
                rows = [[i, r[0], r[1], r[2], r[3], r[4], r[5], "Hoàn thành tốt nhiệm vụ"] for i, r in enumerate(s.execute(
                    select(Staff.full_name, Staff.position, OrgUnit.name, Sheet.self_total, Sheet.final_total, Sheet.grade)
                    .join(Staff, Staff.id == Sheet.person_id).join(OrgUnit, OrgUnit.id == Sheet.unit_id)
                    .where(Sheet.period_id == pid)), 1)]
                layout = OfficialLayout("QUẬN BA ĐÌNH", export.PEOPLE_TITLE, ["Toàn Quận Ba Đình", "Kỳ đánh giá: tháng 11/2026"],
                                        export.PEOPLE_HEADERS, export.PEOPLE_WIDTHS, "Hà Nội, ngày 02/12/2026")

                def bare():
                    wb = Workbook(write_only=True)
                    ws = wb.create_sheet("Danh sách")
                    ws.append(export.PEOPLE_HEADERS)
                    for r in rows:
                        ws.append(r)
                    wb.save(io.BytesIO())

                def ours():
                    official_bytes(layout, rows)

                def end_to_end():
                    export.people_xlsx(s, SYSTEM, "2026-11", org_name="Quận Ba Đình")
                    s.rollback()

                a, b = best(bare, args.repeat), best(ours, args.repeat)
                c = best(end_to_end, 1)
                print(f"{dialect:<12}{len(rows):>7}{a:>14.3f} s{b:>10.3f} s{b / a:>8.2f}{c:>12.3f} s   (target b/a <= 2)")


if __name__ == "__main__":
    main()
