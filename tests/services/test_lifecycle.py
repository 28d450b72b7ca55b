"""Account lifecycle (letter 875-CV/HU) walked on an injected calendar, through the real sign-in page."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from app.domain.dates import TZ
from app.domain.scope import SYSTEM
from tests.conftest import flashes

T0 = dt.datetime(2026, 11, 2, 8, 0, 0, tzinfo=TZ)
STRONG = "Gio-bac-Tre-xanh-47"  # a passphrase the strength estimator accepts


@pytest.fixture
def calendar():
    """Set the app clock: calendar(days=…, hours=…) moves to T0 plus that."""
    from app.services import clock

    def at(**delta):
        moment = T0 + dt.timedelta(**delta)
        clock.set_clock(lambda: moment)
        return moment

    at()
    yield at
    clock.set_clock(None)


def _new_person(app, unit="UBND phường Cống Vị"):
    """A fresh account created through the staff service, as an admin would; returns (id, username, password)."""
    from app.domain.text import fold
    from app.extensions import db
    from app.models import OrgUnit, Staff
    from app.services import staff as staff_service

    with app.test_request_context():
        unit_row = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(unit)))
        person = Staff(full_name="Trịnh Văn Mới", unit=unit_row, eval_role="staff")
        password = staff_service.prepare(db.session, person, actor=SYSTEM)
        db.session.add(person)
        db.session.commit()
        return person.id, person.username, password


def _person(app, pid):
    from app.extensions import db
    from app.models import Staff

    with app.app_context():
        db.session.expire_all()
        p = db.session.get(Staff, pid)
        return {"active": p.active, "lock": p.lock_reason, "must": p.must_change_password, "due": p.password_change_due,
                "version": p.session_version, "fails": p.fail_login_count}


def _login(client, username, password):
    return client.post("/login/", data={"username": username, "password": password}, follow_redirects=True)


def _audit(app, action, target_id):
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action, AuditEvent.target_id == target_id))


def test_created_then_window_passes_then_locked_then_reset_then_changed_then_free(app, demo, calendar):
    pid, username, password = _new_person(app)
    state = _person(app, pid)
    assert state["must"] and state["due"] == T0 + dt.timedelta(days=5)

    # Day 4, 23:59: still in the window; signing in forces the change-password page with the days left.
    calendar(days=4, hours=23, minutes=59)
    client = app.test_client()
    page = _login(client, username, password).get_data(as_text=True)
    assert "Đổi mật khẩu" in page and "còn <b>1</b> ngày" in page
    assert client.get("/staff/list/", follow_redirects=False).headers.get("Location", "").endswith("/account/password")
    client.get("/logout/")

    # Day 5 + 1 s: the window has passed. Nobody ran anything: the sign-in itself locks.
    calendar(days=5, seconds=1)
    page = _login(app.test_client(), username, password).get_data(as_text=True)
    assert any("bị khóa" in m and "Quá hạn đổi mật khẩu" in m for m in flashes(page)), flashes(page)
    state = _person(app, pid)
    assert state["lock"] == "password_not_changed" and not state["active"]
    assert _audit(app, "account_locked", pid) == 1

    # The unit admin resets: new one-time password, new window, lock lifted, logged.
    calendar(days=6)
    admin = app.test_client()
    demo.login(admin, "unit_admin")
    resp = admin.post(f"/staff/action/reset_password/{pid}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Đã cấp lại mật khẩu" in page
    new_password = re.search(r"<code>([^<]+)</code>", page).group(1)
    # Shown on the page that issued it, never carried in the (signed, readable) session cookie.
    assert new_password not in " ".join(resp.headers.getlist("Set-Cookie"))
    with admin.session_transaction() as sess:
        assert new_password not in repr(dict(sess))
    state = _person(app, pid)
    assert state["active"] and state["lock"] is None and state["must"]
    assert state["due"] == T0 + dt.timedelta(days=11)
    assert _audit(app, "password_reset", pid) == 1 and _audit(app, "account_unlocked", pid) == 1

    # The person signs in with it and changes it; weak choices are refused with the reasons.
    client = app.test_client()
    _login(client, username, new_password)
    page = client.post("/account/password", data={"current": new_password, "new": "abc", "confirm": "abc"},
                       follow_redirects=True).get_data(as_text=True)
    assert any("ít nhất 8 ký tự" in m for m in flashes(page))
    page = client.post("/account/password", data={"current": new_password, "new": "Hanoi2026x", "confirm": "Hanoi2026x"},
                       follow_redirects=True).get_data(as_text=True)
    assert any("quá dễ đoán" in m and "từ thông dụng" in m for m in flashes(page)), flashes(page)
    page = client.post("/account/password", data={"current": new_password, "new": STRONG, "confirm": STRONG},
                       follow_redirects=True).get_data(as_text=True)
    assert "Đã đổi mật khẩu." in flashes(page)
    state = _person(app, pid)
    assert not state["must"] and state["due"] is None
    assert _audit(app, "password_changed", pid) == 1

    # Free: months later the account still works and nothing forces a change.
    calendar(days=120)
    client = app.test_client()
    _login(client, username, STRONG)
    assert client.get("/").status_code == 200
    assert "Bạn cần đổi mật khẩu" not in client.get("/").get_data(as_text=True)


def test_lock_expired_command_locks_in_bulk_and_counts(app, calendar):
    pid, _, _ = _new_person(app)
    calendar(days=5, hours=1)
    result = app.test_cli_runner().invoke(args=["accounts", "lock-expired"])
    assert result.exit_code == 0 and "Đã khóa 1 tài khoản" in result.output
    assert _person(app, pid)["lock"] == "password_not_changed"
    again = app.test_cli_runner().invoke(args=["accounts", "lock-expired"])
    assert "Đã khóa 0 tài khoản" in again.output


def test_district_deadline_comes_before_the_window(app, calendar):
    from app import settings

    previous = settings.replace(app, password_deadline=dt.date(2026, 11, 3))
    try:
        pid, _, _ = _new_person(app)
        assert _person(app, pid)["due"].date() == dt.date(2026, 11, 3)
    finally:
        app.extensions["settings"] = previous


def test_brute_force_locks_the_account(app, calendar):
    pid, username, password = _new_person(app)
    client = app.test_client()
    limit = app.config["MAX_FAILED_LOGINS"]
    for i in range(limit):
        page = _login(client, username, f"wrong{i}").get_data(as_text=True)
    state = _person(app, pid)
    assert state["lock"] == "too_many_failed_logins" and not state["active"]
    # Even the right password is refused now, with the reason; a stranger's wrong guess learns nothing.
    page = _login(client, username, password).get_data(as_text=True)
    assert any("Nhập sai mật khẩu quá số lần" in m for m in flashes(page))
    page = _login(client, username, "not-the-password").get_data(as_text=True)
    assert not any("khóa" in m for m in flashes(page))
    assert _audit(app, "login_failed", pid) == limit and _audit(app, "account_locked", pid) == 1


def test_sign_in_is_throttled_per_address(app, calendar):
    from app.settings import replace

    previous = replace(app, signin_failures_per_address=3, signin_failures_per_account=3)
    try:
        pid, username, password = _new_person(app)
        client = app.test_client()
        for i in range(3):
            _login(client, f"nobody{i}_badinh", "x")
        page = _login(client, username, password).get_data(as_text=True)
        assert any("từ địa chỉ này" in m for m in flashes(page))
        assert _person(app, pid)["active"]  # the account itself is not locked
        calendar(minutes=16)  # the window slides on
        page = _login(client, username, password).get_data(as_text=True)
        assert not any("từ địa chỉ này" in m for m in flashes(page))
    finally:
        app.extensions["settings"] = previous


def test_reset_signs_the_person_out_everywhere(app, demo, calendar):
    pid, username, password = _new_person(app)
    client = app.test_client()
    _login(client, username, password)
    assert client.get("/account/password").status_code == 200
    admin = app.test_client()
    demo.login(admin, "unit_admin")
    admin.post(f"/staff/action/reset_password/{pid}")
    assert client.get("/account/password").status_code in (302, 401, 403)


def test_unit_admin_cannot_reset_outside_scope(app, demo, calendar):
    foreign, _, _ = _new_person(app, unit="UBND phường Kim Mã")
    before = _person(app, foreign)
    admin = app.test_client()
    admin_id = demo.login(admin, "unit_admin")["id"]  # Cống Vị
    assert admin.post(f"/staff/action/reset_password/{foreign}").status_code == 404
    assert admin.post("/staff/action_post", data={"action": "reset_password", "rowid": [foreign]}).status_code == 404
    assert _person(app, foreign) == before
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        denied = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access_denied")).all()
    assert len(denied) == 2 and all(e.actor_id == admin_id for e in denied)


def test_unit_admin_cannot_reset_the_block_admin_of_their_unit(app, demo, calendar):
    from app.extensions import db
    from app.models import Staff

    me = demo.user("unit_admin", "Phòng Nội vụ")
    with app.app_context():
        target = db.session.scalar(select(Staff.id).where(Staff.unit_id == me["unit_id"], Staff.managed_block_id.isnot(None)))
    before = _person(app, target)
    admin = app.test_client()
    demo.login(admin, "unit_admin", "Phòng Nội vụ")
    page = admin.post(f"/staff/action/reset_password/{target}", follow_redirects=True).get_data(as_text=True)
    assert any("Chỉ quản trị cấp quận" in m for m in flashes(page))
    assert _person(app, target) == before
    assert _audit(app, "access_denied", target) == 1


def test_bulk_reset_gives_a_credential_sheet(app, demo, calendar):
    import io

    import openpyxl

    a, _, _ = _new_person(app)
    b, _, _ = _new_person(app)
    admin = app.test_client()
    demo.login(admin, "unit_admin")
    page = admin.post("/staff/action_post", data={"action": "reset_password", "rowid": [a, b]}, follow_redirects=True).get_data(as_text=True)
    import re

    token = re.search(r"/mau01/credentials/([A-Za-z0-9_-]+)", page).group(1)
    sheet = openpyxl.load_workbook(io.BytesIO(admin.get(f"/mau01/credentials/{token}").data)).active
    usernames = [r[3] for r in sheet.iter_rows(values_only=True) if r and r[3] and str(r[3]).startswith("trinhvanmoi")]
    assert len(usernames) == 2


def test_audit_log_is_scoped_filterable_and_exportable(app, demo, calendar):
    import io

    import openpyxl

    pid, username, _ = _new_person(app)
    admin = app.test_client()
    demo.login(admin, "unit_admin")
    admin.post(f"/staff/action/lock/{pid}")
    assert _person(app, pid)["lock"] == "admin"
    listing = admin.get("/audit/list/").get_data(as_text=True)
    assert "Khóa tài khoản" in listing and username in listing
    export = admin.get("/audit/export?_flt_0_action=account_locked")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Thời điểm"
    assert rows[1:] and all(r[2] == "Khóa tài khoản" for r in rows[1:])
    other = app.test_client()
    demo.login(other, "unit_admin", "UBND phường Kim Mã")
    assert username not in other.get("/audit/list/").get_data(as_text=True)
    export_rows = list(openpyxl.load_workbook(io.BytesIO(other.get("/audit/export").data)).active.iter_rows(values_only=True))
    assert not any(username in str(r) for r in export_rows)
