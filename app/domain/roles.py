"""Roles of the regime as data: evaluation roles, security roles and how one follows from the other."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EvalRole:
    """An evaluation role as written in column "Vai trò" of Mẫu 01."""

    code: str
    label: str  # short Vietnamese label for screens
    mau01_text: str  # the exact text of the Mẫu 01 drop-down


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

SECURITY_ROLES: tuple[SecurityRole, ...] = (
    SecurityRole(ADMIN, "Quản trị quận/huyện", "district"),
    SecurityRole(BLOCK_ADMIN, "Quản trị khối", "block"),
    SecurityRole(UNIT_ADMIN, "Quản trị đơn vị", "unit"),
    SecurityRole(LEADER, "Lãnh đạo cơ quan, đơn vị", "unit"),
    SecurityRole(DEPARTMENT_HEAD, "Trưởng, phó phòng, ban", "unit"),
    SecurityRole(STAFF, "Công chức, viên chức, người lao động", "self"),
    SecurityRole(SYNTHESIS, "Tổng hợp, tham mưu đánh giá", "unit"),
)
SECURITY_ROLE_BY_NAME: dict[str, SecurityRole] = {r.name: r for r in SECURITY_ROLES}

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
