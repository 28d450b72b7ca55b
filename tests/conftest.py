"""Fixtures: one app per session, the demo district seeded once, restored before every test.

The database is SQLite (a temp file) unless TEST_DATABASE_URL names a PostgreSQL server; then the run
creates its own database on that server and drops it at the end.
"""
from __future__ import annotations

import contextvars
import os
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


def _postgres_database():
    """Create a fresh database on the server named by TEST_DATABASE_URL; return (url, drop)."""
    from sqlalchemy.engine import make_url

    server = make_url(TEST_DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"danhgia_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if TEST_DATABASE_URL.startswith("postgres"):
        url, drop = _postgres_database()
        yield url
        drop()
    else:
        path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite:///{path}"


class IsolatedClient(FlaskClient):
    """Each request in a fresh context, as in production.

    Flask reuses an app context that is already pushed (the ``ctx`` fixture's) for a test request,
    which would share ``g`` (the signed-in user, the cached scope) between clients of one test.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = str(tmp_path_factory.mktemp("instance"))
    from app import create_app
    from app.cli import run_setup
    from app.extensions import db
    from seed.demo import seed_demo

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "AUTH_RATE_LIMITED": False,
            "RATELIMIT_ENABLED": False,
            "ACCOUNT_SUFFIX": "badinh",
            "DISTRICT_NAME": "Quận Ba Đình",
            "INSTANCE_DIR": instance,
            # FAB checks a wrong username against this hash (so failures cost as much as a real check):
            # scrypt by default, ~0.15 s a failed sign-in. Tests sign in wrongly hundreds of times.
            "AUTH_DB_FAKE_PASSWORD_HASH_CHECK": "pbkdf2:sha256:1$salt$" + "0" * 64,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        run_setup()
        seed_demo(db.session, layout="district")  # the pre-2025 district: the tests name its units
        db.session.commit()
        app.extensions["test_snapshot"] = Snapshot.take(db)
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Snapshot:
    """All rows of every table, restored by delete + insert (the same on SQLite and PostgreSQL).

    On PostgreSQL a statement trigger on every table notes which tables a test wrote to (``_test.dirty``),
    and only those are restored, with foreign-key triggers off (the snapshot is consistent, and the
    tables nobody wrote to still hold it); every sequence is set back in one statement, since a rolled
    back insert still moves its sequence on. SQLite restores everything: it costs a few milliseconds.
    """

    def __init__(self, tables, rows, dialect):
        self.tables = tables
        self.rows = rows
        self.tracked = dialect == "postgresql"
        self.sequences_sql = None

    @classmethod
    def take(cls, db):
        from flask_appbuilder import Model

        tables = list(Model.metadata.sorted_tables)
        rows = {}
        with db.engine.begin() as conn:
            for table in tables:
                rows[table.name] = [dict(r._mapping) for r in conn.execute(table.select())]
            snapshot = cls(tables, rows, conn.dialect.name)
            if snapshot.tracked:
                snapshot.sequences_sql = _sequences_sql(conn, tables, rows)
                _install_dirty_tracking(conn, tables)
        return snapshot

    def restore(self, db):
        db.session.remove()
        with db.engine.begin() as conn:
            if self.tracked:
                dirty = {r[0] for r in conn.execute(text("DELETE FROM _test.dirty RETURNING tbl"))}
                if dirty:
                    conn.execute(text("SET LOCAL session_replication_role = replica"))
                tables = [t for t in self.tables if t.name in dirty]
            else:
                tables = self.tables
            for table in reversed(tables):
                conn.execute(table.delete())
            for table in tables:
                data = self.rows[table.name]
                if data:
                    conn.execute(table.insert(), data)
            if self.sequences_sql is not None:
                conn.execute(text(self.sequences_sql))


def _install_dirty_tracking(conn, tables):
    # In a schema of its own: the schema test compares the public schema with the models.
    conn.execute(text("CREATE SCHEMA IF NOT EXISTS _test"))
    conn.execute(text("CREATE UNLOGGED TABLE IF NOT EXISTS _test.dirty (tbl text PRIMARY KEY)"))
    conn.execute(text(
        "CREATE OR REPLACE FUNCTION _test.mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN INSERT INTO _test.dirty VALUES (TG_TABLE_NAME) ON CONFLICT DO NOTHING; RETURN NULL; END $$"
    ))
    for table in tables:
        conn.execute(text(
            f'CREATE TRIGGER _test_dirty AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table.name}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION _test.mark_dirty()"
        ))


def _sequences_sql(conn, tables, rows):
    """One statement setting every table's id sequence back to where the snapshot left it."""
    from sqlalchemy import Sequence

    calls = []
    for table in tables:
        for column in table.primary_key.columns:
            if column.type.python_type is not int:
                continue
            seq = column.default if isinstance(column.default, Sequence) else None
            seq_name = seq.name if seq is not None else conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if seq_name:
                top = max((r[column.name] for r in rows[table.name] if r[column.name] is not None), default=0)
                calls.append(f"setval('{seq_name}', {top + 1}, false)")
    return "SELECT " + ", ".join(calls) if calls else None


@pytest.fixture(autouse=True)
def _restore_db(request):
    """Every test that uses the app starts from the seeded demo district."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    from app.extensions import db
    from app.services import clock

    with app.app_context():
        app.extensions["test_snapshot"].restore(db)
    yield
    clock.set_clock(None)
    with app.app_context():
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An app context with the session, for service tests."""
    from app.extensions import db

    with app.test_request_context():
        yield db.session
        db.session.remove()


class Demo:
    """Finds demo people by kind, and signs a test client in as them (no password hashing)."""

    def __init__(self, app):
        self.app = app

    def user(self, kind: str, unit: str = "UBND phường Cống Vị"):
        from sqlalchemy import select

        from app.domain.text import fold
        from app.extensions import db
        from app.models import OrgUnit, Staff

        with self.app.app_context():
            q = select(Staff).order_by(Staff.id)
            if kind == "admin":
                q = q.where(Staff.username == "admin")
            elif kind == "block_admin":
                q = q.join(OrgUnit, OrgUnit.id == Staff.managed_block_id).where(OrgUnit.name_key == fold(unit))
            else:
                unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(unit)))
                q = q.where(Staff.unit_id == unit_id)
                if kind == "unit_admin":
                    q = q.where(Staff.is_unit_admin.is_(True))
                else:
                    q = q.where(Staff.eval_role == kind, Staff.is_unit_admin.is_(False), Staff.managed_block_id.is_(None))
            person = db.session.scalars(q).first()
            assert person is not None, f"no demo {kind} in {unit}"
            return {"id": person.id, "username": person.username, "unit_id": person.unit_id}

    def login(self, client, kind: str, unit: str = "UBND phường Cống Vị"):
        """Open a real server-side session for the person (as the sign-in page does) and put it in the cookie."""
        person = self.user(kind, unit)
        with client.session_transaction() as sess:
            sess["_user_id"] = self.session_cookie_id(person["id"])
            sess["_fresh"] = True
        return person

    def session_cookie_id(self, person_id: int) -> str:
        from app.extensions import db
        from app.models import Staff
        from app.services import sessions

        with self.app.app_context(), self.app.test_request_context():
            _, secret = sessions.open_session(db.session, db.session.get(Staff, person_id), "web")
            db.session.commit()
            db.session.remove()
        return sessions.cookie_id(person_id, secret)


@pytest.fixture
def demo(app):
    return Demo(app)


REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "tests" / "data"  # test data lives in the repository (a clean clone has nothing beside it)


def flashes(body: str) -> list[str]:
    """The flashed messages and form errors of a rendered page, as text."""
    import html
    import re

    found = re.findall(r'(?s)class="alert alert-[a-z]+">(.*?)</div>|<span class="help-block">(.+?)</span>', body)
    out = []
    for a, b in found:
        text = re.sub(r"<[^>]+>", " ", a or b)
        text = " ".join(html.unescape(text).replace("×", " ").split())
        if text:
            out.append(text)
    return out
