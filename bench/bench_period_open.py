"""Time opening a period against a bare ``INSERT INTO sheet … SELECT … FROM ab_user`` of the same rows.

    .venv/bin/python bench/bench_period_open.py [--people 20000] [--units 200] [--repeat 3]
                                                [--overrides 0] [--database-url URL]

It builds its own district: the schema and the shipped rule sets (``flask setup``), 4 blocks, ``--units``
units with departments, and ``--people`` people spread over them (a head, deputies who comment on the
large units, department heads, staff; "Lãnh đạo phụ trách nhận xét" and "Lãnh đạo đánh giá" set as in
Mẫu 01), inserted in bulk. ``--overrides K`` gives K units their own rule set (NĐ 335), which adds the
join on ``unit_eval_setting`` to the service's statement.

Then, interleaved, best of ``--repeat``:
  (a) bare: one ``INSERT INTO sheet (…) SELECT :period, id, unit_id, …, :version, 'draft', … FROM ab_user
      WHERE unit_id IS NOT NULL`` and a commit — the same rows, no routing checks, no rule lookup;
  (b) ``services.evaluation.periods.open_period`` in a unit of work: key parsing, working days from the
      holidays calendar, windows, the rule version in force, the period row, the INSERT … SELECT, the audit
      row, the commit.
Each repetition starts without sheets (deleting them is not timed). It prints both times and b/a
(target ≤ 2).

SQLite: a fresh file in a temporary directory. ``--database-url postgresql://user@host:port/any``: a
scratch database is created on that server for the run and dropped at the end.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 3 + ["Phạm"] * 2 + ["Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Thanh", "Ngọc", "Xuân", "Hồng"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hương", "Lan", "Linh", "Long", "Mai", "Nam", "Sơn", "Trang", "Tuấn"]
BLOCKS = ["Khối Đảng – Đoàn thể", "Khối Chính quyền", "Khối xã, phường", "Khối Giáo dục"]
KEY = "2026-11"


def _pg_scratch(url: str):
    """A new database on the server of ``url``; returns (its url, drop)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix):]
    server = make_url(url)
    name = f"bench_period_{uuid.uuid4().hex[:8]}"
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


def generate(app, people: int, units: int, overrides: int, seed: int = 2026) -> dict:
    """The district, in bulk (Core inserts, one shared password hash): returns counts."""
    from sqlalchemy import insert, select, text, update

    from app.domain.text import fold
    from app.extensions import db
    from app.models import OrgUnit, RuleSet, Staff, UnitEvalSetting
    from app.services import clock

    rng = random.Random(seed)
    org = OrgUnit.__table__
    user = Staff.__table__
    now = clock.now()
    with app.app_context():
        conn = db.session.connection()
        root = db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "district"))
        block_ids = []
        for name in BLOCKS:
            bid = conn.execute(insert(org).values(name=name, name_key=fold(name), kind="block", parent_id=root, created_on=now)
                               .returning(org.c.id)).scalar_one()
            conn.execute(update(org).where(org.c.id == bid).values(block_id=bid))
            block_ids.append(bid)
        unit_ids, depts = [], {}
        for i in range(units):
            block = block_ids[i % len(block_ids)]
            name = f"Đơn vị số {i + 1:03d}"
            uid = conn.execute(insert(org).values(name=name, name_key=fold(name), kind="unit", parent_id=block, block_id=block,
                                                  created_on=now).returning(org.c.id)).scalar_one()
            conn.execute(update(org).where(org.c.id == uid).values(unit_id=uid))
            unit_ids.append(uid)
            rows = [{"name": f"Phòng {j + 1}", "name_key": fold(f"Phòng {j + 1}"), "kind": "department", "parent_id": uid,
                     "block_id": block, "unit_id": uid, "created_on": now} for j in range(rng.randint(2, 4))]
            depts[uid] = list(conn.execute(insert(org).returning(org.c.id), rows).scalars())
        per_unit = [people // units + (1 if i < people % units else 0) for i in range(units)]
        next_id = (db.session.scalar(select(Staff.id).order_by(Staff.id.desc()).limit(1)) or 0) + 1
        rows = []
        for uid, size in zip(unit_ids, per_unit):
            head = next_id
            deputies = [head + 1 + k for k in range(2 if size > 20 else 1)]
            reviewer = deputies[0] if size > 20 else None
            dept_heads = {dept: head + 1 + len(deputies) + k for k, dept in enumerate(depts[uid])}
            for k in range(size):
                pid = next_id + k
                if pid == head:
                    role, ev, rv, dept = "leader", None, None, None
                elif pid in deputies:
                    role, ev, rv, dept = "leader", head, None, None
                elif pid in dept_heads.values():
                    dept = next(d for d, h in dept_heads.items() if h == pid)
                    role, ev, rv = "department_head", head, reviewer
                else:
                    dept = rng.choice(depts[uid])
                    role, ev, rv = ("synthesis" if k == size - 1 else "staff"), head, dept_heads[dept]
                full = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                username = f"nguoi{pid}_bench"
                rows.append({
                    "id": pid, "first_name": full.split()[-1], "last_name": " ".join(full.split()[:-1]), "full_name": full,
                    "name_key": fold(full), "username": username, "email": f"{username}@bench.invalid", "active": True,
                    "password": "scrypt:bench", "unit_id": uid, "department_id": dept, "eval_role": role,
                    "reviewer_id": rv, "evaluator_id": ev, "is_unit_admin": False, "must_change_password": False,
                    "session_version": 0,
                })
            next_id += size
        for start in range(0, len(rows), 5000):
            conn.execute(insert(user), rows[start:start + 5000])
        if overrides:
            nd335 = db.session.scalar(select(RuleSet.id).where(RuleSet.code == "nd335"))
            conn.execute(insert(UnitEvalSetting.__table__), [{"unit_id": u, "rule_set_id": nd335, "quota_exceptional": False}
                                                             for u in unit_ids[:overrides]])
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('ab_user', 'id'), (SELECT MAX(id) FROM ab_user))"))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
    return {"people": len(rows), "units": units}


def timed(func, before) -> float:
    """One run of ``func`` after ``before`` (not timed) and a garbage collection."""
    before()
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--overrides", type=int, default=0, help="units given their own rule set (NĐ 335)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args(argv)

    from sqlalchemy import delete, func, insert, literal, select

    from app.domain.roles import ADMIN
    from app.domain.scope import Actor
    from app.extensions import db
    from app.models import Period, RuleSet, RuleSetVersion, Sheet, SheetEvent, Staff
    from app.services import clock
    from app.services.evaluation import periods
    from app.services.uow import unit_of_work

    workdir = Path(tempfile.mkdtemp(prefix="bench_period_"))
    drop = None
    if args.database_url.startswith("postgres"):
        url, drop = _pg_scratch(args.database_url)
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    try:
        app = make_app(url, str(workdir / "instance"))
        t0 = time.perf_counter()
        info = generate(app, args.people, args.units, args.overrides)
        t_gen = time.perf_counter() - t0
        actor = Actor(id=None, roles=frozenset({ADMIN}))

        with app.app_context():
            dialect = db.engine.dialect.name
            version_id = db.session.scalar(select(RuleSetVersion.id).join(RuleSet).where(RuleSet.code == "hn1841"))
            # The bare statement's period (the sheet's foreign key needs one); not timed.
            bare_period = Period(key="2000-01", kind="month", first_day=clock.today(), last_day=clock.today(), working_days=20,
                                 self_from=clock.today(), self_to=clock.today(), comment_from=clock.today(),
                                 comment_to=clock.today(), grading_from=clock.today(), grading_to=clock.today())
            db.session.add(bare_period)
            db.session.commit()
            bare_period_id = bare_period.id
            expected = db.session.scalar(select(func.count()).select_from(Staff).where(Staff.unit_id.isnot(None)))
            db.session.remove()

        u = Staff.__table__
        now = clock.now()
        bare_sql = insert(Sheet.__table__).from_select(
            ["period_id", "person_id", "unit_id", "department_id", "eval_role", "commenter_id", "evaluator_id",
             "rule_version_id", "state", "self_assessed", "fails", "created_at", "updated_at", "version"],
            select(literal(bare_period_id), u.c.id, u.c.unit_id, u.c.department_id, u.c.eval_role, u.c.reviewer_id,
                   u.c.evaluator_id, literal(version_id), literal("draft"), literal(True), literal(False),
                   literal(now, Sheet.__table__.c.created_at.type), literal(now, Sheet.__table__.c.created_at.type),
                   literal(1)).where(u.c.unit_id.isnot(None)),
        )

        def reset():
            with app.app_context():
                db.session.execute(delete(SheetEvent))
                db.session.execute(delete(Sheet))
                db.session.execute(delete(Period).where(Period.key == KEY))
                db.session.commit()
                db.session.remove()

        def bare():
            with app.app_context():
                db.session.execute(bare_sql)
                db.session.commit()
                db.session.remove()

        def service():
            with app.app_context():
                with unit_of_work(db.session):
                    periods.open_period(db.session, KEY, actor)
                db.session.remove()

        def check(period_key):
            with app.app_context():
                n = db.session.scalar(select(func.count()).select_from(Sheet))
                db.session.remove()
            assert n == expected, f"{period_key}: {n} sheets, expected {expected}"

        bare_times, service_times = [], []
        for _ in range(args.repeat):  # interleaved: both see the same cache and disk state
            bare_times.append(timed(bare, reset))
            check("bare")
            service_times.append(timed(service, reset))
            check("service")
        reset()
        b, s = min(bare_times), min(service_times)
        print(f"database: {dialect}; people: {info['people']:,} in {info['units']} units"
              f"{f', {args.overrides} units on their own rule set' if args.overrides else ''}; generated in {t_gen:.1f} s")
        print(f"  (a) bare INSERT INTO sheet … SELECT … FROM ab_user: best {b * 1000:8.1f} ms  "
              f"(runs: {', '.join(f'{x * 1000:.0f}' for x in bare_times)})")
        print(f"  (b) open_period (service, unit of work)        : best {s * 1000:8.1f} ms  "
              f"(runs: {', '.join(f'{x * 1000:.0f}' for x in service_times)})")
        print(f"  ratio b/a: {s / b:.2f} (target ≤ 2)")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return 0 if s / b <= 2 else 1
    finally:
        if drop is not None:
            drop()


if __name__ == "__main__":
    sys.exit(main())
