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


def _env(name: str, default: int):
    """An environment value as given (checked by app.settings), or the default."""
    value = os.environ.get(name)
    return default if value is None or not value.strip() else value.strip()


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

    # Account lifecycle (letter 875-CV/HU). Numbers stay as given: app/settings.py checks them with a
    # Vietnamese message naming the variable, instead of a traceback at import.
    PASSWORD_CHANGE_DAYS = _env("PASSWORD_CHANGE_DAYS", 5)
    PASSWORD_DEADLINE = os.environ.get("PASSWORD_DEADLINE") or None  # YYYY-MM-DD
    MAX_FAILED_LOGINS = _env("MAX_FAILED_LOGINS", 5)
    PASSWORD_MIN_SCORE = _env("PASSWORD_MIN_SCORE", 3)  # zxcvbn score 0..4 a chosen password must reach

    # Sessions and API tokens: every one is a row (auth_session) that sign-out, a reset or a lock ends.
    SESSION_HOURS = _env("SESSION_HOURS", 8)  # a screen session, from sign-in
    JWT_ACCESS_MINUTES = _env("JWT_ACCESS_MINUTES", 15)  # API access token
    JWT_REFRESH_HOURS = _env("JWT_REFRESH_HOURS", 8)  # API session (refresh token), from sign-in

    # Sign-in throttling, counted in the database (holds across gunicorn workers). Only failures count.
    SIGNIN_WINDOW_MINUTES = _env("SIGNIN_WINDOW_MINUTES", 15)
    SIGNIN_MAX_FAILURES_PER_ACCOUNT = _env("SIGNIN_MAX_FAILURES_PER_ACCOUNT", 10)
    SIGNIN_MAX_FAILURES_PER_ADDRESS = _env("SIGNIN_MAX_FAILURES_PER_ADDRESS", 100)  # a whole office behind one NAT
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated). Empty:
    # the header is ignored and the peer address is the client.
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")

    # Monthly evaluation: default day windows, as days of the period's last month (past its end: next month).
    EVAL_SELF_WINDOW = os.environ.get("EVAL_SELF_WINDOW", "20-25")
    EVAL_COMMENT_WINDOW = os.environ.get("EVAL_COMMENT_WINDOW", "20-28")
    EVAL_GRADING_WINDOW = os.environ.get("EVAL_GRADING_WINDOW", "20-34")

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
    # FAB's developer screens of raw permissions, menus and views: not registered (views/roles.py
    # shows roles and what they may do, in Vietnamese).
    FAB_ADD_SECURITY_PERMISSION_VIEW = False
    FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
    FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False
    FAB_API_SWAGGER_UI = True  # /swagger/v1: FAB's own static assets (template app/templates/appbuilder/swagger)
    FAB_API_MAX_PAGE_SIZE = 500
    # FAB's Flask-Limiter on the sign-in page counts successful sign-ins too (a whole office behind one
    # address is refused with a bare English 429). Off: the database throttle (SIGNIN_*) replaces it.
    AUTH_RATE_LIMITED = False
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
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
    # PERMANENT_SESSION_LIFETIME follows SESSION_HOURS (set by the security manager once it is checked).
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024  # uploads (Mẫu 01 sheets)
    MAX_SHEET_ROWS = os.environ.get("MAX_SHEET_ROWS", "60000")  # rows of one uploaded sheet (checked in settings)
    # Synthesis: reminders by e-mail (SMTP_HOST empty: in-app notices only), feedback window, roll-up policy.
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = os.environ.get("SMTP_PORT", "25")
    SMTP_FROM = os.environ.get("SMTP_FROM", "")
    SMTP_USER = os.environ.get("SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "0")
    REMIND_DAYS_BEFORE = os.environ.get("REMIND_DAYS_BEFORE", "2")
    FEEDBACK_DAYS = os.environ.get("FEEDBACK_DAYS", "10")
    ROLLUP_POLICY = os.environ.get("ROLLUP_POLICY", "nd335")


def check_production(config: dict) -> None:
    """Refuse to run in production on a default or short secret key."""
    if config.get("APP_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise RuntimeError(
            "SECRET_KEY phải được đặt (ít nhất 32 ký tự) khi chạy APP_ENV=production."
        )
