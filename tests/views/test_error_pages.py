"""Error answers: Vietnamese pages inside the app's layout with a way back; JSON {code, message} on /api/."""
from __future__ import annotations

import pytest
from flask import abort

ENGLISH = ("Forbidden", "Not Found", "Internal Server Error", "Too Many Requests", "Method Not Allowed",
           "Bad Request", "Request Entity Too Large", "The CSRF token", "Fatal error")


def _page(resp, status, words):
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, body[:500]
    assert resp.mimetype == "text/html"
    assert 'class="navbar' in body, "not inside the app's layout"
    assert "Quay lại" in body and "Trang chủ" in body
    for word in words:
        assert word in body
    for english in ENGLISH:
        assert english not in body, english
    return body


def test_403_for_a_signed_in_person_without_the_permission(app, demo):
    client = app.test_client()
    demo.login(client, "staff")
    _page(client.get("/staff/list/", headers={"Referer": "http://localhost/account/password"}), 403,
          ["Không có quyền truy cập", 'href="http://localhost/account/password"'])


def test_404_and_the_way_back_never_leaves_the_app(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    body = _page(client.get("/khong-co-trang-nay", headers={"Referer": "https://evil.example/x"}), 404, ["Không tìm thấy"])
    assert "evil.example" not in body
    _page(client.get("/staff/show/987654"), 404, ["Không tìm thấy"])


def test_405(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    resp = client.get("/mau01/upload")
    _page(resp, 405, ["không nhận kiểu yêu cầu"])
    assert "POST" in resp.headers.get("Allow", "")


def test_413_names_the_limit(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    client = app.test_client()
    demo.login(client, "admin")
    body = (b'--B\r\nContent-Disposition: form-data; name="file"; filename="to.xlsx"\r\n\r\n'
            + b"x" * (3 * 1024 * 1024) + b"\r\n--B--\r\n")  # built here: the client's spooled file stays unread
    resp = client.post("/mau01/upload", data=body, content_type="multipart/form-data; boundary=B")
    _page(resp, 413, ["Tệp quá lớn", "2 MB"])


def test_csrf_refusal(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = app.test_client()
    demo.login(client, "admin")
    _page(client.post("/mau01/upload", data={}), 400, ["Biểu mẫu đã hết hạn", "tải lại trang"])


def test_429_and_500(app, demo, monkeypatch):
    def too_many():
        abort(429)

    def boom():
        raise RuntimeError("boom")

    client = app.test_client()
    demo.login(client, "admin")
    monkeypatch.setitem(app.view_functions, "HomeView.index", too_many)
    _page(client.get("/"), 429, ["Quá nhiều yêu cầu", "chờ vài phút"])
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.view_functions, "HomeView.index", boom)
    body = _page(client.get("/"), 500, ["Lỗi hệ thống"])
    assert "boom" not in body and "Traceback" not in body


@pytest.mark.parametrize("url,kind,status,code", [
    ("/api/v1/staff/987654", "admin", 404, "not_found"),
    ("/api/v1/staff/", "staff", 403, "forbidden"),
    ("/api/v1/staff/?q=(page:x)", "admin", 400, "bad_argument"),
    ("/api/v1/khong-co", "admin", 404, "not_found"),
])
def test_api_errors_are_vietnamese_json(app, demo, url, kind, status, code):
    client = app.test_client()
    demo.login(client, kind)
    resp = client.get(url)
    assert resp.status_code == status and resp.is_json
    assert resp.json["code"] == code
    message = resp.json["message"]
    assert message and not message.isascii(), message


def test_api_500_is_vietnamese_json(app, demo, monkeypatch):
    from app.views.staff import StaffApi

    def broken(self, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(StaffApi, "get_list_headless", broken)
    client = app.test_client()
    demo.login(client, "admin")
    resp = client.get("/api/v1/staff/")
    assert resp.status_code == 500 and resp.json["code"] == "server_error"
    assert "boom" not in resp.get_data(as_text=True) and not resp.json["message"].isascii()


def test_favicon_is_local(app):
    client = app.test_client()
    resp = client.get("/favicon.ico")
    assert resp.status_code == 200 and resp.data[:4] == b"\x00\x00\x01\x00"
    login = client.get("/login/").get_data(as_text=True)
    assert 'rel="icon"' in login and "/static/favicon" in login
