"""§1.12: settings checked at start; a deadline set later applies to existing accounts; ``demo`` is refused in
production; ``create-admin`` enforces the password policy; the change-password form limits guesses."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from app.models import Staff
from app.settings import Settings, SettingsError
from tests.conftest import REPO, flashes
from tests.security.conftest import PASSWORD, T0, count, login, person_state

GOOD = {"ACCOUNT_SUFFIX": "badinh", "DISTRICT_NAME": "Quận Ba Đình"}


@pytest.mark.parametrize("key,value", [
    ("TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
    ("PASSWORD_MIN_SCORE", "5"),
    ("JWT_ACCESS_MINUTES", "0"),
    ("JWT_REFRESH_HOURS", "mãi mãi"),
    ("SESSION_HOURS", "-1"),
    ("SIGNIN_WINDOW_MINUTES", "0"),
    ("SIGNIN_MAX_FAILURES_PER_ACCOUNT", "0"),
])
def test_new_settings_are_checked_naming_the_variable(key, value):
    with pytest.raises(SettingsError, match=key):
        Settings.from_config({**GOOD, key: value})


def test_the_address_limit_may_not_be_below_the_account_limit():
    with pytest.raises(SettingsError, match="SIGNIN_MAX_FAILURES_PER_ADDRESS"):
        Settings.from_config({**GOOD, "SIGNIN_MAX_FAILURES_PER_ACCOUNT": 50, "SIGNIN_MAX_FAILURES_PER_ADDRESS": 20})


def test_trusted_proxies_are_read_as_networks():
    s = Settings.from_config({**GOOD, "TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12"})
    assert [str(n) for n in s.trusted_proxies] == ["10.0.0.1/32", "172.16.0.0/12"]


def test_a_malformed_number_in_the_environment_is_a_clear_message_not_a_traceback():
    """config.py used to call int() at import: ``MAX_FAILED_LOGINS=năm`` died with a bare ValueError."""
    code = ("from config import Config\nfrom app.settings import Settings, SettingsError\n"
            "try:\n    Settings.from_config(vars(Config))\nexcept SettingsError as e:\n    print(e)\n")
    env = {**os.environ, "MAX_FAILED_LOGINS": "năm", "PASSWORD_CHANGE_DAYS": "5 ngày", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "MAX_FAILED_LOGINS phải là một số nguyên" in out.stdout and "PASSWORD_CHANGE_DAYS" in out.stdout


def test_a_deadline_set_later_applies_to_accounts_that_already_exist(app, make_person, calendar, configure):
    at_sign_in, by_cron = make_person(must_change=True), make_person(must_change=True)  # due T0 + 5 days
    assert person_state(app, at_sign_in["id"])["due"] == T0 + dt.timedelta(days=5)
    configure(password_deadline=(T0 + dt.timedelta(days=2)).date())  # the district sets a deadline afterwards
    calendar(days=1)
    client = app.test_client()
    page = login(client, at_sign_in["username"], at_sign_in["password"]).get_data(as_text=True)
    assert "04/11/2026" in page  # the change page shows the district's deadline, not the old window
    client.get("/logout/")
    calendar(days=3)
    page = login(app.test_client(), at_sign_in["username"], at_sign_in["password"]).get_data(as_text=True)
    assert any("Quá hạn đổi mật khẩu" in m for m in flashes(page)), flashes(page)
    assert person_state(app, at_sign_in["id"])["lock"] == "password_not_changed"
    result = app.test_cli_runner().invoke(args=["accounts", "lock-expired"])
    assert result.exit_code == 0, result.output
    assert person_state(app, by_cron["id"])["lock"] == "password_not_changed"


def test_demo_is_refused_in_production(app, configure):
    configure(app_env="production")
    before = count(app, Staff)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "APP_ENV=production" in result.output
    assert count(app, Staff) == before


@pytest.mark.parametrize("password", ["abcd1234", "Password1", "matkhau123", "quantri2026", "badinh2026"])
def test_create_admin_enforces_the_password_policy(app, password):
    before = count(app, Staff)
    result = app.test_cli_runner().invoke(args=["create-admin", "--username", "quantri2", "--password", password])
    assert result.exit_code != 0 and "Mật khẩu chưa đạt yêu cầu" in result.output, result.output
    assert count(app, Staff) == before


def test_create_admin_accepts_a_strong_password(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--username", "quantri2", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert count(app, Staff, Staff.username == "quantri2") == 1


def test_the_change_password_form_limits_guesses_of_the_current_password(app, make_person):
    """A session left open (or stolen) cannot try current passwords on the form without end."""
    me = make_person()
    client = app.test_client()
    login(client, me["username"], me["password"])
    limit = app.extensions["settings"].max_failed_logins
    new = "Ngo-Lach-Cau-Mua-59"
    for i in range(1, limit):
        page = client.post("/account/password", data={"current": f"doan-{i}", "new": new, "confirm": new},
                           follow_redirects=True).get_data(as_text=True)
        assert any(f"Còn {limit - i} lần thử" in m for m in flashes(page)), flashes(page)
    page = client.post("/account/password", data={"current": "doan-cuoi", "new": new, "confirm": new},
                       follow_redirects=True).get_data(as_text=True)
    assert any("Nhập sai mật khẩu quá số lần" in m for m in flashes(page)), flashes(page)
    state = person_state(app, me["id"])
    assert state["lock"] == "too_many_failed_logins" and not state["active"]
    assert client.get("/account/password").status_code == 302  # signed out
    assert not login(app.test_client(), me["username"], me["password"]).request.path.startswith("/account")


def test_the_sign_in_page_says_how_many_wrong_passwords_lock_the_account(app, configure):
    page = app.test_client().get("/login/").get_data(as_text=True)
    assert "Nhập sai mật khẩu 5 lần liên tiếp, tài khoản sẽ bị khóa." in page
    configure(max_failed_logins=3)
    assert "Nhập sai mật khẩu 3 lần liên tiếp" in app.test_client().get("/login/").get_data(as_text=True)
