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
MAU01 = ("can_template", "can_upload", "can_confirm", "can_credentials", "can_errors", "can_export")

# Own account: profile page and the change-password form (with the password policy).
SELF_SERVICE = {
    "UserDBModelView": ("can_userinfo",),
    "Account": ("can_password",),
}

# FAB's own screens that change accounts around the lifecycle and scope rules: nobody gets them,
# the district admin included (people are managed on the Staff screen, passwords on Account).
WITHHELD_PAIRS = frozenset({
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
})

# FAB's developer screens (raw permission strings, menus, views, user statistics, FAB's user and
# role lists): replaced by the read-only "Vai trò và quyền" page (views/roles.py) and the Staff
# screen. Every permission on them is withheld but the profile page FAB links from the navbar.
FAB_SCREENS = frozenset({
    "UserDBModelView", "RoleModelView", "UserGroupModelView", "PermissionModelView", "ViewMenuModelView",
    "PermissionViewModelView", "UserStatsChartView", "RegisterUserModelView",
})
FAB_MENUS = frozenset({
    "List Users", "List Roles", "List Groups", "User's Statistics", "User Registrations", "Base Permissions",
    "Views/Menus", "Permission on Views/Menus",
})
KEPT_FAB = frozenset({("can_userinfo", "UserDBModelView")})
# FAB's ``/<view>/download/<filename>`` on every ModelView serves UPLOAD_FOLDER, which this app does
# not have (a KeyError, 500): nobody gets it.
WITHHELD_PERMISSIONS = frozenset({"can_download"})


class Withheld:
    """The permissions nobody holds, the district admin included: ``(permission, view) in WITHHELD``.

    A rule rather than a list, so a FAB screen's permission added by a FAB upgrade is withheld too.
    """

    def __contains__(self, pair) -> bool:
        permission, view = pair
        if pair in WITHHELD_PAIRS or permission in WITHHELD_PERMISSIONS:
            return True
        if view in FAB_SCREENS:
            return pair not in KEPT_FAB
        return permission == "menu_access" and view in FAB_MENUS


WITHHELD = Withheld()

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

# The evaluation screens (app/views/evaluation.py). ``Sheet``: everybody (which sheet: the services, by id);
# ``SheetReview``: those who read other people's sheets (the rows: ``sheet_clause``). ``Periods`` and
# ``RuleSets`` (app/views/evaluation_admin.py) are the district admin's: Admin holds every permission.
EVALUATION_SCREENS = {"Sheet": ("can_show", "can_edit", "can_list")}
REVIEW_SCREEN = {"SheetReview": ("can_list",)}

# Work plans and tasks (issue 9): every signed-in person plans and follows up; which person or task is
# decided by services.tasks from ids. The product catalogue: unit and block admins (Admin holds everything).
TASKS = {
    "Tasks": ("can_read", "can_write"),
    "TaskApi": ("can_read", "can_write"),
}
TASK_CATALOGUE = {"TaskCatalogue": ("can_read", "can_manage")}

# Rollout (issue 11): the activation follow-up is the block admin's (and the district admin's, who holds
# every permission); the staff list export rides on the Mẫu 01 screens; the guides are public.
ROLLOUT_BLOCK = {"Activation": ("can_list", "can_export"), "UnitMerge": ("can_list", "can_merge")}
# The menu entry "Trợ giúp → Hướng dẫn sử dụng" for everybody, signed in (every person holds ``staff``) or not
# (FAB's Public role): the guide pages themselves are public.
GUIDE_MENU = {"Help": ("menu_access",), "User guides": ("menu_access",)}
PUBLIC_GRANTS = frozenset(("menu_access", menu) for menu in GUIDE_MENU)

# Synthesis (issue 10): the follow-up board, summaries, roll-ups, exports and charts, within the reach rule
# (the district admin everything, a block admin the block, a unit's synthesis person, leader or admin their
# unit); a person's own results, feedback and notices: everybody.
SYNTHESIS_SCREENS = {"Synthesis": ("can_list", "can_export")}
MY_RESULTS = {"Results": ("can_list", "can_show", "can_feedback", "can_answer"), "Notices": ("can_list",)}

ROLE_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    BLOCK_ADMIN: {**PEOPLE_ADMIN, "Blocks": READ, "Units": WRITE, **REVIEW_SCREEN, **TASK_CATALOGUE, **ROLLOUT_BLOCK,
                  **SYNTHESIS_SCREENS},
    UNIT_ADMIN: {**PEOPLE_ADMIN, "Units": READ, **REVIEW_SCREEN, **TASK_CATALOGUE, **SYNTHESIS_SCREENS},
    LEADER: {**UNIT_READ, **REVIEW_SCREEN, **SYNTHESIS_SCREENS},
    DEPARTMENT_HEAD: {**UNIT_READ, **REVIEW_SCREEN},
    SYNTHESIS: {**UNIT_READ, **REVIEW_SCREEN, **SYNTHESIS_SCREENS},
    STAFF: {**SELF_SERVICE, **EVALUATION_API, **EVALUATION_SCREENS, **TASKS, **GUIDE_MENU, **MY_RESULTS},
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
    "RolesOverview": ("Security", "Roles overview"),
    "Sheet": ("Evaluation", "Sheet inbox", "Sheet history"),
    "SheetReview": ("Evaluation", "Sheet review"),
    "Periods": ("Evaluation", "Period list"),
    "RuleSets": ("Evaluation", "Rule sets"),
    "Tasks": ("Work", "My plan", "Plan approvals", "Task follow-up"),
    "TaskCatalogue": ("Work", "Task catalogue"),
    "Activation": ("Organisation", "Activation follow-up"),
    "UnitMerge": ("Organisation", "Unit merge"),
    "Synthesis": ("Synthesis", "Follow-up board", "Period summary", "Rollup", "Dashboard"),
    "Results": ("Me", "My results"),
    "Notices": ("Me", "Notices"),
}


def grants_for(role_name: str) -> set[tuple[str, str]]:
    """(permission, view) pairs granted to a role, menus included."""
    pairs: set[tuple[str, str]] = set()
    for view, perms in ROLE_GRANTS.get(role_name, {}).items():
        pairs.update((perm, view) for perm in perms)
        if view in MENU_OF_VIEW and {"can_list", "can_upload", "can_password", "can_read"} & set(perms):
            pairs.update(("menu_access", menu) for menu in MENU_OF_VIEW[view])
    return pairs


# What the tables above mean, in Vietnamese: the "Vai trò và quyền" page reads them.
VIEW_LABELS: dict[str, str] = {
    "Blocks": "Khối",
    "Units": "Đơn vị",
    "Departments": "Phòng, ban",
    "Staff": "Cán bộ, công chức",
    "StaffApi": "API danh sách cán bộ",
    "OrgApi": "API danh sách đơn vị",
    "AuditLog": "Nhật ký hệ thống",
    "Mau01": "Nhập Mẫu 01",
    "Account": "Tài khoản của mình",
    "UserDBModelView": "Hồ sơ của mình",
    "RolesOverview": "Vai trò và quyền",
    "Sheet": "Phiếu đánh giá (của mình, chờ mình xử lý)",
    "SheetReview": "Danh sách phiếu đánh giá",
    "Periods": "Kỳ đánh giá",
    "RuleSets": "Bộ tiêu chí",
    "Tasks": "Kế hoạch công tác, nhiệm vụ",
    "TaskApi": "API nhiệm vụ",
    "TaskCatalogue": "Danh mục sản phẩm (quy đổi)",
    "Activation": "Theo dõi triển khai",
    "UnitMerge": "Gộp đơn vị",
    "Synthesis": "Tổng hợp, theo dõi tiến độ",
    "Results": "Kết quả đánh giá của mình, kiến nghị",
    "Notices": "Thông báo",
}
PERMISSION_LABELS: dict[str, str] = {
    "can_list": "xem danh sách",
    "can_show": "xem chi tiết",
    "can_add": "thêm",
    "can_edit": "sửa",
    "can_delete": "xóa",
    "can_get": "đọc",
    "can_export": "xuất Excel",
    "can_reset_password": "cấp lại mật khẩu (mở khóa)",
    "can_lock": "khóa tài khoản",
    "can_template": "tải mẫu",
    "can_upload": "tải lên và xem trước",
    "can_confirm": "xác nhận nhập",
    "can_credentials": "tải bảng mật khẩu",
    "can_errors": "tải tệp lỗi",
    "can_password": "đổi mật khẩu",
    "can_userinfo": "xem hồ sơ",
    "can_open": "mở kỳ",
    "can_close": "khóa kỳ",
    "can_read": "xem",
    "can_write": "cập nhật",
    "can_manage": "quản lý",
    "can_merge": "gộp đơn vị",
    "can_feedback": "gửi kiến nghị",
    "can_answer": "trả lời kiến nghị",
}


def describe(pairs) -> list[tuple[str, list[str]]]:
    """(view label, [permission labels]) for the pairs people can read, in the order of VIEW_LABELS.

    FAB's menu entries and internals (no label here) are left out.
    """
    by_view: dict[str, list[str]] = {}
    for permission, view in pairs:
        if view in VIEW_LABELS and permission in PERMISSION_LABELS:
            by_view.setdefault(view, []).append(permission)
    order = list(PERMISSION_LABELS)
    return [
        (VIEW_LABELS[view], [PERMISSION_LABELS[p] for p in sorted(by_view[view], key=order.index)])
        for view in VIEW_LABELS if view in by_view
    ]
