"""Row scopes: the signed-in person's reach, as SQLAlchemy clauses and FAB filters."""
from __future__ import annotations

from typing import Optional

from flask import g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_login import current_user
from sqlalchemy import false, select, true

from app.domain.scope import LEVEL_BLOCK, LEVEL_DISTRICT, LEVEL_UNIT, Actor
from app.models import AuditEvent, OrgUnit, Staff

ANONYMOUS = Actor(id=None, roles=frozenset())


def actor_for(user) -> Actor:
    """Reduce a user row to the facts scope rules need."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "id", None) is None:
        return ANONYMOUS
    unit = user.unit
    return Actor(
        id=user.id,
        roles=frozenset(r.name for r in user.roles),
        unit_id=user.unit_id,
        block_id=unit.block_id if unit is not None else None,
        managed_block_id=user.managed_block_id,
    )


def current_actor() -> Actor:
    """The signed-in person's Actor, computed once per request."""
    if not has_request_context():
        return ANONYMOUS
    actor = getattr(g, "_actor", None)
    if actor is None:
        user = getattr(g, "user", None) or current_user
        actor = actor_for(user)
        g._actor = actor
    return actor


def _units_of_block(block_id):
    return select(OrgUnit.id).where(OrgUnit.block_id == block_id, OrgUnit.kind == "unit")


def staff_clause(actor: Actor, manage: bool = False):
    """People the actor may see (or, with manage, administer)."""
    level = actor.manage_level if manage else actor.level
    if level == LEVEL_DISTRICT:
        return true()
    if level == LEVEL_BLOCK:
        return Staff.unit_id.in_(_units_of_block(actor.scope_block_id))
    if level == LEVEL_UNIT:
        return Staff.unit_id == actor.unit_id
    if not manage and actor.id is not None:
        return Staff.id == actor.id
    return false()


def org_clause(actor: Actor, kind: str, manage: bool = False):
    """Org nodes of ``kind`` the actor may see (or, with manage, change or put things under)."""
    level = actor.manage_level if manage else actor.level
    if level == LEVEL_DISTRICT:
        return true()
    if kind == "district":
        return false()
    if level == LEVEL_BLOCK:
        if kind == "block":
            return OrgUnit.id == actor.scope_block_id
        return OrgUnit.block_id == actor.scope_block_id
    if level == LEVEL_UNIT:
        if kind == "block":
            return false()
        if kind == "unit" and manage:
            # A unit admin manages the people and departments of their unit, not the unit itself.
            return OrgUnit.id == actor.unit_id
        return OrgUnit.unit_id == actor.unit_id
    return false()


def audit_clause(actor: Actor):
    level = actor.manage_level
    if level == LEVEL_DISTRICT:
        return true()
    if level == LEVEL_BLOCK:
        return AuditEvent.block_id == actor.scope_block_id
    if level == LEVEL_UNIT:
        return AuditEvent.unit_id == actor.unit_id
    return false()


class StaffScopeFilter(BaseFilter):
    """Base filter: people in the signed-in person's scope."""

    name = "Trong phạm vi"

    def apply(self, query, value):
        return query.filter(staff_clause(current_actor()))


class ActiveUnitFilter(BaseFilter):
    """Units in use: a unit merged into another (rollout) is no longer offered."""

    name = "Đang hoạt động"

    def apply(self, query, value):
        return query.filter(OrgUnit.merged_into_id.is_(None))


def org_scope_filter(kind: str, manage: bool = False):
    """A FAB filter class for org nodes of one kind in scope."""

    class OrgScopeFilter(BaseFilter):
        name = "Trong phạm vi"

        def apply(self, query, value):
            return query.filter(OrgUnit.kind == kind, org_clause(current_actor(), kind, manage=manage))

    OrgScopeFilter.__name__ = f"OrgScopeFilter_{kind}_{'manage' if manage else 'see'}"
    return OrgScopeFilter


class AuditScopeFilter(BaseFilter):
    name = "Trong phạm vi"

    def apply(self, query, value):
        return query.filter(audit_clause(current_actor()))
