"""The base of the app's REST resources: Bearer tokens only, one unit of work per call, errors as JSON.

- Authentication: ``Authorization: Bearer <access_token>`` from ``POST /api/v1/security/login``. Browser
  cookies are not accepted (``allow_browser_login = False``): FAB exempts APIs from CSRF, so a cookie
  session must never be able to change a sheet.
- Errors: every ``DomainError`` is answered ``{code, message[, field][, problems]}`` with its status
  (400 bad input, 403 not yours, 404 out of scope or missing, 409 stale or quota). FAB's own refusals
  (``response_401/403/404/…``) are answered the same way, in Vietnamese.
- Transactions: ``call(fn)`` runs the service and builds the answer inside one
  ``services.uow.unit_of_work`` (one commit); a refusal rolls back and keeps its audit rows.
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Callable, Iterable, Optional

from flask import jsonify, make_response, request
from flask_appbuilder.api import BaseApi

from app.api.schemas import COMPONENTS
from app.domain.errors import DomainError, ValidationError
from app.security.scope import current_actor
from app.services.uow import unit_of_work

log = logging.getLogger(__name__)

SERVER_ERROR = "Lỗi hệ thống, vui lòng thử lại sau."


def error_json(exc: DomainError) -> dict[str, Any]:
    body = exc.as_dict()
    problems = exc.detail.get("problems") if exc.detail else None
    if problems:
        body["problems"] = problems
    return body


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


class DomainApi(BaseApi):
    """A FAB BaseApi speaking the app's error format (see the module docstring)."""

    version = "v1"
    allow_browser_login = False
    openapi_spec_component_schemas = COMPONENTS
    # Response components of our refusals (FAB's numbered ones describe {message} and stay for its APIs).
    responses = {
        **BaseApi.responses,
        "BadInput": _error("Dữ liệu không hợp lệ (field nêu trường bị lỗi)"),
        "Unauthenticated": _error("Chưa đăng nhập hoặc mã truy cập hết hạn"),
        "Forbidden": _error("Không có quyền thực hiện"),
        "NotFound": _error("Không tìm thấy, hoặc ngoài phạm vi của bạn"),
        "Conflict": _error("Phiếu đã bị thay đổi (code stale) hoặc xếp loại A vượt chỉ tiêu cần lý do (code quota)"),
        "ServerError": _error("Lỗi hệ thống"),
    }

    def add_apispec_components(self, api_spec) -> None:
        super().add_apispec_components(api_spec)
        if "jwt" not in api_spec.components.security_schemes:
            api_spec.components.security_scheme("jwt", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})

    @staticmethod
    def answer(status: int, payload: dict[str, Any]):
        """JSON with a status (FAB's ``response(code, **kw)`` cannot carry a key named ``code``)."""
        resp = make_response(jsonify(payload), status)
        resp.headers["Content-Type"] = "application/json; charset=utf-8"
        return resp

    # FAB's refusals, as the app answers them.
    def _refusal(self, status: int, code: str, message: str):
        return self.answer(status, {"code": code, "message": message})

    def response_400(self, message: Optional[str] = None):
        return self._refusal(400, "bad_request", "Yêu cầu không hợp lệ.")

    def response_401(self):
        return self._refusal(401, "unauthenticated", "Cần đăng nhập (mã truy cập Bearer).")

    def response_403(self):
        return self._refusal(403, "forbidden", "Bạn không có quyền thực hiện thao tác này.")

    def response_404(self):
        return self._refusal(404, "not_found", "Không tìm thấy.")

    def response_422(self, message: Optional[str] = None):
        return self._refusal(422, "unprocessable", "Không xử lý được dữ liệu gửi lên.")

    def response_500(self, message: Optional[str] = None):
        return self._refusal(500, "server_error", SERVER_ERROR)

    def domain_error(self, exc: DomainError):
        return self.answer(exc.http_status, error_json(exc))

    @staticmethod
    def actor():
        return current_actor()

    def call(self, fn: Callable[..., Any], status: int = 200):
        """``fn(session)`` → a JSON-able dict, in one unit of work; the answer, or the refusal as JSON."""
        from app.extensions import db

        try:
            with unit_of_work(db.session) as session:
                body = fn(session)
        except DomainError as exc:
            return self.domain_error(exc)
        except Exception:  # noqa: BLE001 — the caller gets JSON, the log gets the traceback
            log.exception("API %s %s failed", request.method, request.path)
            return self.response_500()
        return self.answer(status, body)


# -- request bodies and arguments ------------------------------------------------------------------------
BAD_BODY = "Nội dung gửi lên phải là một đối tượng JSON."


def body(allowed: Iterable[str], required: Iterable[str] = ()) -> dict[str, Any]:
    """The JSON object of the request; unknown keys and missing required keys are refused (400)."""
    data = request.get_json(silent=True)
    if data is None and not request.get_data():
        data = {}
    if not isinstance(data, dict):
        raise ValidationError("bad_request", BAD_BODY)
    allowed = set(allowed)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError("unknown_field", f"Trường “{unknown[0]}” không có trong yêu cầu này "
                                               f"(chỉ có: {', '.join(sorted(allowed))}).", unknown[0])
    for key in required:
        if data.get(key) in (None, ""):
            raise ValidationError("required", f"Thiếu trường “{key}”.", key)
    return data


def version_of(data: dict[str, Any]) -> int:
    """The sheet version the client loaded; refused when missing or not a whole number (400)."""
    value = data.get("version")
    if isinstance(value, bool) or value in (None, ""):
        raise ValidationError("version_required", "Cần gửi “version” của phiếu (lấy từ lần đọc phiếu gần nhất).", "version")
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or (isinstance(value, float) and not value.is_integer()):
        raise ValidationError("version_required", "“version” phải là số nguyên.", "version")
    return number


def guarded(f: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a DomainError raised while reading the request (before ``call``) into the JSON refusal."""

    @functools.wraps(f)
    def wrapper(self: DomainApi, *args: Any, **kwargs: Any):
        try:
            return f(self, *args, **kwargs)
        except DomainError as exc:
            return self.domain_error(exc)

    return wrapper


__all__ = ["DomainApi", "error_json", "body", "version_of", "guarded"]
