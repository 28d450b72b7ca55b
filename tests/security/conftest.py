"""Fixtures for the security tests: people with known passwords, sign-in helpers, the injected clock."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select

from app.domain.dates import TZ

T0 = dt.datetime(2026, 11, 2, 8, 0, 0, tzinfo=TZ)
PASSWORD = "Gio-bac-Tre-xanh-47"
_names = itertools.count(1)


@pytest.fixture
def calendar():
    """Set the app clock: calendar(minutes=…, days=…) moves to T0 plus that."""
    from app.services import clock

    def at(**delta):
        moment = T0 + dt.timedelta(**delta)
        clock.set_clock(lambda: moment)
        return moment

    at()
    yield at
    clock.set_clock(None)


@pytest.fixture
def make_person(app):
    """make_person(must_change=False, unit=…, unit_admin=False) → {id, username, password}.

    Written straight to the table (the people services are not under test here); the password is hashed
    with the fast one-time method: these tests sign in many times.
    """
    from flask_appbuilder.security.sqla.models import Role
    from werkzeug.security import generate_password_hash

    from app.domain.accounts import INITIAL_PASSWORD_HASH_METHOD
    from app.domain.text import fold
    from app.extensions import db
    from app.models import OrgUnit, Staff
    from app.services import clock

    def make(must_change=False, unit="UBND phường Cống Vị", password=PASSWORD, unit_admin=False):
        n = next(_names)
        with app.app_context():
            unit_row = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(unit)))
            full_name = f"Trịnh Văn Thử {n}"
            person = Staff(
                username=f"trinhvanthu{n}_badinh", email=f"trinhvanthu{n}@badinh.invalid", first_name="Thử",
                last_name="Trịnh Văn", full_name=full_name, name_key=fold(full_name), unit=unit_row, eval_role="staff",
                active=True, is_unit_admin=unit_admin,
                roles=list(db.session.scalars(select(Role).where(Role.name.in_(
                    ["staff", "unit_admin"] if unit_admin else ["staff"])))),
                password=generate_password_hash(password, method=INITIAL_PASSWORD_HASH_METHOD),
            )
            if must_change:
                person.must_change_password = True
                person.password_issued_at = clock.now()
                person.password_change_due = clock.now() + dt.timedelta(days=5)
            db.session.add(person)
            db.session.commit()
            return {"id": person.id, "username": person.username, "password": password}

    return make


def login(client, username, password, **kwargs):
    return client.post("/login/", data={"username": username, "password": password}, follow_redirects=True, **kwargs)


def api_login(client, username, password, refresh=True, **kwargs):
    return client.post("/api/v1/security/login", json={"username": username, "password": password, "refresh": refresh,
                                                          "provider": "db"},
                       **kwargs)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def person_state(app, pid):
    from app.extensions import db
    from app.models import Staff

    with app.app_context():
        p = db.session.get(Staff, pid)
        return {"active": p.active, "lock": p.lock_reason, "must": p.must_change_password,
                "due": p.password_change_due, "version": p.session_version, "fails": p.fail_login_count}


def count(app, model, *where):
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def configure(app):
    """configure(name=value, …) changes the running app's settings for one test."""
    from app.settings import replace

    saved = app.extensions["settings"]
    yield lambda **changes: replace(app, **changes)
    app.extensions["settings"] = saved
