"""p50 of the evaluation pages against a bare FAB ModelView list page over a table of the same size.

    .venv/bin/python bench/bench_eval_pages.py [--people 10000] [--units 100] [--requests 40]
                                               [--database-url URL]

It builds its own district (``bench_period_open.generate``: ``--people`` staff in ``--units`` units, with
heads, deputies, department heads who comment, staff), opens 2026-11 through the service (one sheet per
person), then, in bulk and untimed: every sheet but the heads' is commented, and the sheets of the first
unit carry full self and final scores (the page shows them).

It declares its own table ``bench_row`` with as many rows as there are sheets (name, unit, state, points,
grade) and a bare ``ModelView`` over it (``SQLAInterface``, five list columns, page size 50): the yardstick.

Then, signed in through a real server-side session, interleaved round-robin ``--requests`` times each
(after two warm-up rounds), on the app's clock fixed at 30/11/2026 (grading open):
  bare    GET /benchrowview/list/                       as the district admin
  inbox   GET /sheet/inbox                              as the first unit's head (~99 sheets waiting, 50 shown)
  sheet   GET /sheet/<id>                               that head, a commented sheet with all its scores
  review  GET /sheet-review/?period=2026-11             as the district admin (10,000 sheets, 50 shown)
It prints p50 (and p90) in milliseconds, each page's ratio to the bare page (target ≤ 1.2) and the SQL
statements each page runs (a fixed number, whatever the size: no N+1).

SQLite: a fresh file in a temporary directory. ``--database-url postgresql://user@host:port/any``: a
scratch database on that server, dropped at the end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_period_open import _pg_scratch, generate, make_app  # noqa: E402

KEY = "2026-11"


def declare_bare(app):
    """The yardstick: a table of its own and FAB's plain ModelView over it (no app base class, no scope)."""
    from flask_appbuilder import Model, ModelView
    from flask_appbuilder.models.sqla.interface import SQLAInterface
    from sqlalchemy import Column, Integer, Numeric, String

    class BenchRow(Model):
        __tablename__ = "bench_row"
        id = Column(Integer, primary_key=True)
        name = Column(String(255), nullable=False)
        unit = Column(String(255), nullable=False)
        state = Column(String(12), nullable=False)
        points = Column(Numeric(6, 2))
        grade = Column(String(8))

    class BenchRowView(ModelView):
        datamodel = SQLAInterface(BenchRow)
        list_columns = ["name", "unit", "state", "points", "grade"]
        page_size = 50

    with app.app_context():
        from app.extensions import db

        BenchRow.__table__.create(bind=db.engine, checkfirst=True)
        app.appbuilder.add_view_no_menu(BenchRowView)
        from app.security.sync import sync_roles

        sync_roles(app.appbuilder)  # the district admin holds every permission, the yardstick's included
        db.session.remove()
    return BenchRow


def prepare(app, BenchRow) -> dict:
    """Open the period, move the sheets on, give one unit's sheets their scores, fill the bare table."""
    from sqlalchemy import insert, select, update

    from app.domain.roles import ADMIN
    from app.domain.scope import Actor
    from app.extensions import db
    from app.models import OrgUnit, Sheet, SheetScore, Staff
    from app.services.evaluation import periods
    from app.services.evaluation.sheets import rule_version
    from app.services.uow import unit_of_work

    with app.app_context():
        s = db.session
        with unit_of_work(s):
            period = periods.open_period(s, KEY, Actor(id=None, roles=frozenset({ADMIN})))
        pid = period.id
        heads = select(Staff.id).where(Staff.evaluator_id.is_(None))
        s.execute(update(Sheet.__table__).where(Sheet.period_id == pid, Sheet.person_id.not_in(heads))
                  .values(state="commented", comment="Hoàn thành tốt nhiệm vụ.", self_total=88, worked_days=20,
                          version=Sheet.__table__.c.version + 1))
        unit = s.scalar(select(OrgUnit.id).where(OrgUnit.kind == "unit").order_by(OrgUnit.id).limit(1))
        head = s.scalar(select(Staff.id).where(Staff.unit_id == unit, Staff.evaluator_id.is_(None)))
        sheets = s.execute(select(Sheet.id, Sheet.rule_version_id).where(Sheet.unit_id == unit, Sheet.period_id == pid)).all()
        rule = rule_version(s, sheets[0].rule_version_id)
        rows = [{"sheet_id": sid, "criterion_id": c.id, "self_points": c.max_points, "final_points": c.max_points,
                 "note": "Minh chứng" if c.kind == "bonus" else None}
                for sid, _ in sheets for c in rule.criteria if c.kind != "deduction"]
        s.execute(insert(SheetScore.__table__), rows)
        target = s.scalar(select(Sheet.id).where(Sheet.unit_id == unit, Sheet.person_id != head, Sheet.state == "commented")
                          .order_by(Sheet.id).limit(1))
        n = s.scalar(select(db.func.count()).select_from(Sheet))
        people = s.execute(select(Staff.full_name, OrgUnit.name).join(OrgUnit, OrgUnit.id == Staff.unit_id)).all()
        bare = [{"name": people[i % len(people)][0], "unit": people[i % len(people)][1], "state": "commented",
                 "points": 88, "grade": None} for i in range(n)]
        for start in range(0, len(bare), 5000):
            s.execute(insert(BenchRow.__table__), bare[start:start + 5000])
        admin = give_roles(s)
        s.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE")
        else:
            s.execute(db.text("ANALYZE"))
            s.commit()
        from app.security.scope import actor_for
        from app.services.evaluation import inbox as queries

        waiting = queries.inbox(s, actor_for(s.get(Staff, head))).total
        db.session.remove()
    return {"sheets": n, "head": head, "admin": admin, "sheet": target, "unit": unit, "waiting": waiting}


def give_roles(s) -> int:
    """The generated people's security roles (from their evaluation role), in bulk; and a district admin."""
    from flask_appbuilder.security.sqla.models import Role, assoc_user_role
    from sqlalchemy import insert, select

    from app.domain.roles import ADMIN, roles_for
    from app.domain.text import fold
    from app.models import Staff

    role_ids = {r.name: r.id for r in s.scalars(select(Role))}
    rows = [{"user_id": pid, "role_id": role_ids[name]}
            for pid, eval_role in s.execute(select(Staff.id, Staff.eval_role).where(Staff.unit_id.isnot(None)))
            for name in roles_for(eval_role) if name in role_ids]
    for start in range(0, len(rows), 5000):
        s.execute(insert(assoc_user_role), rows[start:start + 5000])
    admin = Staff(username="benchadmin", email="benchadmin@bench.invalid", full_name="Quản trị quận", name_key=fold("Quản trị quận"),
                  first_name="Quận", last_name="Quản trị", active=True, password="scrypt:bench", must_change_password=False)
    admin.roles = [s.get(Role, role_ids[ADMIN]), s.get(Role, role_ids["staff"])]
    s.add(admin)
    s.flush()
    return admin.id


def signed_in(app, person_id: int):
    """A test client with a real server-side web session for the person (what the sign-in page opens)."""
    from app.extensions import db
    from app.models import Staff
    from app.services import sessions

    with app.test_request_context():
        _, secret = sessions.open_session(db.session, db.session.get(Staff, person_id), "web")
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = sessions.cookie_id(person_id, secret)
        sess["_fresh"] = True
    return client


class StatementCounter:
    def __init__(self, engine):
        from sqlalchemy import event

        self.n = 0
        event.listen(engine, "before_cursor_execute", self._count)

        self.log: list[str] | None = None

    def _count(self, conn, cursor, statement, *args, **kwargs):
        self.n += 1
        if self.log is not None:
            self.log.append(" ".join(statement.split())[:160])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10000)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--sql", default="", help="print the statements of one page (bare, inbox, sheet, review)")
    args = parser.parse_args(argv)

    from app.domain.dates import TZ
    from app.extensions import db
    from app.services import clock

    moment = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    clock.set_clock(lambda: moment)
    workdir = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    drop = None
    if args.database_url.startswith("postgres"):
        url, drop = _pg_scratch(args.database_url)
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    try:
        app = make_app(url, str(workdir / "instance"))
        BenchRow = declare_bare(app)
        t0 = time.perf_counter()
        generate(app, args.people, args.units, 0)
        info = prepare(app, BenchRow)
        t_gen = time.perf_counter() - t0
        logging.getLogger().setLevel(logging.ERROR)
        admin, head = signed_in(app, info["admin"]), signed_in(app, info["head"])
        pages = {
            "bare": (admin, "/benchrowview/list/", "bench_row"),
            "inbox": (head, "/sheet/inbox", "Phiếu chờ xử lý"),
            "sheet": (head, f"/sheet/{info['sheet']}", "Phiếu đánh giá, xếp loại"),
            "review": (admin, f"/sheet-review/?period={KEY}", "Danh sách phiếu đánh giá"),
        }
        with app.app_context():
            counter = StatementCounter(db.engine)
            dialect = db.engine.dialect.name
        times: dict[str, list[float]] = {k: [] for k in pages}
        statements: dict[str, int] = {}
        for round_ in range(args.requests + 2):
            for name, (client, url_, marker) in pages.items():
                before = counter.n
                start = time.perf_counter()
                resp = client.get(url_)
                body = resp.get_data()
                elapsed = time.perf_counter() - start
                assert resp.status_code == 200, (name, resp.status_code)
                if round_ == 0 and name != "bare":
                    assert marker.encode() in body, name
                if round_ >= 2:
                    times[name].append(elapsed)
                    statements[name] = counter.n - before
        if args.sql:
            client, url_, _ = pages[args.sql]
            counter.log = []
            client.get(url_)
            print("\n".join(counter.log))
            counter.log = None
        base = statistics.median(times["bare"])
        print(f"bench_eval_pages on {dialect}: {info['sheets']} sheets (people {args.people}, units {args.units}), "
              f"{args.requests} requests each, data built in {t_gen:.1f} s; the head's inbox holds {info['waiting']}")
        print(f"{'page':8} {'p50 ms':>8} {'p90 ms':>8} {'× bare':>7} {'SQL':>4}")
        worst = 0.0
        for name in pages:
            ts = sorted(times[name])
            p50, p90 = statistics.median(ts), ts[int(len(ts) * 0.9) - 1]
            ratio = p50 / base
            if name != "bare":
                worst = max(worst, ratio)
            print(f"{name:8} {p50 * 1000:8.1f} {p90 * 1000:8.1f} {ratio:7.2f} {statements[name]:4d}")
        print(f"worst ratio {worst:.2f} (target ≤ 1.20): {'OK' if worst <= 1.2 else 'MISSED'}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        clock.set_clock(None)
        if drop is not None:
            drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
