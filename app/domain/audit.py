"""Audit actions as data: code → Vietnamese label, and how the log names who acted."""
from __future__ import annotations

from typing import Optional

ACTION_LABELS: dict[str, str] = {
    "login_ok": "Đăng nhập thành công",
    "login_failed": "Đăng nhập thất bại",
    "login_refused_locked": "Đăng nhập bị từ chối (tài khoản bị khóa)",
    "logout": "Đăng xuất",
    "account_locked": "Khóa tài khoản",
    "account_unlocked": "Mở khóa tài khoản",
    "password_reset": "Cấp lại mật khẩu",
    "password_changed": "Đổi mật khẩu",
    "password_change_failed": "Đổi mật khẩu không thành công",
    "role_changed": "Thay đổi vai trò",
    "user_created": "Tạo tài khoản",
    "user_updated": "Sửa thông tin tài khoản",
    "user_deleted": "Xóa tài khoản",
    # Org events name the kind of node (below); these are for rows that do not record it.
    "org_created": "Tạo đơn vị, phòng ban",
    "org_updated": "Sửa đơn vị, phòng ban",
    "org_deleted": "Xóa đơn vị, phòng ban",
    "import_mau01": "Nhập Mẫu 01",
    "access_denied": "Truy cập bị từ chối",
}

# (action, target kind) → label: "Tạo phòng ban" for a department, not "Tạo đơn vị".
KIND_ACTION_LABELS: dict[tuple[str, str], str] = {
    (f"org_{verb}", kind): f"{verb_label} {kind_label}"
    for verb, verb_label in (("created", "Tạo"), ("updated", "Sửa"), ("deleted", "Xóa"))
    for kind, kind_label in (("district", "đơn vị gốc"), ("block", "khối"), ("unit", "đơn vị"), ("department", "phòng ban"))
}

CLI_ADDRESS = "cli"  # the ``ip`` of rows written by a command (services.audit.client_address)
CLI_ACTOR = "Hệ thống (dòng lệnh)"
AUTOMATIC_ACTOR = "Hệ thống (tự động)"


def action_label(action: str, target_type: Optional[str] = None) -> str:
    """The Vietnamese label of an audit action; org events by the kind of node they concern."""
    return KIND_ACTION_LABELS.get((action, target_type or "")) or ACTION_LABELS.get(action, action)


def actor_label(actor_name: Optional[str], actor_id: Optional[int], ip: Optional[str]) -> str:
    """Who acted, as the log shows it: the person, the command line, or the system on its own.

    A row with a name keeps it (even when the account is gone: ``actor_id`` is then NULL).
    """
    if actor_name:
        return actor_name
    if ip == CLI_ADDRESS:
        return CLI_ACTOR
    if actor_id is None:
        return AUTOMATIC_ACTOR
    return ""


# The monthly evaluation (issue 8).
ACTION_LABELS.update({
    "rule_set_created": "Tạo bộ tiêu chí",
    "period_opened": "Mở kỳ đánh giá",
    "period_closed": "Khóa kỳ đánh giá",
    "period_updated": "Sửa kỳ đánh giá",
    "period_extended": "Gia hạn kỳ đánh giá cho đơn vị",
    "sheets_auto_forwarded": "Chuyển phiếu quá hạn tự đánh giá",
})

# Sheet transitions (services.evaluation.sheets): "sheet_<action>", labelled as the sheet's history reads.
from app.domain.evaluation.workflow import EVENT_LABELS as _SHEET_EVENTS  # noqa: E402

ACTION_LABELS.update({f"sheet_{action}": f"Phiếu đánh giá: {label}" for action, label in _SHEET_EVENTS.items()})
ACTION_LABELS["sheet_quota_override"] = "Xếp loại vượt chỉ tiêu (có lý do)"

# Synthesis (issue 10): a person's feedback on a closed period's result and the evaluator's answer.
ACTION_LABELS.update({
    "feedback_sent": "Gửi kiến nghị về kết quả đánh giá",
    "feedback_answered": "Trả lời kiến nghị về kết quả đánh giá",
})
