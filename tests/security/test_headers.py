"""§1.11: no framing, no sniffing, a same-origin referrer, and nothing with personal data in a cache."""
from __future__ import annotations

import pytest

from tests.security.conftest import api_login, bearer


def _assert_hardened(response):
    h = response.headers
    assert h["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/staff/list/", "/audit/list/", "/account/password", "/api/v1/staff/?q=(page_size:1)",
                                  "/mau01/template"])
def test_signed_in_pages_and_downloads_are_not_stored(app, demo, path):
    client = app.test_client()
    demo.login(client, "admin")
    response = client.get(path)
    assert response.status_code == 200
    _assert_hardened(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_the_sign_in_page_and_api_answers_are_hardened_too(app, make_person):
    client = app.test_client()
    page = client.get("/login/")
    _assert_hardened(page)
    assert "no-store" in page.headers["Cache-Control"]
    me = make_person(unit_admin=True)
    tokens = api_login(client, me["username"], me["password"])
    assert "no-store" in tokens.headers["Cache-Control"]  # the tokens themselves
    data = client.get("/api/v1/staff/?q=(page_size:1)", headers=bearer(tokens.get_json()["access_token"]))
    assert data.status_code == 200 and "no-store" in data.headers["Cache-Control"]


def test_static_files_may_be_cached(app):
    client = app.test_client()
    response = client.get("/static/appbuilder/css/ab.css")
    try:
        assert response.status_code == 200
        _assert_hardened(response)
        assert "no-store" not in response.headers.get("Cache-Control", "")
    finally:
        response.close()  # a file response holds the file open until closed
