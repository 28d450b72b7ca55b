"""What each role may do, declared in one table.

Keys are FAB permission-view names (each view sets ``class_permission_name`` to one of them);
values the permissions granted on it. ``Admin`` holds every permission and is not listed.
``sync_roles`` turns this table into FAB's role rows.
"""
from __future__ import annotations

from app.domain.roles import BLOCK_ADMIN, DEPARTMENT_HEAD, LEADER, STAFF, SYNTHESIS, UNIT_ADMIN

READ = ("can_list", "can_show")
WRITE = READ + ("can_add", "can_edit", "can_delete")
API_READ = ("can_get",)
MAU01 = ("can_template", "can_upload", "can_confirm", "can_credentials", "can_errors")

# Own account: profile page and the change-password form.
SELF_SERVICE = {
    "UserDBModelView": ("can_userinfo",),
    "ResetMyPasswordView": ("can_this_form_get", "can_this_form_post"),
}

UNIT_READ = {
    "Units": READ,
    "Departments": READ,
    "Staff": READ,
    "StaffApi": API_READ,
    "OrgApi": API_READ,
}

ROLE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    BLOCK_ADMIN: {
        "Blocks": READ,
        "Units": WRITE,
        "Departments": WRITE,
        "Staff": WRITE,
        "StaffApi": API_READ,
        "OrgApi": API_READ,
        "AuditLog": READ,
        "Mau01": MAU01,
    },
    UNIT_ADMIN: {
        "Units": READ,
        "Departments": WRITE,
        "Staff": WRITE,
        "StaffApi": API_READ,
        "OrgApi": API_READ,
        "AuditLog": READ,
        "Mau01": MAU01,
    },
    LEADER: UNIT_READ,
    DEPARTMENT_HEAD: UNIT_READ,
    SYNTHESIS: UNIT_READ,
    STAFF: SELF_SERVICE,
}


# Menu entries a role sees: derived from the views it may list.
MENU_OF_VIEW = {
    "Blocks": ("Organisation", "Blocks"),
    "Units": ("Organisation", "Units"),
    "Departments": ("Organisation", "Departments"),
    "Staff": ("Organisation", "Staff"),
    "AuditLog": ("Security", "AuditLog"),
    "Mau01": ("Organisation", "Mau01"),
}


def grants_for(role_name: str) -> set[tuple[str, str]]:
    """(permission, view) pairs granted to a role, menus included."""
    pairs: set[tuple[str, str]] = set()
    for view, perms in ROLE_GRANTS.get(role_name, {}).items():
        pairs.update((perm, view) for perm in perms)
        if view in MENU_OF_VIEW and ("can_list" in perms or "can_upload" in perms):
            pairs.update(("menu_access", menu) for menu in MENU_OF_VIEW[view])
    return pairs
