"""Which units a synthesis screen, export or command covers: the actor's reach, narrowed by a unit or block."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select

from app.domain.errors import OutOfReach, PermissionDenied, ValidationError
from app.domain.scope import LEVEL_SELF, Actor, require_actor
from app.domain.text import fold
from app.models import OrgUnit
from app.security.scope import org_clause

NO_REACH = ("no_reach", "Bạn không theo dõi đơn vị nào.")
UNIT_NOT_FOUND = "Không tìm thấy đơn vị trong phạm vi của bạn."
BLOCK_NOT_FOUND = "Không tìm thấy khối trong phạm vi của bạn."


@dataclass(frozen=True)
class Scope:
    """The units covered, and what the title says (the unit, the block or the whole organisation)."""

    unit_ids: tuple[int, ...]
    level: str  # unit | block | org
    unit_id: Optional[int] = None
    block_id: Optional[int] = None
    name: str = ""
    everything: bool = False  # the whole organisation for the district admin: no IN list needed

    def sheet_filter(self, column):
        """``column`` (a unit id column) within the scope."""
        from sqlalchemy import true

        return true() if self.everything else column.in_(self.unit_ids or (-1,))


def _int(value: Any, field: str, message: str) -> Optional[int]:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError("bad_id", message, field) from None
    if not 0 < number < 2**31:
        raise OutOfReach("not_found", message, field)
    return number


def scope_of(session, actor: Actor, unit_id: Any = None, block_id: Any = None, org_name: str = "") -> Scope:
    """The units the actor follows, narrowed to one unit or one block (ids); OutOfReach outside reach."""
    require_actor(actor)
    if actor.level == LEVEL_SELF:
        raise PermissionDenied(*NO_REACH)
    unit_id = _int(unit_id, "unit", UNIT_NOT_FOUND)
    block_id = _int(block_id, "block", BLOCK_NOT_FOUND)
    q = select(OrgUnit.id, OrgUnit.name, OrgUnit.block_id).where(OrgUnit.kind == "unit", org_clause(actor, "unit"))
    if unit_id is not None:
        hit = session.execute(q.where(OrgUnit.id == unit_id)).first()
        if hit is None:
            raise OutOfReach("not_found", UNIT_NOT_FOUND, "unit")
        return Scope((unit_id,), "unit", unit_id=unit_id, block_id=hit.block_id, name=hit.name)
    if block_id is not None:
        name = session.scalar(select(OrgUnit.name).where(OrgUnit.id == block_id, OrgUnit.kind == "block"))
        ids = tuple(session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.block_id == block_id,
                                                              org_clause(actor, "unit")))) if name is not None else ()
        if name is None or (not ids and not actor.is_admin):
            raise OutOfReach("not_found", BLOCK_NOT_FOUND, "block")
        return Scope(ids, "block", block_id=block_id, name=name)
    if actor.is_admin:  # the whole organisation: no list of ids needed
        return Scope((), "org", name=org_name, everything=True)
    rows = session.execute(q).all()
    if len(rows) == 1:
        r = rows[0]
        return Scope((r.id,), "unit", unit_id=r.id, block_id=r.block_id, name=r.name)
    return Scope(tuple(r.id for r in rows), "org", name=org_name)


MAX_PAGE = 100_000


def paging(page: Any = 0, page_size: Any = 100) -> tuple[int, int]:
    """``evaluation.inbox.paging`` with a last page, so an offset always fits the database's integers."""
    from app.services.evaluation.inbox import paging as base

    p, n = base(page, page_size)
    if p > MAX_PAGE:
        raise ValidationError("bad_page", f"Số trang từ 0 đến {MAX_PAGE}.", "page")
    return p, n


def resolve_name(session, kind: str, name: str) -> int:
    """The id of the block or unit named ``name`` (case, accents and spaces ignored); refused when none or several."""
    word = "khối" if kind == "block" else "đơn vị"
    ids = list(session.scalars(select(OrgUnit.id).where(OrgUnit.kind == kind, OrgUnit.name_key == fold(name))))
    if len(ids) == 1:
        return ids[0]
    if ids:
        raise ValidationError(f"ambiguous_{kind}", f"Có {len(ids)} {word} cùng tên “{name}”; không biết chọn {word} nào.", kind)
    raise ValidationError(f"unknown_{kind}", f"Không có {word} “{name}”.", kind)


def units_in(session, ids) -> dict[int, tuple[str, Optional[int], str]]:
    """unit id → (name, block id, block name), one query."""
    block = OrgUnit.__table__.alias("blk")
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.block_id, block.c.name)
        .outerjoin(block, block.c.id == OrgUnit.block_id)
        .where(OrgUnit.kind == "unit", OrgUnit.id.in_(list(ids) or [-1]))
    ).all()
    return {r[0]: (r[1], r[2], r[3] or "") for r in rows}


__all__ = ["Scope", "scope_of", "resolve_name", "units_in", "UNIT_NOT_FOUND", "BLOCK_NOT_FOUND"]
