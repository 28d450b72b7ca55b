"""Fixtures of the evaluation services: the district admin as an Actor, a staff member as one."""
from __future__ import annotations

import pytest
from sqlalchemy import select


@pytest.fixture
def admin(ctx):
    """The demo district admin, as the Actor the services take."""
    from app.models import Staff
    from app.security.scope import actor_for

    return actor_for(ctx.scalar(select(Staff).where(Staff.username == "admin")))


@pytest.fixture
def staff_actor(ctx):
    """A demo staff member (no admin right)."""
    from app.domain.roles import STAFF
    from app.models import Staff
    from app.security.scope import actor_for

    person = ctx.scalar(select(Staff).where(Staff.eval_role == STAFF, Staff.is_unit_admin.is_(False),
                                            Staff.managed_block_id.is_(None)).order_by(Staff.id).limit(1))
    return actor_for(person)


from tests.evaluation_fixtures import *  # noqa: E402,F401,F403  (make_unit, open_period, calendar, api…)
