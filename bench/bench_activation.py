"""Time the activation follow-up (Theo dõi triển khai) and its export at the size of a city.

    .venv/bin/python bench/bench_activation.py [--units 400] [--people 40] [--repeat 3]

Builds a fresh SQLite database (schema, roles), then with plain bulk inserts: 4 blocks, UNITS units,
PEOPLE people per unit with varied states (a third waiting to change their password, one in seven
locked, half never signed in), one Mẫu 01 import receipt (audit rows) for two units in three, and
noise in the audit log (10 rows a person). Prints, best of K: the report as the district admin, the
report as one block's admin, the xlsx export, and the statements the report issues.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build(session, units: int, people: int) -> None:
    from app.models import AuditEvent, OrgUnit, Staff
    from app.domain.text import fold

    root = session.query(OrgUnit).filter(OrgUnit.kind == "district").one()
    blocks = []
    for b in range(4):
        node = OrgUnit(name=f"Khối {b + 1}", name_key=fold(f"Khối {b + 1}"), kind="block", parent_id=root.id)
        session.add(node)
        session.flush()
        node.block_id = node.id
        blocks.append(node)
    unit_rows = [{"name": f"Đơn vị {i}", "name_key": fold(f"Đơn vị {i}"), "kind": "unit", "parent_id": blocks[i % 4].id,
                  "block_id": blocks[i % 4].id, "declared_headcount": people} for i in range(units)]
    session.execute(OrgUnit.__table__.insert(), unit_rows)
    ids = [u.id for u in session.query(OrgUnit.id).filter(OrgUnit.kind == "unit").order_by(OrgUnit.id)]
    now = dt.datetime(2026, 12, 2, 9, 0)
    staff, audit = [], []
    n = 0
    for k, uid in enumerate(ids):
        for j in range(people):
            n += 1
            staff.append({"username": f"u{n}_bench", "email": f"u{n}@bench.invalid", "first_name": "A", "last_name": "B",
                          "full_name": f"Người {n}", "name_key": f"nguoi {n}", "unit_id": uid, "active": True,
                          "must_change_password": n % 3 == 0, "locked_at": now if n % 7 == 0 else None,
                          "last_login": None if n % 2 else now, "password": "x", "eval_role": "staff",
                          "is_unit_admin": False})
            for r in range(10):
                audit.append({"at": now, "action": "login_ok" if r % 2 else "user_updated", "unit_id": uid,
                              "detail": json.dumps({"r": r})})
        if k % 3 != 2:
            audit.append({"at": now, "action": "import_mau01", "unit_id": uid, "detail": "{}"})
    session.execute(Staff.__table__.insert(), staff)
    session.execute(AuditEvent.__table__.insert(), audit)
    session.commit()


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from sqlalchemy import event

    from app import create_app
    from app.cli import run_setup
    from app.domain.dates import fmt_datetime
    from app.domain.roles import ADMIN, BLOCK_ADMIN
    from app.domain.scope import Actor
    from app.excel.writer import table_bytes
    from app.extensions import db
    from app.models import OrgUnit
    from app.services import activation

    tmp = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db", "ACCOUNT_SUFFIX": "bench",
                      "ORG_NAME": "Thành phố Hà Nội", "INSTANCE_DIR": tmp, "TESTING": True})
    logging.getLogger().setLevel(logging.WARNING)
    with app.app_context():
        run_setup()
        build(db.session, args.units, args.people)
        block = db.session.query(OrgUnit).filter(OrgUnit.kind == "block").order_by(OrgUnit.id).first()
        admin = Actor(id=None, roles=frozenset({ADMIN}), label="bench")
        block_admin = Actor(id=None, roles=frozenset({BLOCK_ADMIN}), managed_block_id=block.id)
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        report = activation.activation_report(db.session, admin)
        count = len(statements)
        t_all = best(lambda: activation.activation_report(db.session, admin), args.repeat)
        t_block = best(lambda: activation.activation_report(db.session, block_admin), args.repeat)
        assert len(activation.activation_report(db.session, block_admin).units) == args.units // 4
        t_xlsx = best(lambda: table_bytes("Theo dõi", activation.HEADERS, activation.report_rows(
            activation.activation_report(db.session, admin), fmt_datetime)), args.repeat)
        print(f"units={args.units} people={args.units * args.people} audit_rows≈{args.units * args.people * 10}")
        print(f"report (district admin): {t_all * 1000:.1f} ms, {count} statements, "
              f"{report.total.received}/{report.total.units} units received")
        print(f"report (block admin):    {t_block * 1000:.1f} ms")
        print(f"report + xlsx export:    {t_xlsx * 1000:.1f} ms")


if __name__ == "__main__":
    main()
