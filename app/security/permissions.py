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

# Own account: profile page and the change-password form (with the password policy).
SELF_SERVICE = {
    "UserDBModelView": ("can_userinfo",),
    "Account": ("can_password",),
}

# FAB's own screens that change accounts around the lifecycle and scope rules: nobody gets them,
# the district admin included (people are managed on the Staff screen, passwords on Account).
WITHHELD = {
    ("can_add", "UserDBModelView"),
    ("can_edit", "UserDBModelView"),
    ("can_delete", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),  # action buttons leading to the screens below
    ("resetpasswords", "UserDBModelView"),
    ("userinfoedit", "UserDBModelView"),
    ("can_this_form_get", "ResetPasswordView"),
    ("can_this_form_post", "ResetPasswordView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
}

UNIT_READ = {
    "Units": READ,
    "Departments": READ,
    "Staff": READ,
    "StaffApi": API_READ,
    "OrgApi": API_READ,
}

# What block and unit admins share: managing people, departments and imports within their scope.
PEOPLE_ADMIN = {
    "Departments": WRITE,
    "Staff": WRITE + ("can_reset_password", "can_lock"),
    "StaffApi": API_READ,
    "OrgApi": API_READ,
    "AuditLog": READ + ("can_export",),
    "Mau01": MAU01,
}

# The evaluation API: every signed-in person (everybody holds ``staff``); which sheet is decided by the
# services from ids. The period API (PeriodApi) is the district admin's (Admin holds every permission).
EVALUATION_API = {
    "SheetApi": ("can_read", "can_write"),
    "OpenApi": ("can_get",),  # /api/v1/_openapi: the description, no data
    "SwaggerView": ("can_show",),  # /swagger/v1
}

ROLE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    BLOCK_ADMIN: {**PEOPLE_ADMIN, "Blocks": READ, "Units": WRITE},
    UNIT_ADMIN: {**PEOPLE_ADMIN, "Units": READ},
    LEADER: UNIT_READ,
    DEPARTMENT_HEAD: UNIT_READ,
    SYNTHESIS: UNIT_READ,
    STAFF: {**SELF_SERVICE, **EVALUATION_API},
}


# Menu entries a role sees, derived from the views it may use. Menu names differ from permission
# names: FAB prunes permissions of a view name that its view does not declare.
MENU_OF_VIEW = {
    "Blocks": ("Organisation", "Blocks list"),
    "Units": ("Organisation", "Units list"),
    "Departments": ("Organisation", "Departments list"),
    "Staff": ("Organisation", "Staff list"),
    "AuditLog": ("Security", "Audit log"),
    "Mau01": ("Organisation", "Mau01 import"),
    "Account": ("Security", "Change password"),
}


def grants_for(role_name: str) -> set[tuple[str, str]]:
    """(permission, view) pairs granted to a role, menus included."""
    pairs: set[tuple[str, str]] = set()
    for view, perms in ROLE_GRANTS.get(role_name, {}).items():
        pairs.update((perm, view) for perm in perms)
        if view in MENU_OF_VIEW and {"can_list", "can_upload", "can_password"} & set(perms):
            pairs.update(("menu_access", menu) for menu in MENU_OF_VIEW[view])
    return pairs
