"""Settings from the environment."""
import pytest

from config import DEV_SECRET_KEY, check_production, database_url


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "", "short"])
def test_production_refuses_a_default_or_short_key(key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production({"APP_ENV": "production", "SECRET_KEY": key})


def test_production_accepts_a_real_key_and_development_anything():
    check_production({"APP_ENV": "production", "SECRET_KEY": "x" * 40})
    check_production({"APP_ENV": "development", "SECRET_KEY": DEV_SECRET_KEY})


@pytest.mark.parametrize("given,expected", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url_uses_psycopg3(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    assert database_url() == expected


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url().startswith("sqlite:///") and database_url().endswith("danhgia.db")


def test_create_app_refuses_production_default_key(monkeypatch):
    from app import create_app

    with pytest.raises(RuntimeError):
        create_app({"APP_ENV": "production", "SECRET_KEY": DEV_SECRET_KEY})
