"""Shared helpers for evaluation tests (services, API, screens): a test unit, an open period, the clock,
API sign-in. Use them from a conftest with ``from tests.evaluation_fixtures import *  # noqa: F401,F403``.

- ``make_unit(session, name, size=30)``: a unit of ``size`` people in "Khối xã, phường" — a head, a
  deputy who comments on everybody's sheet (Mẫu 01 "Lãnh đạo phụ trách nhận xét"), a synthesis person,
  staff (the last one is the unit admin); the head is graded by district leadership outside the unit (the head of Ban Tổ chức Quận ủy).
  Passwords are the demo password with a fast hash, so API sign-ins cost nothing.
- ``open_period(session, key)``: the district admin opens the period (committed) — one sheet per person.
- ``clock_at(day, hour)``/the ``calendar`` fixture: the app's clock on a Hà Nội day and hour.
- ``ApiClient``: signs in through ``POST /api/v1/security/login`` and calls the API with the Bearer token,
  signing in again when the app's clock has moved (access tokens are short-lived on that clock).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import itertools
from dataclasses import dataclass, field
from typing import Any, Optional

import pytest
from sqlalchemy import select

DEMO_PASSWORD = "Demo@2026"
NOVEMBER = "2026-11"
# The default windows of 2026-11 (settings EVAL_*_WINDOW 20-25, 20-28, 20-34).
SELF_DAY = dt.date(2026, 11, 21)
COMMENT_DAY = dt.date(2026, 11, 26)  # self-assessment over, comment open
GRADING_DAY = dt.date(2026, 11, 30)  # comment over, grading open
AFTER_ALL = dt.date(2026, 12, 10)

_unit_numbers = itertools.count(1)
_fast_hash: dict[str, str] = {}


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    from app.domain.dates import TZ

    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def clock_at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """Set the app's clock to ``day`` at ``hour``; returns the moment."""
    from app.services import clock

    moment = at(day, hour, minute)
    clock.set_clock(lambda: moment)
    return moment


@pytest.fixture
def calendar():
    """``calendar(day, hour=9)`` sets the app's clock; the real clock comes back after the test."""
    from app.services import clock

    yield clock_at
    clock.set_clock(None)


def actor_of(session, person_id: int):
    from app.models import Staff
    from app.security.scope import actor_for

    return actor_for(session.get(Staff, person_id))


def admin_actor(session):
    from app.models import Staff
    from app.security.scope import actor_for

    return actor_for(session.scalar(select(Staff).where(Staff.username == "admin")))


def password_hash(password: str = DEMO_PASSWORD) -> str:
    """A one-iteration hash: what the API tests sign in with thousands of times must cost nothing."""
    if password not in _fast_hash:
        from werkzeug.security import generate_password_hash

        _fast_hash[password] = generate_password_hash(password, method="pbkdf2:sha256:1")
    return _fast_hash[password]


@dataclass
class EvalUnit:
    unit_id: int
    name: str
    head: int
    deputy: int  # the commenter of every sheet of the unit except the head's and the deputy's own
    synthesis: int
    staff: list[int]
    outside_evaluator: int  # district leadership: grades the head
    usernames: dict[int, str] = field(default_factory=dict)

    @property
    def unit_admin(self) -> int:
        """The last staff member administers the unit."""
        return self.staff[-1]

    @property
    def people(self) -> list[int]:
        return [self.head, self.deputy, self.synthesis, *self.staff]


def make_unit(session, name: Optional[str] = None, size: int = 30, block: str = "Khối xã, phường",
              commenter: bool = True) -> EvalUnit:
    """A unit of ``size`` people with its routing (see the module docstring); committed."""
    from flask_appbuilder.security.sqla.models import Role

    from app.domain.roles import LEADER, STAFF, SYNTHESIS, roles_for
    from app.domain.text import fold
    from app.models import OrgUnit, Staff

    n = next(_unit_numbers)
    name = name or f"UBND phường Thử Nghiệm {n}"
    block_row = session.scalar(select(OrgUnit).where(OrgUnit.kind == "block", OrgUnit.name_key == fold(block)))
    unit = OrgUnit(name=name, name_key=fold(name), kind="unit", parent_id=block_row.id, block_id=block_row.id,
                   unit_type="Đơn vị hành chính", declared_headcount=size)
    session.add(unit)
    session.flush()
    unit.unit_id = unit.id
    roles = {r.name: r for r in session.scalars(select(Role))}
    hashed = password_hash()
    digest = hashlib.sha1(name.encode()).hexdigest()[:6]
    leadership = session.scalar(
        select(Staff).join(OrgUnit, OrgUnit.id == Staff.unit_id)
        .where(OrgUnit.name_key == fold("Ban Tổ chức Quận ủy"), Staff.position == "Trưởng ban"))
    usernames: dict[int, str] = {}
    counter = itertools.count(1)

    def person(full_name: str, position: str, eval_role: str, unit_admin: bool = False) -> Staff:
        i = next(counter)
        username = f"thu{digest}{i}_badinh"
        p = Staff(username=username, email=f"{username}@badinh.invalid", full_name=full_name, name_key=fold(full_name),
                  first_name=full_name.split()[-1], last_name=" ".join(full_name.split()[:-1]), position=position,
                  unit=unit, eval_role=eval_role, is_unit_admin=unit_admin, active=True, password=hashed,
                  must_change_password=False)
        p.roles = [roles[r] for r in sorted(roles_for(eval_role, unit_admin)) if r in roles]
        session.add(p)
        return p

    head = person(f"Nguyễn Văn Trưởng {n}", "Chủ tịch", LEADER)
    deputy = person(f"Trần Thị Phó {n}", "Phó Chủ tịch", LEADER)
    synthesis = person(f"Lê Văn Tổng Hợp {n}", "Công chức tổng hợp", SYNTHESIS)
    staff = [person(f"Phạm Thị Cán Bộ {n} {k:02d}", "Công chức", STAFF, unit_admin=(k == size - 3)) for k in range(1, size - 2)]
    session.flush()
    head.evaluator = leadership
    deputy.evaluator = head
    for p in [synthesis, *staff]:
        p.evaluator = head
        p.reviewer = deputy if commenter else None
    session.flush()
    for p in [head, deputy, synthesis, *staff]:
        usernames[p.id] = p.username
    result = EvalUnit(unit.id, name, head.id, deputy.id, synthesis.id, [p.id for p in staff], leadership.id, usernames)
    usernames[leadership.id] = leadership.username
    session.commit()
    return result


def open_period(session, key: str = NOVEMBER, **kwargs):
    """The district admin opens the period (one sheet per person), committed; returns the Period."""
    from app.services.evaluation import periods
    from app.services.uow import unit_of_work

    with unit_of_work(session):
        period = periods.open_period(session, key, admin_actor(session), **kwargs)
    return period


def sheet_of(session, person_id: int, key: str = NOVEMBER) -> int:
    from app.models import Period, Sheet

    return session.scalar(select(Sheet.id).join(Period).where(Sheet.person_id == person_id, Period.key == key))


def fingerprint(session, sheet_id: int) -> tuple:
    """Everything stored about a sheet: its row, its scores, its events (compare before/after a refusal)."""
    from app.models import Sheet, SheetEvent, SheetScore

    session.expire_all()
    row = session.execute(select(Sheet.__table__).where(Sheet.id == sheet_id)).mappings().one()
    scores = session.execute(select(SheetScore.__table__).where(SheetScore.sheet_id == sheet_id)
                             .order_by(SheetScore.criterion_id)).all()
    events = session.execute(select(SheetEvent.__table__).where(SheetEvent.sheet_id == sheet_id)
                             .order_by(SheetEvent.id)).all()
    return tuple(sorted(dict(row).items())), tuple(map(tuple, scores)), tuple(map(tuple, events))


def full_scores(session, sheet_id: int, points: Any = "max", bonus: Optional[str] = None) -> list[dict]:
    """Scores for every normal criterion of the sheet's version: ``"max"``, a fraction of the max, or a
    dict {criterion code: points}. ``bonus``: a justification that gives the first bonus criterion 5."""
    from decimal import Decimal

    from app.domain.evaluation.rules import BONUS, NORMAL
    from app.models import Sheet
    from app.services.evaluation.sheets import rule_version

    rule = rule_version(session, session.get(Sheet, sheet_id).rule_version_id)
    out = []
    for c in rule.criteria:
        if c.kind == NORMAL:
            if isinstance(points, dict):
                value = points.get(c.code, c.max_points)
            elif points == "max":
                value = c.max_points
            else:
                value = (c.max_points * Decimal(str(points))).quantize(Decimal("0.01"))
            out.append({"criterion_id": c.id, "points": str(value), "note": ""})
    if bonus:
        first = next(c for c in rule.criteria if c.kind == BONUS)
        out.append({"criterion_id": first.id, "points": "5", "note": bonus})
    return out


# -- the API ---------------------------------------------------------------------------------------------
class ApiClient:
    """A test client speaking to the API as signed-in people (Bearer tokens from the login endpoint)."""

    TOKEN_MINUTES = 5

    def __init__(self, client, password: str = DEMO_PASSWORD):
        self.client = client
        self.password = password
        self._tokens: dict[str, tuple[str, dt.datetime]] = {}

    def login(self, username: str, password: Optional[str] = None):
        return self.client.post("/api/v1/security/login", json={
            "username": username, "password": password or self.password, "provider": "db", "refresh": True})

    def token(self, username: str) -> str:
        from app.services import clock

        now = clock.now()
        cached = self._tokens.get(username)
        if cached is None or not (cached[1] <= now <= cached[1] + dt.timedelta(minutes=self.TOKEN_MINUTES)):
            resp = self.login(username)
            assert resp.status_code == 200, (username, resp.status_code, resp.get_data(as_text=True))
            cached = (resp.get_json()["access_token"], now)
            self._tokens[username] = cached
        return cached[0]

    def call(self, method: str, url: str, username: Optional[str], body: Any = None, **kwargs):
        headers = {"Authorization": f"Bearer {self.token(username)}"} if username else {}
        data = json.dumps(body) if body is not None else None
        return self.client.open(url, method=method, headers=headers, data=data,
                                content_type="application/json" if data is not None else None, **kwargs)

    def get(self, url: str, username: Optional[str], **kwargs):
        return self.call("GET", url, username, **kwargs)

    def post(self, url: str, username: Optional[str], body: Any = None, **kwargs):
        return self.call("POST", url, username, body if body is not None else {}, **kwargs)

    def put(self, url: str, username: Optional[str], body: Any = None, **kwargs):
        return self.call("PUT", url, username, body if body is not None else {}, **kwargs)


@pytest.fixture
def api(app):
    # The dev SECRET_KEY is shorter than PyJWT's 32-byte minimum for HS256 (a warning, an error in tests);
    # issue 7's auth branch derives a JWT key of its own. Until then, give the tests one (a configured key wins).
    if not app.config.get("JWT_SECRET_KEY"):
        app.config["JWT_SECRET_KEY"] = hashlib.sha256(b"evaluation-tests").hexdigest()
    return ApiClient(app.test_client())


__all__ = [
    "DEMO_PASSWORD", "NOVEMBER", "SELF_DAY", "COMMENT_DAY", "GRADING_DAY", "AFTER_ALL", "at", "clock_at", "calendar",
    "actor_of", "admin_actor", "password_hash", "EvalUnit", "make_unit", "open_period", "sheet_of", "fingerprint",
    "full_scores", "ApiClient", "api",
]
