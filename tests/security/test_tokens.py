"""§1.4: API tokens carry the session and the session version; they die with a sign-out, a reset, a lock or a
password change; access tokens are short; an account that must change its password gets no data."""
from __future__ import annotations

import base64
import json

import pytest

from tests.domain.test_accounts import is_vietnamese
from tests.security.conftest import api_login, bearer, login, person_state

DATA = "/api/v1/staff/?q=(page_size:1)"


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _error(response, status, code):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert body["code"] == code and is_vietnamese(body["message"]), body
    return body


def _tokens(client, person):
    response = api_login(client, person["username"], person["password"])
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _refresh(client, refresh_token):
    return client.post("/api/v1/security/refresh", headers=bearer(refresh_token))


def test_tokens_carry_the_session_and_its_version(app, make_person):
    me = make_person(unit_admin=True)
    client = app.test_client()
    tokens = _tokens(client, me)
    access, refresh = _claims(tokens["access_token"]), _claims(tokens["refresh_token"])
    assert isinstance(access["sid"], int) and access["sid"] == refresh["sid"]
    assert access["sv"] == refresh["sv"] == person_state(app, me["id"])["version"]
    assert access["exp"] - access["iat"] == 15 * 60 and tokens["expires_in"] == 900
    assert refresh["exp"] - refresh["iat"] <= 8 * 3600  # not FAB's 30 days
    assert client.get(DATA, headers=bearer(tokens["access_token"])).status_code == 200


@pytest.mark.parametrize("act", ["reset_password", "lock"])
def test_tokens_die_with_a_reset_or_a_lock(app, demo, make_person, act):
    me = make_person(unit_admin=True)
    client = app.test_client()
    tokens = _tokens(client, me)
    assert client.get(DATA, headers=bearer(tokens["access_token"])).status_code == 200
    admin = app.test_client()
    demo.login(admin, "admin")
    admin.post(f"/staff/action/{act}/{me['id']}")
    _error(client.get(DATA, headers=bearer(tokens["access_token"])), 401, "session_ended")
    _error(_refresh(client, tokens["refresh_token"]), 401, "session_ended")


def test_a_reset_then_unlocked_account_does_not_revive_old_tokens(app, demo, make_person):
    """Lock, then reset (which unlocks): the tokens of before stay dead."""
    me = make_person(unit_admin=True)
    client = app.test_client()
    tokens = _tokens(client, me)
    admin = app.test_client()
    demo.login(admin, "admin")
    admin.post(f"/staff/action/lock/{me['id']}")
    admin.post(f"/staff/action/reset_password/{me['id']}")
    assert person_state(app, me["id"])["active"]
    _error(client.get(DATA, headers=bearer(tokens["access_token"])), 401, "session_ended")
    _error(_refresh(client, tokens["refresh_token"]), 401, "session_ended")


def test_a_password_change_ends_api_sessions(app, make_person):
    me = make_person(unit_admin=True)
    api = app.test_client()
    tokens = _tokens(api, me)
    browser = app.test_client()
    login(browser, me["username"], me["password"])
    new = "Ngo-Lach-Cau-Mua-59"
    browser.post("/account/password", data={"current": me["password"], "new": new, "confirm": new})
    _error(api.get(DATA, headers=bearer(tokens["access_token"])), 401, "session_ended")
    _error(_refresh(api, tokens["refresh_token"]), 401, "session_ended")


def test_api_logout_kills_the_refresh_token(app, make_person):
    me = make_person(unit_admin=True)
    client = app.test_client()
    tokens = _tokens(client, me)
    assert _refresh(client, tokens["refresh_token"]).status_code == 200
    out = client.post("/api/v1/security/logout", headers=bearer(tokens["access_token"]))
    assert out.status_code == 200 and is_vietnamese(out.get_json()["message"])
    _error(_refresh(client, tokens["refresh_token"]), 401, "session_ended")
    _error(client.get(DATA, headers=bearer(tokens["access_token"])), 401, "session_ended")


def test_access_tokens_expire_on_the_app_clock_and_refresh_ends_with_the_session(app, make_person, calendar):
    me = make_person(unit_admin=True)
    client = app.test_client()
    tokens = _tokens(client, me)
    calendar(minutes=14, seconds=59)
    assert client.get(DATA, headers=bearer(tokens["access_token"])).status_code == 200
    calendar(minutes=15)
    _error(client.get(DATA, headers=bearer(tokens["access_token"])), 401, "token_expired")
    fresh = _refresh(client, tokens["refresh_token"])
    assert fresh.status_code == 200
    assert client.get(DATA, headers=bearer(fresh.get_json()["access_token"])).status_code == 200
    calendar(hours=8)
    _error(_refresh(client, tokens["refresh_token"]), 401, "session_expired")


def test_an_account_that_must_change_its_password_gets_a_403_not_data(app, make_person):
    me = make_person(must_change=True, unit_admin=True)
    client = app.test_client()
    _error(api_login(client, me["username"], me["password"]), 403, "must_change_password")
    # Signed in on the screens (where only the change-password page is open), the API answers the same.
    login(client, me["username"], me["password"])
    _error(client.get(DATA), 403, "must_change_password")


def test_api_login_counts_wrong_passwords_and_a_locked_account_gets_no_token(app, make_person):
    me = make_person()
    client = app.test_client()
    limit = app.extensions["settings"].max_failed_logins
    for i in range(limit):
        _error(api_login(client, me["username"], f"sai-{i}"), 401, "invalid_login")
    assert person_state(app, me["id"])["lock"] == "too_many_failed_logins"
    body = _error(api_login(client, me["username"], me["password"]), 403, "account_locked")
    assert "Nhập sai mật khẩu quá số lần" in body["message"]


@pytest.mark.parametrize("headers,code", [
    ({}, "unauthenticated"),
    ({"Authorization": "Bearer không-phải-mã"}, "invalid_token"),
    ({"Authorization": "Bearer a.b.c"}, "invalid_token"),
])
def test_token_errors_are_vietnamese_json(app, headers, code):
    client = app.test_client()
    _error(client.get(DATA, headers=headers), 401, code)


def test_the_wrong_kind_of_token_is_refused_in_vietnamese(app, make_person):
    me = make_person(unit_admin=True)
    client = app.test_client()
    tokens = _tokens(client, me)
    _error(client.get(DATA, headers=bearer(tokens["refresh_token"])), 401, "invalid_token")
    _error(_refresh(client, tokens["access_token"]), 401, "invalid_token")


@pytest.mark.parametrize("payload,status", [
    ("không phải json", 400),
    ({"username": "admin"}, 400),
    ({"username": "admin", "password": "x", "provider": "ldap"}, 400),
    ({"username": "không_có_ai", "password": "x"}, 401),
])
def test_login_errors_are_vietnamese_json(app, payload, status):
    client = app.test_client()
    if isinstance(payload, str):
        response = client.post("/api/v1/security/login", data=payload, content_type="text/plain")
    else:
        response = client.post("/api/v1/security/login", json=payload)
    assert response.status_code == status
    body = response.get_json()
    assert set(body) >= {"code", "message"} and is_vietnamese(body["message"])
