"""Roles of the regime as data: evaluation roles, security roles and how one follows from the other."""
from __future__ import annotations

from dataclasses import dataclass

from app.domain import root


@dataclass(frozen=True)
class EvalRole:
    """An evaluation role as written in column "Vai trò" of Mẫu 01."""

    code: str
    label: str  # a shorter wording people also write in the sheet (accepted on import)
    mau01_text: str  # the exact text of the Mẫu 01 drop-down: what every screen shows


EVAL_ROLES: tuple[EvalRole, ...] = (
    EvalRole("leader", "Lãnh đạo cơ quan, đơn vị", "Lãnh đạo cấp trưởng, phó cơ quan đơn vị"),
    EvalRole("department_head", "Trưởng, phó phòng, ban", "Trưởng, phó các phòng, ban, ngành"),
    EvalRole("staff", "Công chức, viên chức, người lao động", "Công chức, viên chức, lao động hợp đồng"),
    EvalRole("synthesis", "Tổng hợp, tham mưu đánh giá", "Tổng hợp, tham mưu đánh giá"),
)
EVAL_ROLE_BY_CODE: dict[str, EvalRole] = {r.code: r for r in EVAL_ROLES}
EVAL_ROLE_CODES: tuple[str, ...] = tuple(r.code for r in EVAL_ROLES)


@dataclass(frozen=True)
class SecurityRole:
    """A FAB role: its name in the database and the Vietnamese label people read."""

    name: str
    label: str
    scope: str  # "district" | "block" | "unit" | "self": how far the role reaches


ADMIN = "Admin"
BLOCK_ADMIN = "block_admin"
UNIT_ADMIN = "unit_admin"
LEADER = "leader"
DEPARTMENT_HEAD = "department_head"
STAFF = "staff"
SYNTHESIS = "synthesis"

# The roles that follow from an evaluation role carry its Mẫu 01 text, so screens and sheets agree.
SECURITY_ROLES: tuple[SecurityRole, ...] = (
    SecurityRole(ADMIN, "Quản trị cấp gốc", "district"),  # read through role_label: the root's own word
    SecurityRole(BLOCK_ADMIN, "Quản trị khối", "block"),
    SecurityRole(UNIT_ADMIN, "Quản trị đơn vị", "unit"),
    SecurityRole(LEADER, EVAL_ROLE_BY_CODE[LEADER].mau01_text, "unit"),
    SecurityRole(DEPARTMENT_HEAD, EVAL_ROLE_BY_CODE[DEPARTMENT_HEAD].mau01_text, "unit"),
    SecurityRole(STAFF, EVAL_ROLE_BY_CODE[STAFF].mau01_text, "self"),
    SecurityRole(SYNTHESIS, EVAL_ROLE_BY_CODE[SYNTHESIS].mau01_text, "unit"),
)
SECURITY_ROLE_BY_NAME: dict[str, SecurityRole] = {r.name: r for r in SECURITY_ROLES}

SCOPE_LABELS: dict[str, str] = {
    "district": "Toàn đơn vị gốc",  # read through scope_label: "Toàn phường", "Toàn thành phố"
    "block": "Các đơn vị của khối mình quản trị",
    "unit": "Đơn vị của mình",
    "self": "Bản thân",
}

# How a person comes to hold each role (what the "Vai trò và quyền" page tells the district admin).
ROLE_SOURCES: dict[str, str] = {
    ADMIN: "Tạo bằng lệnh create-admin khi cài đặt.",
    BLOCK_ADMIN: "{admin_title} chọn khối ở ô “Quản trị khối” của người đó.",
    UNIT_ADMIN: "Cột “Là quản trị đơn vị” của Mẫu 01 có X (hoặc đánh dấu ô này trên màn hình cán bộ).",
    STAFF: "Mọi người đều có (ai cũng tự đánh giá hằng tháng, kể cả lãnh đạo).",
    **{r.code: f"Cột “Vai trò” của Mẫu 01 ghi “{r.mau01_text}”." for r in EVAL_ROLES if r.code != STAFF},
}


def role_label(name: str) -> str:
    """The Vietnamese label of a security role (the name itself for a role the app does not know)."""
    if name == ADMIN:
        return root.current().admin_title
    role = SECURITY_ROLE_BY_NAME.get(name)
    return role.label if role else name


def scope_label(scope: str) -> str:
    """How far a role reaches, in the root's own words ("Toàn phường")."""
    if scope == "district":
        return root.current().whole_title
    return SCOPE_LABELS.get(scope, "")


def role_source(name: str) -> str:
    """How a person comes to hold a role, in the root's own words."""
    return ROLE_SOURCES.get(name, "").replace("{admin_title}", root.current().admin_title)

# Roles only a district administrator may grant.
PRIVILEGED_ROLES: frozenset[str] = frozenset({ADMIN, BLOCK_ADMIN})


def roles_for(
    eval_role: str | None,
    is_unit_admin: bool = False,
    is_block_admin: bool = False,
    is_district_admin: bool = False,
) -> frozenset[str]:
    """The security roles a person holds, derived from their evaluation role and admin flags.

    Everybody holds ``staff`` (everybody fills their own monthly sheet, leaders included).
    """
    if eval_role is not None and eval_role not in EVAL_ROLE_BY_CODE:
        raise ValueError(f"unknown evaluation role: {eval_role!r}")
    names = {STAFF}
    if eval_role:
        names.add(eval_role)
    if is_unit_admin:
        names.add(UNIT_ADMIN)
    if is_block_admin:
        names.add(BLOCK_ADMIN)
    if is_district_admin:
        names.add(ADMIN)
    return frozenset(names)
