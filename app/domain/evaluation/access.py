"""Who may see a sheet, and in which sheet-relative roles they act on it (pure; people matched by id).

May SEE a sheet:
- its owner, its commenter and its evaluator (an evaluator outside the unit — district leadership —
  sees the sheets routed to them, across units);
- an admin whose reach covers the sheet's unit (``scope.can_manage_unit``: the district admin, the block
  admin of its block, the unit admin of its unit);
- the unit's leaders and synthesis (``UNIT_SHEET_READERS``), read-only.
Nobody else: a department head sees the sheets routed to them, not the whole unit's.

Services answer a sheet the actor may not see with ``OutOfReach`` (404: never say it exists) and a
visible sheet that is not theirs to act on with ``PermissionDenied`` (403). The SQL form of ``can_see``
is ``app.security.sheet_scope.sheet_clause``; a test checks they agree for every kind of actor.

The sheet's unit is the one copied onto the sheet when the period opened (``Sheet.unit_id``), placed
in its block as the org tree says now.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from app.domain.errors import OutOfReach, PermissionDenied
from app.domain.evaluation import workflow as wf
from app.domain.roles import LEADER, SYNTHESIS
from app.domain.scope import Actor, Placement, can_manage_unit

# Roles that read every sheet of their own unit (the synthesis issue builds its summary on this).
UNIT_SHEET_READERS = frozenset({LEADER, SYNTHESIS})

NOT_FOUND = ("not_found", "Không tìm thấy phiếu đánh giá.")
READ_ONLY = ("read_only", "Bạn chỉ được xem phiếu này, không được thay đổi.")


@dataclass(frozen=True)
class SheetPlace:
    """A sheet as the access rule sees it: whose it is, who it is routed to, where it sits."""

    owner_id: int
    commenter_id: Optional[int]
    evaluator_id: Optional[int]
    place: Placement


def routed_to(actor: Actor, sheet: SheetPlace) -> bool:
    """The actor is the sheet's owner, commenter or evaluator."""
    return actor.id is not None and actor.id in (sheet.owner_id, sheet.commenter_id, sheet.evaluator_id)


def admin_in_scope(actor: Actor, sheet: SheetPlace) -> bool:
    """An admin whose reach covers the sheet's unit (for reopen and reassign)."""
    return actor.manage_level is not None and can_manage_unit(actor, sheet.place)


def unit_reader(actor: Actor, sheet: SheetPlace) -> bool:
    """A leader or synthesis of the sheet's unit."""
    return bool(actor.roles & UNIT_SHEET_READERS) and actor.unit_id is not None and actor.unit_id == sheet.place.unit_id


def can_see(actor: Actor, sheet: SheetPlace) -> bool:
    return routed_to(actor, sheet) or admin_in_scope(actor, sheet) or unit_reader(actor, sheet)


def sheet_roles(actor: Actor, sheet: SheetPlace) -> frozenset[str]:
    """The actor's workflow roles on the sheet (``workflow.sheet_roles``); empty for a read-only viewer."""
    return wf.sheet_roles(actor.id, sheet.owner_id, sheet.commenter_id, sheet.evaluator_id,
                          admin_in_scope=actor.id is not None and admin_in_scope(actor, sheet))


def check_visible(actor: Actor, sheet: Optional[SheetPlace]) -> None:
    """Raise OutOfReach unless the actor may see the sheet (a missing sheet is answered the same)."""
    if sheet is None or not can_see(actor, sheet):
        raise OutOfReach(*NOT_FOUND)


def check_may_act(roles: frozenset[str]) -> None:
    """A visible sheet on which the actor holds no role: read-only (PermissionDenied)."""
    if not roles:
        raise PermissionDenied(*READ_ONLY)


__all__ = [
    "UNIT_SHEET_READERS", "SheetPlace", "routed_to", "admin_in_scope", "unit_reader", "can_see", "sheet_roles",
    "check_visible", "check_may_act", "NOT_FOUND", "READ_ONLY",
]
