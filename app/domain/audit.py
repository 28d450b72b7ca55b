"""Audit actions as data: code → Vietnamese label."""
from __future__ import annotations

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
    "org_created": "Tạo đơn vị",
    "org_updated": "Sửa đơn vị",
    "org_deleted": "Xóa đơn vị",
    "import_mau01": "Nhập Mẫu 01",
    "access_denied": "Truy cập bị từ chối",
}

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
