"""Who sees a sheet: the pure rule (domain.evaluation.access) and its SQL clause (security.sheet_scope)
agree for every kind of actor on every sheet of a period; and the rule itself, case by case."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.evaluation import access
from app.domain.evaluation import workflow as wf
from app.domain.roles import ADMIN, BLOCK_ADMIN, LEADER, STAFF, SYNTHESIS, UNIT_ADMIN, DEPARTMENT_HEAD
from app.domain.scope import Actor, Placement
from tests.evaluation_fixtures import actor_of, admin_actor, make_unit, open_period

UNITS = ["UBND phường Cống Vị", "Trường Tiểu học Kim Đồng", "Ban Tổ chức Quận ủy"]


def test_the_sql_clause_agrees_with_the_rule_for_every_actor(ctx, demo):
    from app.models import OrgUnit, Sheet
    from app.security.sheet_scope import sheet_clause

    unit = make_unit(ctx, size=8)
    open_period(ctx)
    actors = [admin_actor(ctx), Actor(id=None, roles=frozenset({ADMIN}))]  # the district admin, the system
    for name in UNITS:
        for kind in ("unit_admin", "leader", "department_head", "synthesis", "staff"):
            try:
                actors.append(actor_of(ctx, demo.user(kind, name)["id"]))
            except AssertionError:
                pass  # that unit has no such person
    for block in ("Khối xã, phường", "Khối Giáo dục"):
        actors.append(actor_of(ctx, demo.user("block_admin", block)["id"]))
    actors += [actor_of(ctx, unit.outside_evaluator), actor_of(ctx, unit.deputy), Actor(id=None, roles=frozenset())]
    blocks = dict(ctx.execute(select(OrgUnit.id, OrgUnit.block_id).where(OrgUnit.kind == "unit")).all())
    sheets = ctx.execute(select(Sheet.id, Sheet.person_id, Sheet.commenter_id, Sheet.evaluator_id, Sheet.unit_id)).all()
    assert len(sheets) > 300 and len(actors) >= 18
    for actor in actors:
        by_rule = {s.id for s in sheets if access.can_see(actor, access.SheetPlace(
            s.person_id, s.commenter_id, s.evaluator_id, Placement(s.unit_id, blocks[s.unit_id])))}
        by_sql = set(ctx.scalars(select(Sheet.id).where(sheet_clause(actor))))
        assert by_sql == by_rule, actor


def place(owner=1, commenter=2, evaluator=3, unit=10, block=100):
    return access.SheetPlace(owner, commenter, evaluator, Placement(unit, block))


def actor(id_, *roles, unit=None, block=None, managed=None):
    return Actor(id=id_, roles=frozenset(roles) | {STAFF}, unit_id=unit, block_id=block, managed_block_id=managed)


CASES = [
    # (who, sees, roles on the sheet)
    ("owner", actor(1, unit=10, block=100), True, {wf.OWNER}),
    ("commenter", actor(2, DEPARTMENT_HEAD, unit=10, block=100), True, {wf.COMMENTER}),
    ("evaluator outside the unit", actor(3, LEADER, unit=77, block=700), True, {wf.EVALUATOR}),
    ("leader of the unit", actor(4, LEADER, unit=10, block=100), True, set()),
    ("synthesis of the unit", actor(5, SYNTHESIS, unit=10, block=100), True, set()),
    ("department head of the unit, not routed", actor(6, DEPARTMENT_HEAD, unit=10, block=100), False, set()),
    ("staff of the unit", actor(7, unit=10, block=100), False, set()),
    ("leader of another unit", actor(8, LEADER, unit=11, block=100), False, set()),
    ("unit admin", actor(9, UNIT_ADMIN, unit=10, block=100), True, {wf.ADMIN}),
    ("unit admin of another unit", actor(9, UNIT_ADMIN, unit=11, block=100), False, set()),
    ("block admin of the block", actor(12, BLOCK_ADMIN, unit=50, block=500, managed=100), True, {wf.ADMIN}),
    ("block admin of another block", actor(12, BLOCK_ADMIN, unit=50, block=500, managed=200), False, set()),
    ("district admin", actor(13, ADMIN), True, {wf.ADMIN}),
    ("anonymous", Actor(id=None, roles=frozenset()), False, set()),
]


@pytest.mark.parametrize("who,a,sees,roles", CASES, ids=[c[0] for c in CASES])
def test_the_rule(who, a, sees, roles):
    p = place()
    assert access.can_see(a, p) is sees
    if sees:
        assert access.sheet_roles(a, p) == frozenset(roles)


def test_ids_not_names_decide():
    """A namesake is nobody: only the person's id counts (the rule never sees a name)."""
    p = place(owner=1, commenter=None, evaluator=3)
    assert not access.can_see(actor(2, unit=10, block=100), p)
    assert access.sheet_roles(actor(1, unit=10, block=100), p) == {wf.OWNER}
