"""§1.10: sign-in throttling an office can live with. Failures count per account and per address, in the
database; successes never count; X-Forwarded-For is believed only from TRUSTED_PROXIES."""
from __future__ import annotations

import ipaddress

import pytest
from sqlalchemy import select

from tests.conftest import flashes
from tests.domain.test_accounts import is_vietnamese
from tests.security.conftest import api_login, login

OFFICE = "203.0.113.10"  # one NAT address for a whole office


def _attempt_ips(app):
    from app.extensions import db
    from app.models import SignInAttempt

    with app.app_context():
        return [a.ip for a in db.session.scalars(select(SignInAttempt).order_by(SignInAttempt.id))]


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


@pytest.fixture
def default_app(database_url, tmp_path):
    """The app as production builds it (no test overrides of the rate limits), on the test database."""
    from app import create_app
    from app.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                      "INSTANCE_DIR": str(tmp_path)})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_21_colleagues_behind_one_address_all_sign_in(app, default_app, make_person, calendar):
    colleagues = [make_person() for _ in range(21)]
    for person in colleagues:
        client = default_app.test_client()
        response = login(client, person["username"], person["password"], environ_base={"REMOTE_ADDR": OFFICE})
        assert response.status_code == 200, response.status_code
        assert _signed_in(client), person["username"]
    assert _attempt_ips(app) == []  # successes are never counted


def test_20_failures_from_an_office_do_not_shut_it_out(app, make_person, calendar):
    colleague = make_person()
    office = {"environ_base": {"REMOTE_ADDR": OFFICE}}
    for i in range(20):  # twenty typos of twenty people
        login(app.test_client(), f"nhamten{i}_badinh", "sai", **office)
    client = app.test_client()
    page = login(client, colleague["username"], colleague["password"], **office).get_data(as_text=True)
    assert not any("quá nhiều lần" in m for m in flashes(page))
    assert _signed_in(client)


def test_an_attacker_at_one_address_is_stopped_and_told_when_to_retry(app, make_person, calendar, configure):
    limit = 5
    configure(signin_failures_per_address=limit)
    colleague = make_person()
    for i in range(limit):
        login(app.test_client(), f"doan{i}_badinh", "sai", environ_base={"REMOTE_ADDR": OFFICE})
    page = login(app.test_client(), colleague["username"], colleague["password"],
                 environ_base={"REMOTE_ADDR": OFFICE}).get_data(as_text=True)
    message = next(m for m in flashes(page) if "từ địa chỉ này" in m)
    assert "thử lại sau 15 phút" in message and is_vietnamese(message)
    elsewhere = app.test_client()  # another address is not affected
    login(elsewhere, colleague["username"], colleague["password"], environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert _signed_in(elsewhere)
    calendar(minutes=15, seconds=1)
    later = app.test_client()
    login(later, colleague["username"], colleague["password"], environ_base={"REMOTE_ADDR": OFFICE})
    assert _signed_in(later)


def test_one_account_is_throttled_from_any_number_of_addresses(app, make_person, calendar):
    """A locked account no longer answers password guesses (the lock reason is only told to the right
    password): after SIGNIN_MAX_FAILURES_PER_ACCOUNT failures the password is not even checked."""
    me = make_person()
    per_account = app.extensions["settings"].signin_failures_per_account
    for i in range(per_account):
        login(app.test_client(), me["username"], f"sai-{i}", environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"})
    page = login(app.test_client(), me["username"], me["password"],
                 environ_base={"REMOTE_ADDR": "192.0.2.77"}).get_data(as_text=True)
    shown = flashes(page)
    assert any("Tài khoản này đã đăng nhập sai" in m for m in shown), shown
    assert not any("Lý do" in m for m in shown)  # the lock is not confirmed to a guesser
    # The same refusal for a username that does not exist: nothing is learnt about which exist.
    for i in range(per_account):
        login(app.test_client(), "khongcoai_badinh", "x", environ_base={"REMOTE_ADDR": f"198.51.100.{i + 1}"})
    page = login(app.test_client(), "khongcoai_badinh", "x", environ_base={"REMOTE_ADDR": "192.0.2.78"})
    assert any("Tài khoản này đã đăng nhập sai" in m for m in flashes(page.get_data(as_text=True)))


def test_the_api_login_is_throttled_with_a_vietnamese_429(app, calendar, configure):
    configure(signin_failures_per_address=3, signin_failures_per_account=3)
    client = app.test_client()
    for i in range(3):
        assert api_login(client, f"ai{i}_badinh", "x").status_code == 401
    response = api_login(client, "admin", "x")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    body = response.get_json()
    assert body["code"] == "too_many_attempts" and is_vietnamese(body["message"])


def test_x_forwarded_for_from_an_untrusted_client_is_ignored(app, calendar, configure):
    configure(signin_failures_per_address=3, signin_failures_per_account=3, trusted_proxies=())
    for i in range(3):
        login(app.test_client(), f"gia{i}_badinh", "x", headers={"X-Forwarded-For": f"192.0.2.{i + 1}"})
    assert _attempt_ips(app) == ["127.0.0.1"] * 3
    page = login(app.test_client(), "gia9_badinh", "x", headers={"X-Forwarded-For": "192.0.2.99"})
    assert any("từ địa chỉ này" in m for m in flashes(page.get_data(as_text=True)))


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(app, calendar, configure):
    configure(trusted_proxies=(ipaddress.ip_network("10.0.0.0/24"),))
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    login(app.test_client(), "mot_badinh", "x", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.7"})
    # The client forged an entry; the proxy appended what it saw: the rightmost untrusted entry counts.
    login(app.test_client(), "hai_badinh", "x", environ_base=proxy, headers={"X-Forwarded-For": "1.2.3.4, 198.51.100.8"})
    # Two proxies in a row, both trusted.
    login(app.test_client(), "ba_badinh", "x", environ_base=proxy, headers={"X-Forwarded-For": "198.51.100.9, 10.0.0.2"})
    # A peer outside TRUSTED_PROXIES is the client, whatever it says.
    login(app.test_client(), "bon_badinh", "x", environ_base={"REMOTE_ADDR": "192.0.2.5"},
          headers={"X-Forwarded-For": "198.51.100.10"})
    assert _attempt_ips(app) == ["198.51.100.7", "198.51.100.8", "198.51.100.9", "192.0.2.5"]


@pytest.mark.parametrize("header,hops", [
    ("", 0),
    ("198.51.100.7", 1),
    ("1.2.3.4, 198.51.100.7", 1),
    ("198.51.100.7, 10.0.0.2, 10.0.0.3", 3),
    ("10.0.0.2, 10.0.0.3", 2),
    ("rác, 10.0.0.2", 1),
])
def test_client_hops(header, hops):
    from app.security.http import client_hops

    assert client_hops(header, (ipaddress.ip_network("10.0.0.0/24"),)) == hops


def test_fab_rate_limiter_is_off_in_the_shipped_config():
    from config import Config

    assert Config.AUTH_RATE_LIMITED is False
