"""The year roll-up of 20,000 people against a bare aggregate query over the same sheets.

    .venv/bin/python bench/bench_synthesis_rollup.py [--people 20000] [--repeat 3] [--pg URL|none]

Data (bench/synthesis_data.py): N people × 12 finalised months. (a) bare: ``SELECT person_id, count(*),
avg(final_total) FROM sheet JOIN period … WHERE key IN (the year) GROUP BY person_id``; (b)
``services.synthesis.rollup.rollup(…, "2026", "nd335", all_rows=True)`` as the district admin: the grouped
tally per person (count per grade, the score weighed by time worked, trial periods left out) joined to the
people and units, and the proposed grade for each. Prints both times and b/a (target ≤ 3).
"""
from __future__ import annotations

import argparse

from synthesis_data import MONTHS, best, build, dialects


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    from sqlalchemy import func, select

    from app.domain.scope import SYSTEM
    from app.extensions import db
    from app.models import Period, Sheet
    from app.services.synthesis import rollup

    print(f"{'database':<12}{'people':>8}{'bare aggregate':>17}{'roll-up':>12}{'ratio':>8}")
    for dialect in dialects(args.pg):
        with build(dialect, args.people, pg_url=args.pg) as world:
            with world.app.test_request_context():
                s = db.session

                def bare():
                    s.execute(select(Sheet.person_id, func.count(), func.avg(Sheet.final_total))
                              .join(Period, Period.id == Sheet.period_id).where(Period.key.in_(MONTHS))
                              .group_by(Sheet.person_id)).all()
                    s.rollback()

                def ours():
                    r = rollup.rollup(s, SYSTEM, "2026", "nd335", all_rows=True, org_name="Quận Ba Đình")
                    assert len(r.rows) == world.people
                    s.rollback()

                ours()
                a = b = float("inf")
                for _ in range(args.repeat):  # interleaved: a busy machine slows both alike
                    a, b = min(a, best(bare, 1)), min(b, best(ours, 1))
                print(f"{dialect:<12}{world.people:>8}{a * 1000:>14.1f} ms{b * 1000:>9.1f} ms{b / a:>8.2f}   (target <= 3)")


if __name__ == "__main__":
    main()
