"""§1.6 and §3.1: a credential sheet belongs to its owner's session. The next admin on the same browser gets
nothing, the cookie holds no key that opens it, a second download says what to do; a new account's one-time
password lives in its own request."""
from __future__ import annotations

import contextvars
import json
import re
import zlib

import pytest
from itsdangerous import base64_decode

from tests.security.conftest import login

TOKEN = re.compile(r"/mau01/credentials/([A-Za-z0-9_-]+)")


def _bulk_reset(admin, ids) -> str:
    page = admin.post("/staff/action_post", data={"action": "reset_password", "rowid": ids},
                      follow_redirects=True).get_data(as_text=True)
    return TOKEN.search(page).group(1)


def _cookie_payload(client) -> dict:
    """What anyone holding the browser's cookie can read (it is signed, not encrypted)."""
    value = client.get_cookie("session").value
    compressed = value.startswith(".")
    data = base64_decode(value.lstrip(".").split(".")[0])
    return json.loads(zlib.decompress(data) if compressed else data)


def _strings(obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, str):
        yield obj


@pytest.fixture
def two_admins(app, make_person):
    """Two unit admins of Cống Vị and two people they can reset."""
    return make_person(unit_admin=True), make_person(unit_admin=True), make_person(), make_person()


def test_the_next_admin_on_the_same_browser_cannot_download_the_previous_admins_sheet(app, two_admins):
    first, second, a, b = two_admins
    browser = app.test_client()
    login(browser, first["username"], first["password"])
    token = _bulk_reset(browser, [a["id"], b["id"]])
    browser.get("/logout/")
    login(browser, second["username"], second["password"])
    response = browser.get(f"/mau01/credentials/{token}")
    assert response.status_code == 404
    assert b"PK" not in response.data[:2]  # not an xlsx


def test_the_sheet_is_gone_after_its_owner_signs_out(app, two_admins):
    first, _, a, b = two_admins
    browser = app.test_client()
    login(browser, first["username"], first["password"])
    token = _bulk_reset(browser, [a["id"], b["id"]])
    copied = app.test_client()
    copied.set_cookie("session", browser.get_cookie("session").value)
    browser.get("/logout/")
    login(browser, first["username"], first["password"])  # the same admin again: a new session
    again = browser.get(f"/mau01/credentials/{token}")
    assert again.status_code == 410 and "cấp lại mật khẩu" in again.get_data(as_text=True)
    assert copied.get(f"/mau01/credentials/{token}").status_code == 302  # the copied cookie is signed out


def test_the_cookie_holds_no_key_that_opens_the_sheet(app, two_admins):
    from app.services import credential_sheets, sealed

    first, _, a, b = two_admins
    browser = app.test_client()
    login(browser, first["username"], first["password"])
    token = _bulk_reset(browser, [a["id"], b["id"]])
    with app.app_context():
        blob = (credential_sheets.folder() / f"{token}.sealed").read_bytes()
    readable = list(_strings(_cookie_payload(browser)))
    candidates = [bytes.fromhex(s) for s in readable if re.fullmatch(r"[0-9a-f]{64}", s)]
    for key in candidates:
        with pytest.raises(sealed.SealError):
            sealed.unseal(blob, key)
    assert browser.get(f"/mau01/credentials/{token}").status_code == 200  # its owner still gets it, once


def test_a_second_download_says_it_was_downloaded_and_to_reset(app, two_admins):
    first, _, a, b = two_admins
    browser = app.test_client()
    login(browser, first["username"], first["password"])
    token = _bulk_reset(browser, [a["id"], b["id"]])
    sheet = browser.get(f"/mau01/credentials/{token}")
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "no-store"
    again = browser.get(f"/mau01/credentials/{token}")
    text = again.get_data(as_text=True)
    assert again.status_code == 410
    assert "đã được tải về lúc" in text and "chỉ tải được một lần" in text
    assert "cấp lại mật khẩu cho 2 người" in text


def test_a_new_accounts_password_lives_in_its_own_request(app, demo):
    """Two admins adding people at the same moment: each sees their own person's password.

    FAB serves every request with one view object; a password kept on it between ``pre_add`` and
    ``post_add`` is shown to whichever request gets there first.
    """
    from flask import g, get_flashed_messages
    from flask_login import login_user

    from app.extensions import db
    from app.models import OrgUnit, Staff

    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "StaffView")
    admin_id = demo.user("admin")["id"]
    unit_id = demo.user("unit_admin")["unit_id"]

    def begin(name):
        ctx = app.test_request_context("/staff/add", method="POST")
        ctx.push()
        login_user(db.session.get(Staff, admin_id))
        with db.session.no_autoflush:  # nothing is written: two writers would lock SQLite
            person = Staff(full_name=name, unit=db.session.get(OrgUnit, unit_id), eval_role="staff")
            view.pre_add(person)
        return ctx, person

    def finish(ctx, person):
        view.post_add(person)
        shown = list(g.get("issued_accounts") or [])  # what post_add_redirect renders for this request
        assert not get_flashed_messages()  # never through the (readable) session cookie
        db.session.rollback()
        db.session.remove()
        ctx.pop()
        return person.username, shown

    first, second = contextvars.Context(), contextvars.Context()
    started1 = first.run(begin, "Lê Văn Một")
    started2 = second.run(begin, "Lê Văn Hai")
    user1, shown1 = first.run(finish, *started1)
    user2, shown2 = second.run(finish, *started2)
    assert [a["username"] for a in shown1] == [user1]
    assert [a["username"] for a in shown2] == [user2]
    assert shown1[0]["password"] != shown2[0]["password"]
