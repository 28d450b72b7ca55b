"""People and places as the reach rules of ``app.domain.scope`` see them, read from ORM objects.

``facts_before`` reads what is stored (the values before an unflushed edit), so a form that changes a
person's unit is judged on where the person was as well as where they go.
"""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import inspect

from app.domain.scope import PersonFacts, Placement
from app.models import OrgUnit, Staff


def _old(person: Staff, attr: str) -> Any:
    """The value an attribute had before the current unflushed edit."""
    hist = inspect(person).attrs[attr].history
    if hist.deleted:
        return hist.deleted[0]
    if hist.unchanged:
        return hist.unchanged[0]
    return getattr(person, attr) if not hist.added else None


def _id(value) -> Optional[int]:
    return getattr(value, "id", value)


def _place(session, unit) -> Placement:
    if unit is None:
        return Placement(None, None)
    if not isinstance(unit, OrgUnit):
        unit = session.get(OrgUnit, unit)
    return Placement(unit.id, unit.block_id) if unit is not None else Placement(None, None)


def facts_before(session, person: Staff) -> Optional[PersonFacts]:
    """The person as stored, before the edit staged on the object (None for a new object)."""
    if inspect(person).transient or inspect(person).pending:
        return None
    unit = _old(person, "unit")
    unit_id = _id(unit) if unit is not None else _old(person, "unit_id")
    managed = _old(person, "managed_block")
    managed_id = _id(managed) if managed is not None else _old(person, "managed_block_id")
    roles_hist = inspect(person).attrs["roles"].history
    if roles_hist.has_changes():
        roles = frozenset(r.name for r in (list(roles_hist.unchanged or ()) + list(roles_hist.deleted or ())))
    else:
        roles = frozenset(r.name for r in person.roles)  # loads the stored roles when not loaded yet
    return PersonFacts(person.id, _place(session, unit_id), roles, managed_id)


def facts_after(session, person: Staff, roles: frozenset[str]) -> PersonFacts:
    unit = person.unit if person.unit is not None else person.unit_id
    managed = person.managed_block.id if person.managed_block is not None else person.managed_block_id
    return PersonFacts(person.id, _place(session, unit), roles, managed)
