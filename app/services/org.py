"""Changing the org tree: creation, edits, moves and deletion, with the tree rules enforced."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import func, select, update

from app.domain.root import current as root
from app.domain.errors import PermissionDenied, ValidationError
from app.domain.org import check_no_cycle, check_parent
from app.domain.scope import Actor, Placement, can_manage_unit, require_actor
from app.domain.text import fold, normalize_text
from app.models import OrgUnit, Sheet, Staff
from app.services import audit
from app.services.reach import node_place_before, ref_now


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


def _who(actor: Actor, actor_user):
    return actor_user if actor_user is not None else actor


def _check_manage(actor: Actor, node: OrgUnit, parent: Optional[OrgUnit]) -> None:
    """Admins only manage the nodes in their scope; unit admins only their unit's departments."""
    if actor.is_admin:
        return
    if node.kind in ("district", "block"):
        raise PermissionDenied("scope", f"Chỉ {root().admin} mới được thay đổi khối.")
    if node.kind == "unit":
        place = Placement(node.id, parent.id if parent else None)
        if actor.manage_level != "block" or not can_manage_unit(actor, place):
            raise PermissionDenied("scope", "Bạn không có quyền thay đổi đơn vị này.", "parent")
        return
    place = Placement(parent.unit_id if parent else None, parent.block_id if parent else None)
    if not can_manage_unit(actor, place):
        raise PermissionDenied("scope", "Phòng, ban phải thuộc đơn vị trong phạm vi bạn quản lý.", "parent")


def validate(session, node: OrgUnit, actor: Actor) -> None:
    """Check a new or edited node against the tree rules and the actor's scope; derive its links.

    An edited node is judged where it sat before the edit (its stored links: the actor must manage
    that too) and where the edit puts it. The parent is what the form chose: the empty option
    (``__None``) is a node without a parent, refused by the tree rules, never the stored parent.
    Raises a DomainError; stages nothing else.
    """
    require_actor(actor)
    with session.no_autoflush:
        before = node_place_before(node)
        parent = ref_now(session, node, "parent", "parent_id")
    node.name = normalize_text(node.name)
    if not node.name:
        raise ValidationError("required", "Tên không được để trống.", "name")
    node.name_key = fold(node.name)
    if not actor.is_admin and before is not None and not can_manage_unit(actor, before):
        raise PermissionDenied("scope", "Bạn không có quyền thay đổi mục này.")
    check_parent(node.kind, parent.kind if parent is not None else None)
    check_no_cycle(node.id, parent.id if parent is not None else None, lambda i: session.get(OrgUnit, i).parent_id)
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
        raise ValidationError("duplicate_name", f"Đã có “{node.name}” trong {parent.name if parent else 'cây tổ chức'}.", "name")
    _derive_links(node, parent)


def save(session, node: OrgUnit, actor: Actor, actor_user=None) -> OrgUnit:
    """Validate a new or edited node, stage it with its links and the nodes below it, and log: one unit of work."""
    created = node.id is None
    validate(session, node, actor)
    session.add(node)
    session.flush()  # a new block or unit points at itself: it needs its id
    if node.kind == "block":
        node.block_id = node.id
    if node.kind == "unit":
        node.unit_id = node.id
    _propagate(session, node)
    audit.record(session, "org_created" if created else "org_updated", actor=_who(actor, actor_user), target=node)
    session.flush()
    return node


def create(session, name: str, kind: str, parent: Optional[OrgUnit], unit_type: Optional[str] = None, *,
           actor: Actor, actor_user=None) -> OrgUnit:
    """Stage one new node."""
    node = OrgUnit(name=name, kind=kind, parent=parent, parent_id=parent.id if parent else None, unit_type=unit_type)
    return save(session, node, actor, actor_user)


def managed_units(session, actor: Actor) -> list[OrgUnit]:
    """The units in use (a merged unit is kept for history only) whose people the actor manages, by name."""
    from app.security.scope import org_clause

    return list(session.scalars(
        select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.merged_into_id.is_(None),
                              org_clause(actor, "unit", manage=True)).order_by(OrgUnit.name_key)))


def check_delete(session, node: OrgUnit, actor: Actor, actor_user=None) -> None:
    """Refuse to delete a node that still has people or nodes under it; stage the audit row."""
    require_actor(actor)
    if not actor.is_admin:
        before = node_place_before(node)
        if before is not None and not can_manage_unit(actor, before):
            raise PermissionDenied("scope", "Bạn không có quyền thay đổi mục này.")
        _check_manage(actor, node, node.parent)
    people = session.scalar(
        select(func.count(Staff.id)).where((Staff.unit_id == node.id) | (Staff.department_id == node.id))
    )
    if people:
        raise ValidationError("not_empty", f"Không thể xóa “{node.name}”: còn {people} người thuộc đơn vị này. Hãy chuyển hoặc xóa họ trước.")
    sheets = session.scalar(
        select(func.count(Sheet.id)).where((Sheet.unit_id == node.id) | (Sheet.department_id == node.id))
    )
    if sheets:
        raise ValidationError("has_sheets", f"Không thể xóa “{node.name}”: còn {sheets} phiếu đánh giá của các kỳ đã qua "
                              "gắn với đơn vị này; kết quả cũ phải xem được theo nơi chúng được chấm.")
    children = session.scalar(select(func.count(OrgUnit.id)).where(OrgUnit.parent_id == node.id))
    if children:
        raise ValidationError("not_empty", f"Không thể xóa “{node.name}”: còn {children} đơn vị, phòng ban trực thuộc.")
    session.execute(update(Staff).where(Staff.managed_block_id == node.id).values(managed_block_id=None))
    audit.record(session, "org_deleted", actor=_who(actor, actor_user), target=node.name,
                 unit_id=node.unit_id if node.kind == "department" else None, target_kind=node.kind)


def ensure_district(session, name: str) -> OrgUnit:
    """The root node of the tree, created on first setup and renamed when ORG_NAME changes; staged."""
    root = session.scalar(select(OrgUnit).where(OrgUnit.kind == "district"))
    if root is None:
        root = OrgUnit(name=name, name_key=fold(name), kind="district")
        session.add(root)
    elif root.name != name:
        root.name, root.name_key = name, fold(name)
    session.flush()
    return root
