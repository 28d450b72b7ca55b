"""§1.5: a screen session lives on the server. A copied cookie stops working after sign-out, a reset, a lock,
a password change, or when the session's hours are up."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.conftest import flashes
from tests.security.conftest import login

PAGE = "/account/password"  # any signed-in page: 200 while signed in, 302 to /login/ otherwise


def _copy_cookie(src, dst, name="session"):
    cookie = src.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    dst.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    response = client.get(PAGE)
    return response.status_code == 200


def test_a_copied_cookie_stops_working_after_logout(app, make_person):
    me = make_person()
    browser = app.test_client()
    login(browser, me["username"], me["password"])
    assert _signed_in(browser)
    thief = app.test_client()
    _copy_cookie(browser, thief)
    assert _signed_in(thief)  # the copy works while the session stands…
    browser.get("/logout/")
    assert not _signed_in(browser)
    assert not _signed_in(thief)  # …and not after sign-out


def test_a_remember_cookie_dies_with_its_session(app, make_person):
    from flask_login.utils import encode_cookie

    me = make_person()
    browser = app.test_client()
    login(browser, me["username"], me["password"])
    with browser.session_transaction() as sess:
        user_id = sess["_user_id"]
    with app.test_request_context():
        remember = encode_cookie(user_id)
    keeper = app.test_client()
    keeper.set_cookie("remember_token", remember)
    assert _signed_in(keeper)
    browser.get("/logout/")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert not _signed_in(fresh)


@pytest.mark.parametrize("act", ["reset_password", "lock"])
def test_an_admin_reset_or_lock_ends_every_session_of_the_person(app, demo, make_person, act):
    me = make_person()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, me["username"], me["password"])
    login(laptop, me["username"], me["password"])
    assert _signed_in(phone) and _signed_in(laptop)
    admin = app.test_client()
    demo.login(admin, "unit_admin")
    admin.post(f"/staff/action/{act}/{me['id']}")
    assert not _signed_in(phone) and not _signed_in(laptop)

    from app.extensions import db
    from app.models import AuthSession

    with app.app_context():
        rows = db.session.query(AuthSession).filter_by(user_id=me["id"]).all()
        assert len(rows) == 2 and {r.revoked_reason for r in rows} == {"password_reset" if act == "reset_password" else "account_locked"}


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, make_person):
    me = make_person()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, me["username"], me["password"])
    login(elsewhere, me["username"], me["password"])
    new = "Ngo-Lach-Cau-Mua-59"
    page = here.post(PAGE, data={"current": me["password"], "new": new, "confirm": new}, follow_redirects=True)
    assert "Đã đổi mật khẩu." in flashes(page.get_data(as_text=True))
    assert _signed_in(here)
    assert not _signed_in(elsewhere)


def test_a_session_ends_after_its_hours(app, make_person, calendar):
    me = make_person()
    browser = app.test_client()
    login(browser, me["username"], me["password"])
    calendar(hours=7, minutes=59)
    assert _signed_in(browser)
    calendar(hours=8)
    assert not _signed_in(browser)


def test_a_cookie_of_the_old_form_is_refused(app, demo):
    """``"<id>:<version>"`` (what the cookie held before server-side sessions) names no session."""
    person = demo.user("admin")
    browser = app.test_client()
    with browser.session_transaction() as sess:
        sess["_user_id"] = f"{person['id']}:0"
    assert browser.get("/staff/list/").status_code == 302


def test_signing_in_clears_what_the_previous_person_left_in_the_cookie(app, make_person):
    first, second = make_person(), make_person()
    browser = app.test_client()
    login(browser, first["username"], first["password"])
    with browser.session_transaction() as sess:
        sess["left_behind"] = "của người trước"
    browser.get("/logout/")
    login(browser, second["username"], second["password"])
    with browser.session_transaction() as sess:
        assert "left_behind" not in sess


def test_each_request_finds_its_session_in_one_query(app, make_person):
    from app.extensions import db

    me = make_person()
    browser = app.test_client()
    login(browser, me["username"], me["password"])
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        if "auth_session" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert browser.get(PAGE).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements
    assert "ab_user" in statements[0]  # the row and the account in the same query
