"""Time computing every person's NĐ 335 task points for a period against a bare aggregate over the same rows.

    .venv/bin/python bench/bench_tasks.py [--people 10000] [--tasks 15] [--repeat 5] [--database-url URL]

It builds its own district: the schema and rule sets (``flask setup``), one block, 100 units of
``--people``/100 people (a head grading everybody of the unit, so leaders are in it too), one product
catalogue per unit (4 types, coefficients 0.5–3), an open period, and ``--tasks`` tasks per person with a
realistic mix: statuses (new, in progress, done on time or late, carried, cancelled), quantities done,
failed quality assessments on ~7 % of tasks, deadline extensions on ~8 % (the counters on the task and
the history rows behind them), objective-cause exemptions,
"exceeded" flags, and the leaders' đ, e ratings. Rows are inserted in bulk (not timed).

Then, interleaved, best of ``--repeat`` (each in its own transaction, warm):
  (a) bare: ``SELECT person_id, count(*), sum(quantity * coefficient) FROM task WHERE period_id = :p
      GROUP BY person_id`` — the same task rows, fetched per person;
  (b) ``services.tasks.period_points``: every person's a, b, c (and d, đ, e for leaders), the points, and
      the late/exceeded counts the band conditions need — exactly the figures of the line-by-line
      breakdown (tests/services/test_tasks.py checks they agree).
It prints both times and b/a (target ≤ 3, issue 9 "Speed").

SQLite: a fresh file in a temporary directory. ``--database-url postgresql://user@host:port/any``: a
scratch database is created on that server for the run and dropped at the end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KEY = "2026-11"


def _pg_scratch(url: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    server = make_url(url)
    name = f"bench_tasks_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def make_app(url: str, instance: str):
    from app import create_app
    from app.cli import run_setup
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "ACCOUNT_SUFFIX": "badinh", "DISTRICT_NAME": "Quận Ba Đình",
                      "INSTANCE_DIR": instance, "TESTING": True})
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        run_setup()
        db.session.remove()
    return app


def generate(session, people: int, tasks_each: int, seed: int = 9) -> int:
    """The district, the period and the tasks (see the module docstring); returns the period id."""
    from sqlalchemy import insert, select

    from app.domain import tasks as T
    from app.domain.text import fold
    from app.models import OrgUnit, Period, ProductType, Staff, Task, TaskAssessment, TaskDelay, TaskPlan
    from app.domain.evaluation import periods as P

    rng = random.Random(seed)
    root = session.scalar(select(OrgUnit).where(OrgUnit.kind == "district"))
    block = OrgUnit(name="Khối xã, phường", name_key=fold("Khối xã, phường"), kind="block", parent_id=root.id if root else None)
    session.add(block)
    session.flush()
    block.block_id = block.id
    n_units = max(1, people // 100)
    units = []
    for i in range(n_units):
        name = f"UBND phường Thử {i + 1}"
        u = OrgUnit(name=name, name_key=fold(name), kind="unit", parent_id=block.id, block_id=block.id)
        session.add(u)
        units.append(u)
    session.flush()
    for u in units:
        u.unit_id = u.id
    key = P.parse_key(KEY)
    period = Period(key=key.text, kind=key.kind, first_day=key.first_day, last_day=key.last_day, working_days=21, state="open")
    period.windows = P.make_windows(key, None, dict(P.DEFAULT_SPANS))
    session.add(period)
    session.flush()
    staff_rows, product_rows = [], []
    pid = (session.scalar(select(Staff.id).order_by(Staff.id.desc()).limit(1)) or 0) + 1
    person_ids: list[tuple[int, int]] = []  # (person, unit)
    for u in units:
        head = pid
        for j in range(people // n_units):
            role = "leader" if j == 0 else "staff"
            staff_rows.append({"id": pid, "username": f"u{pid}_badinh", "email": f"u{pid}@badinh.invalid",
                               "first_name": "A", "last_name": "B", "full_name": f"Người {pid}", "name_key": f"nguoi {pid}",
                               "active": True, "unit_id": u.id, "eval_role": role, "is_unit_admin": False,
                               "must_change_password": False, "session_version": 0,
                               "evaluator_id": None if j == 0 else head})
            person_ids.append((pid, u.id))
            pid += 1
        for code, coef in (("BC", "2"), ("CV", "0.5"), ("KH", "1.5"), ("DA", "3")):
            product_rows.append({"unit_id": u.id, "code": code, "name": code, "coefficient": Decimal(coef), "active": True})
    session.execute(insert(Staff.__table__), staff_rows)
    session.execute(insert(ProductType.__table__), product_rows)
    products = {}
    for p_id, unit_id, coef in session.execute(select(ProductType.id, ProductType.unit_id, ProductType.coefficient)):
        products.setdefault(unit_id, []).append((p_id, coef))
    plans = [{"person_id": p, "period_id": period.id, "unit_id": u, "state": "approved",
              "rating_dd": Decimal("90") if i % 100 == 0 else None, "rating_e": Decimal("85.5") if i % 100 == 0 else None,
              "created_at": dt.datetime(2026, 11, 2, 8)} for i, (p, u) in enumerate(person_ids)]
    session.execute(insert(TaskPlan.__table__), plans)
    plan_of = dict(session.execute(select(TaskPlan.person_id, TaskPlan.id).where(TaskPlan.period_id == period.id)).all())
    statuses = [T.DONE] * 9 + [T.IN_PROGRESS] * 3 + [T.NEW, T.CARRIED, T.CANCELLED]
    task_rows = []
    now = dt.datetime(2026, 11, 2, 8)
    for p, u in person_ids:
        for _ in range(tasks_each):
            product, coef = rng.choice(products[u])
            status = rng.choice(statuses)
            deadline = dt.date(2026, 11, rng.randint(3, 30))
            qty = Decimal(rng.choice(["1", "2", "3", "0.5", "5", "10"]))
            done_qty = (qty / 2).quantize(Decimal("0.01")) if status == T.IN_PROGRESS else None
            units, done = T.units_of(qty, Decimal(coef), status, done_qty)  # what the model's flush hook stores
            task_rows.append({
                "units_cents": int(units * 100), "done_cents": int(done * 100),
                "plan_id": plan_of[p], "person_id": p, "period_id": period.id, "unit_id": u, "title": "Nhiệm vụ",
                "product_type_id": product, "coefficient": coef, "quantity": qty,
                "quantity_done": done_qty,
                "deadline": deadline, "assigned_kind": "self", "status": status,
                "progress": 100 if status == T.DONE else rng.randint(0, 90),
                "finished_on": deadline + dt.timedelta(days=rng.choice([-2, -1, 0, 0, 0, 1, 3])) if status == T.DONE else None,
                "exempt": rng.random() < 0.03, "exceeded": rng.random() < 0.2, "created_at": now, "updated_at": now,
                "quality_fails": 1 if rng.random() < 0.07 else 0, "delay_count": 1 if rng.random() < 0.08 else 0,
            })
    for i in range(0, len(task_rows), 20000):
        session.execute(insert(Task.__table__), task_rows[i:i + 20000])
    # the history rows behind the counters (what rate_task and delay_task write together)
    counted = session.execute(select(Task.id, Task.quality_fails, Task.delay_count).where(Task.period_id == period.id)).all()
    assessments = [{"task_id": t, "passed": False, "note": "x", "at": now} for t, f, _ in counted for _ in range(f)]
    assessments += [{"task_id": t, "passed": True, "note": "x", "at": now} for t, f, _ in counted if not f and rng.random() < 0.05]
    delays = [{"task_id": t, "old_deadline": dt.date(2026, 11, 10), "new_deadline": dt.date(2026, 11, 15), "reason": "x",
               "at": now} for t, _, d in counted for _ in range(d)]
    for rows, table in ((assessments, TaskAssessment.__table__), (delays, TaskDelay.__table__)):
        for i in range(0, len(rows), 20000):
            session.execute(insert(table), rows[i:i + 20000])
    session.commit()
    from sqlalchemy import text

    session.execute(text("ANALYZE"))  # planner statistics, on SQLite and PostgreSQL alike
    session.commit()
    return period.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--tasks", type=int, default=15)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    drop = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            url, drop = _pg_scratch(args.database_url)
        else:
            url = f"sqlite:///{os.path.join(tmp, 'bench.db')}"
        try:
            app = make_app(url, tmp)
            from sqlalchemy import func, select

            from app.extensions import db
            from app.models import Task
            from app.services import tasks as service

            with app.app_context():
                t0 = time.perf_counter()
                period_id = generate(db.session, args.people, args.tasks)
                n_tasks = db.session.scalar(select(func.count(Task.id)))
                print(f"data: {args.people} people, {n_tasks} tasks ({time.perf_counter() - t0:.1f} s to generate) on "
                      f"{db.engine.dialect.name}")
                bare_q = (select(Task.person_id, func.count(), func.sum(Task.quantity * Task.coefficient))
                          .where(Task.period_id == period_id).group_by(Task.person_id))
                today = dt.date(2026, 11, 30)
                bare_times, full_times = [], []
                for _ in range(args.repeat + 1):  # the first round warms the caches and is not counted
                    gc.collect()
                    t = time.perf_counter()
                    rows = db.session.connection().execute(bare_q).all()  # plain rows, as period_points reads them
                    bare_times.append(time.perf_counter() - t)
                    db.session.rollback()
                    gc.collect()
                    t = time.perf_counter()
                    points = service.period_points(db.session, period_id, today)
                    full_times.append(time.perf_counter() - t)
                    db.session.rollback()
                bare, full = min(bare_times[1:]), min(full_times[1:])
                assert len(rows) == len(points) == args.people, (len(rows), len(points))
                mean = sum(p.points for p in points.values()) / len(points)
                print(f"(a) bare aggregate over the task rows : {bare * 1000:8.1f} ms  ({len(rows)} people)")
                print(f"(b) every person's task points (NĐ 335): {full * 1000:8.1f} ms  (mean {mean:.2f} points)")
                print(f"b/a = {full / bare:.2f}  (target ≤ 3)")
                db.session.remove()
        finally:
            if drop is not None:
                from app.extensions import db as _db

                try:
                    with app.app_context():
                        _db.engine.dispose()
                except Exception:  # noqa: BLE001
                    pass
                drop()


if __name__ == "__main__":
    main()
