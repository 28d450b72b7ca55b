"""One reach rule: the SQL scopes (lists, API), the import's id sets and the domain rule agree, for every actor."""
from __future__ import annotations

import pytest
from sqlalchemy import select

ACTORS = [
    ("admin", None), ("block_admin", "Khối xã, phường"), ("block_admin", "Khối Giáo dục"),
    ("unit_admin", "UBND phường Cống Vị"), ("unit_admin", "Phòng Nội vụ"), ("leader", "UBND phường Cống Vị"),
    ("department_head", "UBND phường Cống Vị"), ("synthesis", "Trường Tiểu học Kim Đồng"),
    ("staff", "UBND phường Cống Vị"), ("system", None),
]


def _actor(ctx, demo, kind, where):
    from app.domain.scope import SYSTEM
    from app.models import Staff
    from app.security.scope import actor_for

    if kind == "system":
        return SYSTEM
    person = demo.user(kind, where) if where else demo.user(kind)
    return actor_for(ctx.get(Staff, person["id"]))


@pytest.mark.parametrize("kind,where", ACTORS, ids=[f"{k}-{w}" for k, w in ACTORS])
def test_sql_scopes_and_import_reach_follow_the_domain_rule(ctx, demo, kind, where):
    from app.domain.scope import LEVEL_SELF, reaches
    from app.models import OrgUnit, Staff
    from app.security.scope import org_clause, staff_clause
    from app.services.reach import OrgIndex, Reach

    actor = _actor(ctx, demo, kind, where)
    index = OrgIndex(ctx)
    people = ctx.execute(select(Staff.id, Staff.unit_id)).all()
    for manage in (False, True):
        by_sql = set(ctx.scalars(select(Staff.id).where(staff_clause(actor, manage=manage))))
        by_rule = {pid for pid, unit_id in people if reaches(actor, index.place(unit_id), manage=manage)}
        if not manage and actor.level == LEVEL_SELF and actor.id is not None:
            by_rule.add(actor.id)  # everybody sees their own record
        assert by_sql == by_rule, (kind, where, manage)
    reach = Reach.of(actor, index)
    managed_units = set(ctx.scalars(select(OrgUnit.id).where(OrgUnit.kind == "unit", org_clause(actor, "unit", manage=True))))
    assert reach.unit_ids == (managed_units if actor.manage_level else set()), (kind, where)
    assert {pid for pid, unit_id in people if reach.has_person(unit_id)} == set(
        ctx.scalars(select(Staff.id).where(staff_clause(actor, manage=True))))
