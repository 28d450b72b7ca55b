"""API tokens (Flask-JWT-Extended, through FAB's ``/api/v1/security/…``) on server-side sessions.

``/login`` goes through the same sign-in as the screens (throttle, lock after wrong passwords, change
windows) and opens an API session row. Both tokens carry its id (``sid``) and the account's session
version (``sv``); every use loads the row and the account in one query, so a token dies with a sign-out
(``/logout``), a reset, a lock or a password change, and refresh tokens live no longer than the session
(``JWT_REFRESH_HOURS``). Access tokens last ``JWT_ACCESS_MINUTES``, measured on the app's clock (the
``until`` claim) as well as by the token's own ``exp``. An account that must change its one-time
password gets a 403, not data. Every error is JSON ``{code, message}`` in Vietnamese.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from flask import g, jsonify, request
from flask_appbuilder.security.api import SecurityApi as FabSecurityApi
from flask_appbuilder.views import expose
from flask_jwt_extended import create_access_token, create_refresh_token, get_current_user, jwt_required

from app.domain import sessions as session_rules
from app.domain.errors import DomainError, PermissionDenied, ValidationError
from app.services import audit, clock, sessions
from app.services.accounts import INVALID_LOGIN
from app.services.uow import unit_of_work
from app.settings import settings

Unauthenticated = session_rules.Unauthenticated


def configure(app) -> None:
    """JWT settings from the checked settings: lifetimes, and a signing key of its own (≥ 32 bytes)."""
    s = settings()
    secret = str(app.config.get("SECRET_KEY") or "")
    app.config.setdefault("JWT_SECRET_KEY", hmac.new(secret.encode(), b"api-tokens", hashlib.sha256).hexdigest())
    app.config["JWT_ACCESS_TOKEN_EXPIRES"] = dt.timedelta(minutes=s.jwt_access_minutes)
    app.config["JWT_REFRESH_TOKEN_EXPIRES"] = dt.timedelta(hours=s.jwt_refresh_hours)
    app.config["JWT_TOKEN_LOCATION"] = ["headers"]


def api_error(exc: DomainError):
    """A refusal as the API answers it: JSON ``{code, message[, field]}`` with the error's status."""
    response = jsonify(exc.as_dict())
    response.status_code = exc.http_status
    if exc.http_status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    retry = getattr(exc, "retry_after_seconds", None)
    if retry:
        response.headers["Retry-After"] = str(int(retry))
    return response


NO_TOKEN = ("unauthenticated", "Cần đăng nhập: gửi mã truy cập trong tiêu đề “Authorization: Bearer <mã>” "
            "(lấy mã tại /api/v1/security/login).")
BAD_TOKEN = ("invalid_token", "Mã truy cập không hợp lệ.")
WRONG_KIND = ("invalid_token", "Sai loại mã: dùng mã truy cập (access token) để gọi API và mã làm mới (refresh token) "
              "để lấy mã truy cập mới.")


def install_error_callbacks(jwt_manager) -> None:
    """Every refusal of Flask-JWT-Extended in Vietnamese JSON."""

    jwt_manager.unauthorized_loader(lambda reason: api_error(Unauthenticated(*NO_TOKEN)))
    # WrongTokenError says "Only refresh tokens are allowed" / "Only non-refresh tokens are allowed".
    jwt_manager.invalid_token_loader(
        lambda reason: api_error(Unauthenticated(*(WRONG_KIND if str(reason).startswith("Only ") else BAD_TOKEN))))
    jwt_manager.expired_token_loader(
        lambda header, data: api_error(Unauthenticated(*(session_rules.SESSION_EXPIRED if data.get("type") == "refresh"
                                                         else session_rules.TOKEN_EXPIRED))))
    jwt_manager.revoked_token_loader(lambda header, data: api_error(Unauthenticated(*session_rules.SESSION_ENDED)))
    jwt_manager.needs_fresh_token_loader(
        lambda header, data: api_error(Unauthenticated("fresh_token_required", "Thao tác này cần đăng nhập lại.")))
    jwt_manager.token_verification_failed_loader(lambda header, data: api_error(Unauthenticated(*BAD_TOKEN)))
    jwt_manager.user_lookup_error_loader(
        lambda header, data: api_error(g.pop("jwt_refusal", None) or Unauthenticated(*session_rules.SESSION_ENDED)))


def check(db_session, data: dict):
    """(person, row, None) when a token's session stands, else (None, None, refusal)."""
    try:
        user_id = int(data.get("sub"))
    except (TypeError, ValueError):
        return None, None, Unauthenticated(*BAD_TOKEN)
    row, person, refusal = sessions.load_api(db_session, data.get("sid"), user_id, data.get("sv"))
    if refusal is None and data.get("type") == "access":
        until = data.get("until")
        if not isinstance(until, int) or clock.now().timestamp() >= until:
            refusal = Unauthenticated(*session_rules.TOKEN_EXPIRED)
    if refusal is not None:
        return None, None, refusal
    return person, row, None


def issue(person, row, refresh: bool, fresh: bool = True) -> dict:
    """The tokens of an API session: an access token, and a refresh token that ends with the session."""
    now = clock.now()
    minutes = settings().jwt_access_minutes
    claims = {"sid": row.id, "sv": row.session_version}
    out = {
        "access_token": create_access_token(
            identity=str(person.id), fresh=fresh,
            additional_claims={**claims, "until": int((now + dt.timedelta(minutes=minutes)).timestamp())},
            expires_delta=dt.timedelta(minutes=minutes)),
        "expires_in": minutes * 60,
    }
    if refresh:
        out["refresh_token"] = create_refresh_token(
            identity=str(person.id), additional_claims=claims,
            expires_delta=max(row.expires_at - now, dt.timedelta(seconds=1)))
    return out


class SecurityApi(FabSecurityApi):
    """FAB's security API (same name, same endpoints) on the district's sign-in and sessions."""

    @expose("/login", methods=["POST"])
    def login(self):
        """Sign in with ``{"username", "password", "refresh": true}``; answers the tokens."""
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return api_error(ValidationError("invalid_request", 'Nội dung yêu cầu phải là JSON: {"username": "…", '
                                             '"password": "…", "refresh": true}.'))
        username, password = payload.get("username"), payload.get("password")
        if not isinstance(username, str) or not isinstance(password, str) or not username.strip() or not password:
            return api_error(ValidationError("invalid_request", "Cần có tên đăng nhập (username) và mật khẩu (password).",
                                             "username"))
        if payload.get("provider", "db") != "db":
            return api_error(ValidationError("invalid_request", 'Chỉ hỗ trợ đăng nhập bằng mật khẩu (provider "db").',
                                             "provider"))
        sm = self.appbuilder.sm
        person = sm.auth_user_db(username, password)
        if person is None:
            refusal = g.pop("login_refusal", None) or Unauthenticated(*INVALID_LOGIN)
            return api_error(refusal)
        if person.must_change_password:
            with unit_of_work(sm.session):
                audit.record(sm.session, "access_denied", actor=person, target=person,
                             detail={"ly_do": "must_change_password", "nguon": "api"})
            return api_error(PermissionDenied(*session_rules.MUST_CHANGE_API))
        with unit_of_work(sm.session):
            row, _ = sessions.open_session(sm.session, person, session_rules.API)
        return jsonify(issue(person, row, refresh=bool(payload.get("refresh"))))

    @expose("/refresh", methods=["POST"])
    @jwt_required(refresh=True)
    def refresh(self):
        """A new access token for a refresh token whose session still stands."""
        return jsonify(issue(get_current_user(), g.auth_session, refresh=False, fresh=False))

    @expose("/logout", methods=["POST"])
    @jwt_required(verify_type=False)
    def logout(self):
        """End the API session: its access and refresh tokens stop working."""
        sm = self.appbuilder.sm
        person = get_current_user()
        with unit_of_work(sm.session):
            sessions.revoke(sm.session, g.auth_session, "logout")
            audit.record(sm.session, "logout", actor=person, target=person, detail={"nguon": "api"})
        return jsonify({"code": "signed_out",
                        "message": "Đã đăng xuất: mã truy cập và mã làm mới của phiên này không còn dùng được."})
