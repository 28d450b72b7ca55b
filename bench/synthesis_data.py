"""The data of the synthesis benchmarks: a district of N people (``bench_period_open.generate``: 4 blocks, 200
units with departments and routing), 12 monthly periods of 2026 opened through the service, and every sheet
finalised with a score and its grade (a deterministic spread over A–D), in bulk SQL.

    from bench.synthesis_data import build
    with build("sqlite", people=20000) as world: ...   # world.app, world.url, world.periods

SQLite: a fresh file in a temporary directory; PostgreSQL (``pg_url``): a scratch database, dropped after.
"""
from __future__ import annotations

import contextlib
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


@dataclass
class World:
    app: object
    url: str
    dialect: str
    people: int
    sheets: int


def _finalise_all(app) -> int:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        conn = db.session.connection()
        # score 40–100 from the id; grade by the default bands; worked days = the period's working days
        conn.execute(text(
            "UPDATE sheet SET state = 'finalised', self_total = 40 + ((id * 37) % 61) + 1, "
            "final_total = 40 + ((id * 37) % 61), "
            "grade = CASE WHEN 40 + ((id * 37) % 61) >= 90 THEN 'A' WHEN 40 + ((id * 37) % 61) >= 70 THEN 'B' "
            "WHEN 40 + ((id * 37) % 61) >= 50 THEN 'C' ELSE 'D' END, "
            "working_days = (SELECT working_days FROM period WHERE period.id = sheet.period_id), "
            "worked_days = (SELECT working_days FROM period WHERE period.id = sheet.period_id), version = version + 1"))
        n = conn.execute(text("SELECT count(*) FROM sheet")).scalar()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        db.session.remove()
    return n


@contextlib.contextmanager
def build(dialect: str, people: int = 20000, units: int = 200, pg_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"):
    import bench_period_open as base

    from app.domain.scope import SYSTEM
    from app.extensions import db
    from app.services.evaluation import periods
    from app.services.uow import unit_of_work

    workdir = Path(tempfile.mkdtemp(prefix="bench_synth_"))
    drop = None
    if dialect == "postgresql":
        url, drop = base._pg_scratch(pg_url)
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    try:
        app = base.make_app(url, str(workdir / "instance"))
        base.generate(app, people, units, 0)
        with app.app_context():
            for key in MONTHS:
                with unit_of_work(db.session):
                    periods.open_period(db.session, key, SYSTEM)
            db.session.remove()
        sheets = _finalise_all(app)
        yield World(app, url, dialect, people, sheets)
    finally:
        try:
            from app.extensions import db as _db

            with app.app_context():
                _db.session.remove()
                _db.engine.dispose()
        except Exception:  # noqa: BLE001 (the app may not exist)
            pass
        if drop:
            drop()


def best(func, repeat: int) -> float:
    import gc
    import time

    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return min(times)


def dialects(argv_pg: str) -> list[str]:
    return ["sqlite"] + (["postgresql"] if argv_pg != "none" else [])
