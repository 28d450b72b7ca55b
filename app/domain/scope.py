"""Who may see and manage whom: the scope rules, as pure functions over plain facts.

Every path that changes people (screens, the Mẫu 01 import, the API, commands) asks
``check_person_change`` with an explicit ``Actor``: a signed-in person, or ``SYSTEM`` for commands run
on the server. ``None`` is never an actor (``require_actor`` refuses it), so no caller can mean "all
rights" by forgetting one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from app.domain import root
from app.domain.roles import ADMIN, BLOCK_ADMIN, DEPARTMENT_HEAD, LEADER, PRIVILEGED_ROLES, SYNTHESIS, UNIT_ADMIN

# How far a person sees, widest first. Roles that see their own unit's people read-only.
UNIT_READERS = frozenset({UNIT_ADMIN, LEADER, DEPARTMENT_HEAD, SYNTHESIS})

LEVEL_DISTRICT = "district"
LEVEL_BLOCK = "block"
LEVEL_UNIT = "unit"
LEVEL_SELF = "self"


@dataclass(frozen=True)
class Actor:
    """The signed-in person, reduced to what scope decisions need."""

    id: Optional[int]
    roles: frozenset[str]
    unit_id: Optional[int] = None
    block_id: Optional[int] = None  # block of the person's unit
    managed_block_id: Optional[int] = None  # block administered, when block admin
    label: Optional[str] = None  # how the audit log names an actor that is not a person (SYSTEM)

    @property
    def is_system(self) -> bool:
        return self.id is None and self.label is not None and ADMIN in self.roles

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def scope_block_id(self) -> Optional[int]:
        return self.managed_block_id or self.block_id

    @property
    def level(self) -> str:
        """The widest reach of any of the person's roles."""
        if ADMIN in self.roles:
            return LEVEL_DISTRICT
        if BLOCK_ADMIN in self.roles and self.scope_block_id is not None:
            return LEVEL_BLOCK
        if self.roles & UNIT_READERS and self.unit_id is not None:
            return LEVEL_UNIT
        return LEVEL_SELF

    @property
    def manage_level(self) -> Optional[str]:
        """The reach of the person's admin rights, or None when they administer nothing."""
        if ADMIN in self.roles:
            return LEVEL_DISTRICT
        if BLOCK_ADMIN in self.roles and self.scope_block_id is not None:
            return LEVEL_BLOCK
        if UNIT_ADMIN in self.roles and self.unit_id is not None:
            return LEVEL_UNIT
        return None


SYSTEM_LABEL = "Hệ thống (dòng lệnh)"
# Commands run on the server by whoever operates it (setup, import, resets): district reach, no person.
SYSTEM = Actor(id=None, roles=frozenset({ADMIN}), label=SYSTEM_LABEL)


class MissingActor(TypeError):
    """A service was called without saying who acts: a programming error, never "all rights"."""


def require_actor(actor: object) -> Actor:
    """``actor`` when it is an Actor; raise MissingActor otherwise (``None`` included)."""
    if not isinstance(actor, Actor):
        raise MissingActor(f"an explicit Actor is required (scope.SYSTEM for commands), got {actor!r}")
    return actor


@dataclass(frozen=True)
class Placement:
    """Where a unit sits: its id and its block's id."""

    unit_id: Optional[int]
    block_id: Optional[int]


def _reaches(actor: Actor, level: Optional[str], place: Placement) -> bool:
    if level == LEVEL_DISTRICT:
        return True
    if level == LEVEL_BLOCK:
        return place.block_id is not None and place.block_id == actor.scope_block_id
    if level == LEVEL_UNIT:
        return place.unit_id is not None and place.unit_id == actor.unit_id
    return False


def reaches(actor: Actor, place: Placement, manage: bool = True) -> bool:
    """Is ``place`` within the actor's reach (to administer, or with ``manage=False`` to see)?"""
    return _reaches(actor, actor.manage_level if manage else actor.level, place)


def can_see_unit(actor: Actor, place: Placement) -> bool:
    """May the actor see the people and departments of this unit?"""
    return _reaches(actor, actor.level, place)


def can_manage_unit(actor: Actor, place: Placement) -> bool:
    """May the actor add, edit or delete people and departments of this unit?"""
    return _reaches(actor, actor.manage_level, place)


@dataclass(frozen=True)
class PersonFacts:
    """A person as scope rules see them (before or after an edit)."""

    id: Optional[int]
    place: Placement
    roles: frozenset[str] = field(default_factory=frozenset)
    managed_block_id: Optional[int] = None

    @property
    def is_privileged(self) -> bool:
        """A district admin or a block admin (by role, or by the block they administer)."""
        return bool(self.roles & PRIVILEGED_ROLES) or self.managed_block_id is not None


# Fields whose change alters a person's rights: nobody but a district admin edits their own.
RIGHTS_FIELDS = ("unit", "department", "roles", "managed_block")


def check_person_change(actor: Actor, before: Optional[PersonFacts], after: Optional[PersonFacts]) -> list[str]:
    """Vietnamese reasons why ``actor`` may not turn ``before`` into ``after``; empty when allowed.

    ``before`` None is a creation, ``after`` None a deletion. The one rule for every path: a person
    without a unit is within reach of the district admin only; district and block admins are changed by
    a district admin only (or edit their own contact details); nobody changes their own rights.
    """
    require_actor(actor)
    problems: list[str] = []
    if actor.manage_level is None:
        return ["Bạn không có quyền quản lý tài khoản."]
    if actor.is_admin:
        if before is not None and after is None and before.id == actor.id:
            problems.append("Không thể tự xóa tài khoản của chính mình.")
        return problems
    if before is not None:
        if not can_manage_unit(actor, before.place):
            return ["Người này không thuộc phạm vi bạn quản lý."]
        if before.is_privileged and before.id != actor.id:
            return [f"Chỉ {root.current().admin} mới được sửa tài khoản quản trị khối hoặc {root.current().admin}."]
    if after is not None:
        if not can_manage_unit(actor, after.place):
            problems.append("Không thể đưa người vào đơn vị ngoài phạm vi bạn quản lý.")
        granted = after.roles - (before.roles if before else frozenset())
        if granted & PRIVILEGED_ROLES or (
            after.managed_block_id is not None and (before is None or before.managed_block_id != after.managed_block_id)
        ):
            problems.append(f"Chỉ {root.current().admin} mới được cấp quyền quản trị khối hoặc {root.current().admin}.")
    if before is not None and before.id == actor.id:
        if after is None:
            problems.append("Không thể tự xóa tài khoản của chính mình.")
        elif after.roles != before.roles or after.place != before.place or after.managed_block_id != before.managed_block_id:
            problems.append("Bạn không thể tự thay đổi đơn vị hoặc quyền của chính mình.")
    return problems
