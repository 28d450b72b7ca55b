"""Changing the org tree: creation, edits, moves and deletion, with the tree rules enforced."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select, update

from app.domain.org import OrgRuleError, check_no_cycle, check_parent
from app.domain.scope import Actor, Placement, can_manage_unit
from app.domain.text import fold, normalize_text
from app.models import OrgUnit, Staff
from app.services import ServiceError, audit


def _derive_links(node: OrgUnit, parent: Optional[OrgUnit]) -> None:
    """Set the node's block_id and unit_id from its kind and parent."""
    if node.kind == "district":
        node.block_id = node.unit_id = None
    elif node.kind == "block":
        node.block_id, node.unit_id = node.id, None
    elif node.kind == "unit":
        node.block_id, node.unit_id = (parent.id if parent else None), node.id
    else:
        node.block_id = parent.block_id if parent else None
        node.unit_id = parent.unit_id if parent else None


def _propagate(session, node: OrgUnit) -> None:
    """Re-derive the links of every node below ``node`` (after a move)."""
    for child in session.scalars(select(OrgUnit).where(OrgUnit.parent_id == node.id)):
        _derive_links(child, node)
        _propagate(session, child)


def _check_manage(actor: Optional[Actor], node: OrgUnit, parent: Optional[OrgUnit]) -> None:
    """Admins only manage the nodes in their scope; unit admins only their unit's departments."""
    if actor is None or actor.is_admin:
        return
    if node.kind in ("district", "block"):
        raise ServiceError("Chỉ quản trị quận/huyện mới được thay đổi khối.")
    if node.kind == "unit":
        place = Placement(node.id, parent.id if parent else None)
        if actor.manage_level != "block" or not can_manage_unit(actor, place):
            raise ServiceError("Bạn không có quyền thay đổi đơn vị này.")
        return
    place = Placement(parent.unit_id if parent else None, parent.block_id if parent else None)
    if not can_manage_unit(actor, place):
        raise ServiceError("Phòng, ban phải thuộc đơn vị trong phạm vi bạn quản lý.")


def validate(session, node: OrgUnit, actor: Optional[Actor] = None, before: Optional[Placement] = None) -> None:
    """Check a new or edited node against the tree rules and the actor's scope; derive its links.

    ``before`` is where an edited node sat before the edit (the actor must manage that too).
    Raises ServiceError; stages nothing else.
    """
    node.name = normalize_text(node.name)
    if not node.name:
        raise ServiceError("Tên không được để trống.")
    node.name_key = fold(node.name)
    parent = node.parent if node.parent is not None else (session.get(OrgUnit, node.parent_id) if node.parent_id else None)
    try:
        check_parent(node.kind, parent.kind if parent is not None else None)
        check_no_cycle(node.id, parent.id if parent is not None else None, lambda i: session.get(OrgUnit, i).parent_id)
    except OrgRuleError as exc:
        raise ServiceError(str(exc)) from exc
    if actor is not None and not actor.is_admin and before is not None and not can_manage_unit(actor, before):
        raise ServiceError("Bạn không có quyền thay đổi mục này.")
    _check_manage(actor, node, parent)
    with session.no_autoflush:
        clash = session.scalar(
            select(func.count(OrgUnit.id)).where(
                OrgUnit.parent_id == (parent.id if parent else None),
                OrgUnit.name_key == node.name_key,
                OrgUnit.id != (node.id or 0),
            )
        )
    if clash:
        raise ServiceError(f"Đã có “{node.name}” trong {parent.name if parent else 'cây tổ chức'}.")
    _derive_links(node, parent)


def after_save(session, node: OrgUnit, actor_user=None, created: bool = False) -> None:
    """Fix links that need the node's id (a new block or unit points at itself) and log."""
    if node.kind == "block":
        node.block_id = node.id
    if node.kind == "unit":
        node.unit_id = node.id
    _propagate(session, node)
    audit.record(session, "org_created" if created else "org_updated", actor=actor_user, target=node)
    session.commit()


def create(session, name: str, kind: str, parent: Optional[OrgUnit], unit_type: Optional[str] = None, actor: Optional[Actor] = None, actor_user=None) -> OrgUnit:
    """Create one node and commit."""
    node = OrgUnit(name=name, kind=kind, parent=parent, parent_id=parent.id if parent else None, unit_type=unit_type)
    validate(session, node, actor)
    session.add(node)
    session.flush()
    after_save(session, node, actor_user, created=True)
    return node


def check_delete(session, node: OrgUnit, actor: Optional[Actor] = None) -> None:
    """Refuse to delete a node that still has people or nodes under it."""
    if actor is not None and not actor.is_admin:
        _check_manage(actor, node, node.parent)
    people = session.scalar(
        select(func.count(Staff.id)).where((Staff.unit_id == node.id) | (Staff.department_id == node.id))
    )
    if people:
        raise ServiceError(f"Không thể xóa “{node.name}”: còn {people} người thuộc đơn vị này. Hãy chuyển hoặc xóa họ trước.")
    children = session.scalar(select(func.count(OrgUnit.id)).where(OrgUnit.parent_id == node.id))
    if children:
        raise ServiceError(f"Không thể xóa “{node.name}”: còn {children} đơn vị, phòng ban trực thuộc.")
    session.execute(update(Staff).where(Staff.managed_block_id == node.id).values(managed_block_id=None))


def ensure_district(session, name: str) -> OrgUnit:
    """The root node of the tree, created on first setup and renamed when DISTRICT_NAME changes."""
    root = session.scalar(select(OrgUnit).where(OrgUnit.kind == "district"))
    if root is None:
        root = OrgUnit(name=name, name_key=fold(name), kind="district")
        session.add(root)
    elif root.name != name:
        root.name, root.name_key = name, fold(name)
    session.commit()
    return root
