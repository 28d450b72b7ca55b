"""Error answers people can read: a Vietnamese page inside the app's layout, or JSON for the API.

Every HTTP error (FAB's ``abort(403)`` for a signed-in user without the permission included), a
``DomainError`` that reaches the top, a CSRF refusal and an unexpected exception end here. Pages
offer a way back (the page the person came from, else the home page); ``/api/`` answers
``{code, message}``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit

from flask import current_app, g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from app.domain.errors import DomainError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorText:
    code: str  # for machines (JSON)
    title: str
    message: str


ERRORS: dict[int, ErrorText] = {
    400: ErrorText("bad_request", "Yêu cầu không hợp lệ", "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ."),
    401: ErrorText("unauthorized", "Chưa đăng nhập", "Bạn cần đăng nhập để tiếp tục."),
    403: ErrorText("forbidden", "Không có quyền truy cập", "Bạn không có quyền xem trang này hoặc thực hiện thao tác này."),
    404: ErrorText("not_found", "Không tìm thấy", "Trang hoặc bản ghi bạn tìm không có, hoặc nằm ngoài phạm vi của bạn."),
    405: ErrorText("method_not_allowed", "Thao tác không được hỗ trợ", "Trang này không nhận kiểu yêu cầu đó."),
    409: ErrorText("conflict", "Dữ liệu đã thay đổi", "Dữ liệu vừa được người khác thay đổi. Hãy tải lại trang rồi thử lại."),
    410: ErrorText("gone", "Không còn nữa", "Nội dung này không còn nữa."),
    413: ErrorText("too_large", "Tệp quá lớn", "Tệp hoặc dữ liệu gửi lên vượt quá giới hạn cho phép ({limit})."),
    422: ErrorText("unprocessable", "Dữ liệu không hợp lệ", "Không xử lý được dữ liệu gửi lên."),
    429: ErrorText("too_many_requests", "Quá nhiều yêu cầu",
                   "Có quá nhiều yêu cầu trong thời gian ngắn. Vui lòng chờ vài phút rồi thử lại."),
    500: ErrorText("server_error", "Lỗi hệ thống",
                   "Đã có lỗi ngoài ý muốn; thao tác chưa được thực hiện. Vui lòng thử lại sau, "
                   "nếu vẫn lỗi hãy báo quản trị hệ thống."),
}
CSRF = ErrorText("csrf", "Biểu mẫu đã hết hạn",
                 "Biểu mẫu đã hết hạn hoặc không hợp lệ (có thể do để trang mở quá lâu). Hãy tải lại trang rồi thử lại.")
GENERIC = ErrorText("error", "Có lỗi", "Không thực hiện được yêu cầu.")

# Headers of the original error worth keeping (405's Allow, 429's Retry-After).
KEEP_HEADERS = ("Allow", "Retry-After")


def text_for(status: int) -> ErrorText:
    text = ERRORS.get(status)
    if text is None:
        text = ERRORS[500] if status >= 500 else GENERIC
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        size = f"{limit // (1024 * 1024)} MB" if limit else "của hệ thống"
        text = ErrorText(text.code, text.title, text.message.format(limit=size))
    return text


def wants_json() -> bool:
    return request.path.startswith("/api/")


def back_url() -> str:
    """The page the person came from when it is one of ours (and not this one), else the home page."""
    home = request.script_root + "/"
    referrer = request.referrer
    if not referrer:
        return home
    ref, here = urlsplit(referrer), urlsplit(request.host_url)
    if (ref.scheme, ref.netloc) != (here.scheme, here.netloc) or referrer == request.url:
        return home
    return referrer


def _bare_page(status: int, text: ErrorText, message: str) -> str:
    """The page without the layout, for when rendering the layout itself fails."""
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{escape(text.title)}</title></head>'
        f'<body><h1>{status} – {escape(text.title)}</h1><p>{escape(message)}</p>'
        f'<p><a href="{escape(back_url())}">Quay lại</a> · <a href="{escape(request.script_root)}/">Trang chủ</a></p>'
        "</body></html>"
    )


def render_error(status: int, text: ErrorText, message: Optional[str] = None, headers=None):
    message = message or text.message
    if wants_json():
        response = jsonify({"code": text.code, "message": message})
        response.status_code = status
    else:
        appbuilder = getattr(current_app, "appbuilder", None)
        if not hasattr(g, "user"):  # refused before FAB's own before_request ran (CSRF, argument guard)
            g.user = current_user
        try:
            body = render_template(
                "errors/error.html", status=status, title=text.title, message=message, back=back_url(),
                appbuilder=appbuilder, base_template=appbuilder.base_template if appbuilder else None,
            )
        except Exception:  # the layout needs the database (menu, user); a broken request may lack it
            log.exception("error page could not be rendered")
            body = _bare_page(status, text, message)
        response = current_app.response_class(body, status=status, mimetype="text/html")
    for name, value in headers or ():
        if name in KEEP_HEADERS:
            response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _rollback() -> None:
    try:
        from app.extensions import db

        db.session.rollback()
    except Exception:
        log.exception("rollback after an error failed")


def handle_http(exc: HTTPException):
    status = exc.code or 500
    if status >= 500:
        _rollback()
    return render_error(status, text_for(status), headers=exc.get_headers())


def handle_csrf(exc: CSRFError):
    return render_error(400, CSRF)


def handle_domain(exc: DomainError):
    _rollback()
    status = exc.http_status
    base = text_for(status)
    if wants_json():
        response = jsonify(exc.as_dict())
        response.status_code = status
        return response
    return render_error(status, base, exc.message)


def handle_unexpected(exc: InternalServerError):
    """An exception no one caught (Flask has logged it): the Vietnamese 500 page.

    Registered for 500 only, so tests (PROPAGATE_EXCEPTIONS) still see the exception itself.
    """
    original = getattr(exc, "original_exception", None)
    if isinstance(original, DomainError):
        return handle_domain(original)
    _rollback()
    return render_error(500, text_for(500))


def install_error_pages(app) -> None:
    for status in (400, 401, 403, 404, 405, 409, 410, 413, 422, 429):
        app.register_error_handler(status, handle_http)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
