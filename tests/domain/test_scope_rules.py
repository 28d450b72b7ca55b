"""Scope, roles and tree rules as tables: pure, no app."""
from __future__ import annotations

import pytest

from app.domain.org import ALLOWED_PARENT_KINDS, OrgRuleError, check_no_cycle, check_parent
from app.domain.roles import EVAL_ROLES, PRIVILEGED_ROLES, SECURITY_ROLES, roles_for
from app.domain.scope import (SYSTEM, Actor, MissingActor, PersonFacts, Placement, can_manage_unit, can_see_unit,
                              check_person_change, require_actor)

U1, U2, U3 = Placement(1, 10), Placement(2, 10), Placement(3, 20)  # units 1, 2 in block 10; unit 3 in block 20
NOWHERE = Placement(None, None)

ADMIN = Actor(100, frozenset({"Admin", "staff"}))
BLOCK = Actor(101, frozenset({"block_admin", "staff"}), unit_id=3, block_id=20, managed_block_id=10)
UNIT = Actor(102, frozenset({"unit_admin", "staff"}), unit_id=1, block_id=10)
LEADER = Actor(103, frozenset({"leader", "staff"}), unit_id=1, block_id=10)
STAFF = Actor(104, frozenset({"staff"}), unit_id=1, block_id=10)

# actor, unit, can see, can manage
VISIBILITY = [
    (ADMIN, U1, True, True), (ADMIN, U3, True, True),
    (BLOCK, U1, True, True), (BLOCK, U2, True, True), (BLOCK, U3, False, False),  # manages block 10, sits in 20
    (UNIT, U1, True, True), (UNIT, U2, False, False), (UNIT, U3, False, False),
    (LEADER, U1, True, False), (LEADER, U2, False, False),
    (STAFF, U1, False, False),
]


@pytest.mark.parametrize("actor,place,see,manage", VISIBILITY)
def test_visibility_and_management(actor, place, see, manage):
    assert can_see_unit(actor, place) is see
    assert can_manage_unit(actor, place) is manage


def person(pid, place, *roles, block=None):
    return PersonFacts(pid, place, frozenset(roles) | {"staff"}, block)


CHANGES = [
    # actor, before, after, allowed?
    (UNIT, None, person(None, U1), True),
    (UNIT, None, person(None, U2), False),  # create in another unit
    (UNIT, person(5, U1), person(5, U2), False),  # move out
    (UNIT, person(5, U2), person(5, U2), False),  # foreign person
    (UNIT, person(5, U1), person(5, U1, "unit_admin"), True),  # make a peer unit admin
    (UNIT, person(5, U1), person(5, U1, "block_admin", block=10), False),
    (UNIT, person(5, U1), person(5, U1, "Admin"), False),
    (UNIT, person(5, U1, "block_admin", block=10), person(5, U1, "block_admin", block=10), False),
    (UNIT, person(102, U1, "unit_admin"), person(102, U1, "unit_admin", "leader"), False),  # self-promotion
    (UNIT, person(102, U1, "unit_admin"), person(102, U1, "unit_admin"), True),  # own contact details
    (UNIT, person(102, U1, "unit_admin"), None, False),  # delete self
    (BLOCK, person(5, U1), person(5, U2), True),  # within the block
    (BLOCK, person(5, U1), person(5, U3), False),  # out of the block
    (LEADER, person(5, U1), person(5, U1), False),  # readers manage nothing
    (ADMIN, person(5, U3), person(5, U1, "block_admin", block=10), True),
    (ADMIN, person(100, None, "Admin"), None, False),  # nobody deletes themself
    # people without a unit (the district admin, anyone whose unit was cleared): the district's only
    (UNIT, person(5, NOWHERE), person(5, U1), False),
    (BLOCK, person(5, NOWHERE), person(5, U1), False),
    (BLOCK, person(5, NOWHERE, "Admin"), person(5, NOWHERE, "Admin"), False),
    (UNIT, person(5, U1), person(5, NOWHERE), False),  # nor may a lower admin put somebody there
    (ADMIN, person(5, NOWHERE), person(5, U1), True),
    (SYSTEM, person(5, NOWHERE, "Admin"), person(5, NOWHERE, "Admin"), True),
    (SYSTEM, person(5, U3), None, True),
    # a block admin by the block they administer, whatever their roles say
    (UNIT, PersonFacts(6, U1, frozenset({"staff"}), 10), PersonFacts(6, U1, frozenset({"staff"}), 10), False),
    (BLOCK, PersonFacts(6, U1, frozenset({"staff"}), 20), None, False),
    (ADMIN, PersonFacts(6, U1, frozenset({"staff"}), 20), None, True),
    # readers and anonymous manage nobody
    (Actor(None, frozenset()), None, person(None, U1), False),
]


@pytest.mark.parametrize("actor,before,after,allowed", CHANGES)
def test_person_changes(actor, before, after, allowed):
    problems = check_person_change(actor, before, after)
    assert (problems == []) is allowed, problems
    assert all(isinstance(p, str) and p for p in problems)


@pytest.mark.parametrize("actor", [None, "Admin", object()])
def test_there_is_no_implicit_actor(actor):
    """None never means "all rights": every path names its actor (SYSTEM for commands)."""
    with pytest.raises(MissingActor):
        require_actor(actor)
    with pytest.raises(MissingActor):
        check_person_change(actor, None, person(None, U1))


def test_the_system_actor_has_the_districts_reach_and_a_label():
    assert require_actor(SYSTEM) is SYSTEM and SYSTEM.is_system and SYSTEM.is_admin and SYSTEM.id is None
    assert SYSTEM.label == "Hệ thống (dòng lệnh)"
    assert can_manage_unit(SYSTEM, U3) and can_manage_unit(SYSTEM, NOWHERE)
    assert not ADMIN.is_system


@pytest.mark.parametrize("eval_role", [r.code for r in EVAL_ROLES] + [None])
@pytest.mark.parametrize("unit_admin", [False, True])
def test_everybody_can_fill_their_own_sheet_and_nobody_gets_privileges_from_the_sheet(eval_role, unit_admin):
    names = roles_for(eval_role, unit_admin)
    assert "staff" in names
    assert not names & PRIVILEGED_ROLES
    assert ("unit_admin" in names) is unit_admin
    assert names <= {r.name for r in SECURITY_ROLES}


def test_every_role_has_a_vietnamese_label():
    for role in SECURITY_ROLES:
        assert role.label and any(ch in role.label for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉọỏốồổỗộớờởỡợụủứừửữựỳỷỹỵáàãéèíìóòõúùýĐ")


@pytest.mark.parametrize("kind,parent,ok", [
    ("district", None, True), ("block", "district", True), ("unit", "block", True),
    ("department", "unit", True), ("department", "department", True),
    ("unit", "district", False), ("block", "unit", False), ("department", "block", False), ("district", "block", False),
])
def test_tree_levels(kind, parent, ok):
    assert set(ALLOWED_PARENT_KINDS) == {"district", "block", "unit", "department"}
    if ok:
        check_parent(kind, parent)
    else:
        with pytest.raises(OrgRuleError):
            check_parent(kind, parent)


def test_cycles_are_refused():
    parents = {1: None, 2: 1, 3: 2, 4: 3}
    check_no_cycle(4, 1, parents.get)
    for new_parent in (2, 3, 4):
        with pytest.raises(OrgRuleError):
            check_no_cycle(2, new_parent, parents.get)
