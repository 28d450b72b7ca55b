"""Rules of the org tree: which kind may sit under which, and no cycles."""
from __future__ import annotations

from typing import Callable, Optional

from app.domain import root
from app.domain.errors import ValidationError

KIND_LABELS: dict[str, str] = {
    "district": "Đơn vị gốc",  # read through kind_label: the root's own kind ("Phường", "Sở")
    "block": "Khối",
    "unit": "Đơn vị",
    "department": "Phòng, ban",
}

# kind → kinds its parent may have (departments may nest: tổ inside a phòng).
ALLOWED_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    "district": (),
    "block": ("district",),
    "unit": ("block",),
    "department": ("unit", "department"),
}

UNIT_TYPES: tuple[str, ...] = (
    "Đơn vị hành chính",
    "Đơn vị sự nghiệp",
    "Cơ quan Đảng",
    "Tổ chức chính trị - xã hội",
    "Doanh nghiệp nhà nước",
)


def kind_label(kind: str) -> str:
    """A node kind's label; the root is called by its own kind ("Phường", "Thành phố")."""
    if kind == "district":
        return root.current().kind_title
    return KIND_LABELS.get(kind, kind)


class OrgRuleError(ValidationError):
    """A change to the tree that the rules refuse."""

    default_code = "org_rule"

    def __init__(self, message: str, field: Optional[str] = "parent"):
        super().__init__(None, message, field)


def check_parent(kind: str, parent_kind: Optional[str]) -> None:
    """Raise OrgRuleError unless a node of ``kind`` may sit under a node of ``parent_kind``."""
    if kind not in ALLOWED_PARENT_KINDS:
        raise OrgRuleError(f"Loại đơn vị không hợp lệ: {kind}.")
    allowed = ALLOWED_PARENT_KINDS[kind]
    if not allowed:
        if parent_kind is not None:
            raise OrgRuleError(f"{root.current().kind_title} là gốc của cây tổ chức, không có đơn vị cấp trên.")
        return
    if parent_kind not in allowed:
        wanted = " hoặc ".join(kind_label(k).lower() for k in allowed)
        raise OrgRuleError(f"{kind_label(kind)} phải thuộc một {wanted}.")


def check_no_cycle(node_id: Optional[int], new_parent_id: Optional[int], parent_of: Callable[[int], Optional[int]]) -> None:
    """Raise OrgRuleError if putting ``node_id`` under ``new_parent_id`` closes a cycle.

    ``parent_of`` returns the current parent id of a node (None at the root).
    """
    if node_id is None or new_parent_id is None:
        return
    seen: set[int] = set()
    current: Optional[int] = new_parent_id
    while current is not None:
        if current == node_id:
            raise OrgRuleError("Không thể đặt một đơn vị vào bên trong chính nó hoặc đơn vị cấp dưới của nó.")
        if current in seen:  # a cycle already stored: refuse rather than loop
            raise OrgRuleError(f"Cây tổ chức đang có vòng lặp; hãy liên hệ {root.current().admin}.")
        seen.add(current)
        current = parent_of(current)
