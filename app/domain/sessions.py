"""Server-side sessions: when a screen session or an API token still stands.

Every sign-in (screen or API) is one session row. A copied cookie or a token is only as good as its row:
sign-out ends the row; a reset, a lock or a password change moves the account's session version, which
ends every row made before it. Pure rules; the caller loads the row and the account in one query.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from app.domain.errors import DomainError, PermissionDenied

WEB = "web"
API = "api"
KINDS = (WEB, API)

# Why a session ended (kept on the row, shown in the audit detail).
END_REASONS: dict[str, str] = {
    "logout": "Đăng xuất",
    "password_reset": "Cấp lại mật khẩu",
    "password_changed": "Đổi mật khẩu",
    "account_locked": "Khóa tài khoản",
    "signed_out_everywhere": "Đăng xuất khỏi mọi nơi",
}


class Unauthenticated(DomainError):
    """No standing session: sign in (again). HTTP 401."""

    http_status = 401
    default_code = "unauthenticated"


SESSION_ENDED = ("session_ended", "Phiên đăng nhập đã kết thúc (đăng xuất, cấp lại mật khẩu, đổi mật khẩu hoặc khóa "
                 "tài khoản). Vui lòng đăng nhập lại.")
SESSION_EXPIRED = ("session_expired", "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.")
TOKEN_EXPIRED = ("token_expired", "Mã truy cập (access token) đã hết hạn. Hãy lấy mã mới bằng /api/v1/security/refresh "
                 "hoặc đăng nhập lại.")
MUST_CHANGE_API = ("must_change_password", "Tài khoản phải đổi mật khẩu được cấp trước khi dùng hệ thống. Hãy đăng nhập "
                   "trên trình duyệt và đổi mật khẩu tại trang Đổi mật khẩu, rồi lấy mã truy cập mới.")
ACCOUNT_DISABLED = ("account_locked", "Tài khoản đã bị khóa hoặc vô hiệu hóa. Vui lòng liên hệ quản trị viên đơn vị.")


@dataclass(frozen=True)
class SessionFacts:
    """One session row and its account, as the check needs them."""

    user_id: int
    kind: str
    session_version: int
    expires_at: datetime
    revoked_at: Optional[datetime]
    account_active: bool
    account_version: int
    must_change_password: bool


def refusal(facts: Optional[SessionFacts], now: datetime, *, user_id: Optional[int] = None,
            forbid_must_change: bool = False) -> Optional[DomainError]:
    """Why this session no longer stands (a DomainError to answer with), or None when it does.

    ``user_id`` is the account the cookie or token names: a row of another account never stands.
    ``forbid_must_change`` refuses an account that must still change its one-time password (the API:
    the screens instead send it to the change-password page).
    """
    if facts is None or (user_id is not None and facts.user_id != user_id):
        return Unauthenticated(*SESSION_ENDED)
    if facts.revoked_at is not None or facts.session_version != facts.account_version:
        return Unauthenticated(*SESSION_ENDED)
    if now >= facts.expires_at:
        return Unauthenticated(*SESSION_EXPIRED)
    if not facts.account_active:
        return Unauthenticated(*ACCOUNT_DISABLED)
    if forbid_must_change and facts.must_change_password:
        return PermissionDenied(*MUST_CHANGE_API)
    return None
