"""People and places as the reach rules of ``app.domain.scope`` see them, read from ORM objects or rows.

Two uses, one rule (``domain.scope.check_person_change``):

- an edit of one object (a screen): ``facts_before`` reads what is stored (the values before an
  unflushed edit), ``facts_after`` what the edit asks for, including the empty choice of a select
  (``__None``), which sets the relationship to None while the FK column still holds the old value;
- a bulk change (the Mẫu 01 import): ``OrgIndex`` and ``Reach`` load the tree and the actor's reach
  once, as sets and dicts of ids, so each row is checked in O(1) without a query.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, NamedTuple, Optional

from flask_appbuilder.security.sqla.models import Role, assoc_user_role
from sqlalchemy import inspect, select

from app.domain.scope import LEVEL_DISTRICT, Actor, PersonFacts, Placement, reaches, require_actor
from app.models import OrgUnit, Staff

def _old(obj: Any, attr: str) -> Any:
    """The value a column had before the current unflushed edit (loads it when expired)."""
    hist = inspect(obj).attrs[attr].history
    if hist.deleted:
        return hist.deleted[0]
    if hist.unchanged:
        return hist.unchanged[0]
    return getattr(obj, attr) if not hist.added else None


def _id(value) -> Optional[int]:
    return getattr(value, "id", value)


def ref_now(session, obj: Any, rel: str, fk: str, model=OrgUnit):
    """The object ``obj.rel`` points at after the staged edit, or None.

    A form that picks the empty option sets the relationship to None while the FK column keeps the
    stored id until the flush: reading ``obj.rel or get(obj.fk)`` would judge the old value. Here the
    relationship set by the edit wins (None included), then an FK column set by the edit, then what is
    stored.
    """
    state = inspect(obj)
    rel_hist = state.attrs[rel].history
    if rel_hist.added:
        return rel_hist.added[0]
    fk_hist = state.attrs[fk].history
    if not fk_hist.added and rel_hist.unchanged:
        return rel_hist.unchanged[0]
    fk_value = getattr(obj, fk)
    return session.get(model, fk_value) if fk_value is not None else None


def place_of(session, unit) -> Placement:
    """Where a unit (an OrgUnit, an id or None) sits."""
    if unit is None:
        return Placement(None, None)
    if not isinstance(unit, OrgUnit):
        unit = session.get(OrgUnit, unit)
    return Placement(unit.id, unit.block_id) if unit is not None else Placement(None, None)


def node_place_before(node: OrgUnit) -> Optional[Placement]:
    """Where an org node sat before the staged edit (its stored links), None for a new node."""
    state = inspect(node)
    if state.transient or state.pending:
        return None
    return Placement(_old(node, "unit_id"), _old(node, "block_id"))


def facts_before(session, person: Staff) -> Optional[PersonFacts]:
    """The person as stored, before the edit staged on the object (None for a new object).

    Read from the FK columns, which an unflushed form edit leaves at their stored values.
    """
    state = inspect(person)
    if state.transient or state.pending:
        return None
    roles_hist = state.attrs["roles"].history
    if roles_hist.has_changes():
        roles = frozenset(r.name for r in (list(roles_hist.unchanged or ()) + list(roles_hist.deleted or ())))
    else:
        roles = frozenset(r.name for r in person.roles)  # loads the stored roles when not loaded yet
    return PersonFacts(person.id, place_of(session, _old(person, "unit_id")), roles, _old(person, "managed_block_id"))


def facts_after(session, person: Staff, roles: frozenset[str]) -> PersonFacts:
    """The person as the staged edit would leave them (an empty choice counts as None)."""
    unit = ref_now(session, person, "unit", "unit_id")
    managed = ref_now(session, person, "managed_block", "managed_block_id")
    return PersonFacts(person.id, place_of(session, unit), roles, _id(managed))


# --- bulk: the tree and the actor's reach, loaded once ---------------------------------------------


class UnitRow(NamedTuple):
    id: int
    name: str
    name_key: str
    block_id: Optional[int]


class DepartmentRow(NamedTuple):
    id: int
    name: str
    name_key: str
    unit_id: Optional[int]
    parent_id: Optional[int]


class OrgIndex:
    """Blocks, units and departments by id and by folded name: one query each."""

    def __init__(self, session):
        self.block_names: dict[int, str] = dict(
            session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.kind == "block")).all()
        )
        self.units: dict[int, UnitRow] = {
            r[0]: UnitRow(*r) for r in session.execute(
                select(OrgUnit.id, OrgUnit.name, OrgUnit.name_key, OrgUnit.block_id).where(OrgUnit.kind == "unit")
            )
        }
        self.departments: dict[int, DepartmentRow] = {
            r[0]: DepartmentRow(*r) for r in session.execute(
                select(OrgUnit.id, OrgUnit.name, OrgUnit.name_key, OrgUnit.unit_id, OrgUnit.parent_id)
                .where(OrgUnit.kind == "department")
            )
        }
        # Units merged into another (rollout): kept for history, never matched by name again.
        self.merged_into: dict[int, int] = dict(session.execute(
            select(OrgUnit.id, OrgUnit.merged_into_id).where(OrgUnit.kind == "unit", OrgUnit.merged_into_id.isnot(None))).all())
        self.units_by_key: dict[str, list[UnitRow]] = defaultdict(list)
        self.merged_by_key: dict[str, list[UnitRow]] = defaultdict(list)
        for u in sorted(self.units.values(), key=lambda u: u.id):
            (self.merged_by_key if u.id in self.merged_into else self.units_by_key)[u.name_key].append(u)
        self.departments_by_key: dict[str, list[DepartmentRow]] = defaultdict(list)
        for d in sorted(self.departments.values(), key=lambda d: d.id):
            if d.unit_id not in self.merged_into:
                self.departments_by_key[d.name_key].append(d)

    def place(self, unit_id: Optional[int]) -> Placement:
        unit = self.units.get(unit_id) if unit_id is not None else None
        return Placement(unit.id, unit.block_id) if unit is not None else Placement(None, None)

    def unit_name(self, unit_id: Optional[int]) -> Optional[str]:
        unit = self.units.get(unit_id) if unit_id is not None else None
        return unit.name if unit is not None else None

    def block_name(self, block_id: Optional[int]) -> str:
        return self.block_names.get(block_id, "") if block_id is not None else ""

    def department_label(self, dept: DepartmentRow) -> str:
        """Where a department sits, as people read it: "Unit" or "Unit / Parent department"."""
        unit = self.unit_name(dept.unit_id) or ""
        parent = self.departments.get(dept.parent_id) if dept.parent_id is not None else None
        return f"{unit} / {parent.name}" if parent is not None else unit


@dataclass(frozen=True)
class Reach:
    """The units an actor administers, as a set of ids (``everything`` for the district level)."""

    actor: Actor
    everything: bool
    unit_ids: frozenset[int]

    @classmethod
    def of(cls, actor: Actor, index: OrgIndex) -> "Reach":
        """Computed with the domain rule, once per unit of the tree."""
        require_actor(actor)
        if actor.manage_level == LEVEL_DISTRICT:
            return cls(actor, True, frozenset(index.units))
        return cls(actor, False, frozenset(u.id for u in index.units.values() if reaches(actor, Placement(u.id, u.block_id))))

    def has_unit(self, unit_id: Optional[int]) -> bool:
        return unit_id is not None and unit_id in self.unit_ids

    def has_person(self, unit_id: Optional[int]) -> bool:
        """A person of this unit (None: without a unit, within reach of the district admin only)."""
        return self.everything or self.has_unit(unit_id)


def roles_by_person(session, ids: Optional[Iterable[int]] = None) -> dict[int, frozenset[str]]:
    """Stored role names per person (of ``ids``, or of everybody), one query (chunked for ``ids``)."""
    q = select(assoc_user_role.c.user_id, Role.name).join(Role, Role.id == assoc_user_role.c.role_id)
    out: dict[int, set[str]] = defaultdict(set)
    if ids is None:
        rows: Iterable = session.execute(q)
    else:
        wanted = sorted(set(ids))
        rows = []
        for i in range(0, len(wanted), 900):
            rows.extend(session.execute(q.where(assoc_user_role.c.user_id.in_(wanted[i:i + 900]))))
    for user_id, name in rows:
        out[user_id].add(name)
    return {k: frozenset(v) for k, v in out.items()}
