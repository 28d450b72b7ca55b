"""Settings from the environment. Every value a district changes is an environment variable."""
from __future__ import annotations

import os
from pathlib import Path

from flask_appbuilder.security.manager import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))

# A development key; production (APP_ENV=production) refuses to start with it.
DEV_SECRET_KEY = "dev-only-secret-key-change-me"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url() -> str:
    """DATABASE_URL, with postgres:// and postgresql:// pointed at psycopg 3."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'danhgia.db'}"
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Values read once when the app is created."""

    APP_ENV = os.environ.get("APP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)

    DISTRICT_NAME = os.environ.get("DISTRICT_NAME", "Quận Ba Đình")
    ACCOUNT_SUFFIX = os.environ.get("ACCOUNT_SUFFIX", "badinh")

    SQLALCHEMY_DATABASE_URI = database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Account lifecycle (letter 875-CV/HU).
    PASSWORD_CHANGE_DAYS = int(os.environ.get("PASSWORD_CHANGE_DAYS", "5"))
    PASSWORD_DEADLINE = os.environ.get("PASSWORD_DEADLINE") or None  # YYYY-MM-DD
    MAX_FAILED_LOGINS = int(os.environ.get("MAX_FAILED_LOGINS", "5"))

    # Flask-AppBuilder
    APP_NAME = os.environ.get("APP_NAME", "Đánh giá, xếp loại hằng tháng")
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.DistrictSecurityManager"
    FAB_CREATE_DB = False  # the schema comes from Alembic migrations only
    FAB_UPDATE_PERMS = _bool("FAB_UPDATE_PERMS", False)  # `flask setup` syncs permissions
    FAB_ADD_SECURITY_VIEWS = True
    FAB_API_SWAGGER_UI = False  # Swagger UI loads assets from a CDN
    FAB_API_MAX_PAGE_SIZE = 500
    AUTH_RATE_LIMITED = _bool("AUTH_RATE_LIMITED", True)
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "20 per 5 minute")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    # Shared storage makes the limit hold across gunicorn workers (e.g. redis://127.0.0.1:6379).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = {"vi": {"flag": "vn", "name": "Tiếng Việt"}}

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", APP_ENV == "production")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024  # uploads (Mẫu 01 sheets)
    MAX_SHEET_ROWS = os.environ.get("MAX_SHEET_ROWS", "60000")  # rows of one uploaded sheet (checked in settings)


def check_production(config: dict) -> None:
    """Refuse to run in production on a default or short secret key."""
    if config.get("APP_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY phải được đặt (ít nhất 32 ký tự) khi chạy APP_ENV=production."
        )
