"""The district summary of one month against a bare ``GROUP BY unit, grade``, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_synthesis_summary.py [--people 20000] [--repeat 5] [--pg URL|none]

Data (bench/synthesis_data.py): N people × 12 finalised months. (a) bare: ``SELECT unit_id, grade, count(*)
FROM sheet WHERE period_id = :p GROUP BY unit_id, grade``; (b) ``services.synthesis.summary.summary`` as the
district admin (the period, the reach, the grouped count with rule versions, unit names, quota per unit).
Prints both times and b/a (target ≤ 3).
"""
from __future__ import annotations

import argparse

from synthesis_data import best, build, dialects


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    from sqlalchemy import func, select

    from app.domain.scope import SYSTEM
    from app.extensions import db
    from app.models import Period, Sheet
    from app.services.synthesis import summary

    print(f"{'database':<12}{'sheets':>9}{'bare GROUP BY':>16}{'summary':>12}{'ratio':>8}")
    for dialect in dialects(args.pg):
        with build(dialect, args.people, pg_url=args.pg) as world:
            with world.app.test_request_context():
                s = db.session
                pid = s.scalar(select(Period.id).where(Period.key == "2026-11"))

                def bare():
                    s.execute(select(Sheet.unit_id, Sheet.grade, func.count()).where(Sheet.period_id == pid)
                              .group_by(Sheet.unit_id, Sheet.grade)).all()
                    s.rollback()

                def ours():
                    result = summary.summary(s, SYSTEM, "2026-11", org_name="Quận Ba Đình")
                    assert sum(u.total for u in result.units) == world.people
                    s.rollback()

                ours()  # warm the rule-version cache and the statement cache, like a running server
                bare()
                a = b = float("inf")
                for _ in range(args.repeat):  # interleaved: a busy machine slows both alike
                    a, b = min(a, best(bare, 1)), min(b, best(ours, 1))
                print(f"{dialect:<12}{world.sheets:>9}{a * 1000:>13.1f} ms{b * 1000:>9.1f} ms{b / a:>8.2f}   (target <= 3)")


if __name__ == "__main__":
    main()
