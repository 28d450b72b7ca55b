"""The instance's settings, read from the app config once in ``create_app`` and checked there.

A value that would break later (a malformed date, a zero window) stops the start with a Vietnamese
message naming the variable, instead of failing every sign-in afterwards.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from typing import Any, Mapping, Optional

from flask import current_app

from app.domain.errors import ValidationError
from app.domain.evaluation.periods import DEFAULT_SPANS, parse_span


class SettingsError(RuntimeError):
    """The configuration cannot run; the message lists every problem."""


@dataclasses.dataclass(frozen=True)
class Settings:
    app_env: str
    org_name: str
    account_suffix: str
    password_change_days: int
    password_deadline: Optional[dt.date]
    max_failed_logins: int
    instance_dir: str
    password_min_score: int = 3
    session_hours: int = 8
    jwt_access_minutes: int = 15
    jwt_refresh_hours: int = 8
    signin_window_minutes: int = 15
    signin_failures_per_account: int = 10
    signin_failures_per_address: int = 100
    trusted_proxies: tuple = ()  # ipaddress networks whose X-Forwarded-For is believed
    # Default day windows of a period (EVAL_SELF_WINDOW, EVAL_COMMENT_WINDOW, EVAL_GRADING_WINDOW).
    eval_windows: Mapping[str, Any] = dataclasses.field(default_factory=lambda: dict(DEFAULT_SPANS))
    max_sheet_rows: int = 60_000  # MAX_SHEET_ROWS: rows of one uploaded sheet (Mẫu 01 and later imports)
    max_upload_bytes: int = 32 * 1024 * 1024  # MAX_CONTENT_LENGTH: the size of one upload
    # Synthesis (issue 10): reminders, feedback on results, the roll-up's proposed grade.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = ""
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    remind_days_before: int = 2
    feedback_days: int = 10
    rollup_policy: str = "nd335"

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> "Settings":
        problems: list[str] = []

        def integer(name: str, default: int, minimum: int = 1, maximum: Optional[int] = None) -> int:
            raw = config.get(name, default)
            try:
                value = int(raw)
            except (TypeError, ValueError):
                problems.append(f"{name} phải là một số nguyên (đang là “{raw}”).")
                return default
            if value < minimum:
                problems.append(f"{name} phải từ {minimum} trở lên (đang là {value}).")
            elif maximum is not None and value > maximum:
                problems.append(f"{name} phải từ {minimum} đến {maximum} (đang là {value}).")
            return value

        proxies = []
        raw_proxies = config.get("TRUSTED_PROXIES") or ()
        if isinstance(raw_proxies, str):
            raw_proxies = raw_proxies.replace(";", ",").split(",")
        for item in raw_proxies:
            item = str(item).strip()
            if not item:
                continue
            try:
                proxies.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                problems.append(f"TRUSTED_PROXIES phải là các địa chỉ IP hoặc dải mạng, cách nhau bởi dấu phẩy "
                                f"(“{item}” không hợp lệ).")

        deadline = config.get("PASSWORD_DEADLINE") or None
        if isinstance(deadline, str):
            try:
                deadline = dt.date.fromisoformat(deadline.strip())
            except ValueError:
                problems.append(f"PASSWORD_DEADLINE phải là một ngày dạng YYYY-MM-DD (đang là “{deadline}”).")
                deadline = None
        elif deadline is not None and not isinstance(deadline, dt.date):
            problems.append("PASSWORD_DEADLINE phải là một ngày dạng YYYY-MM-DD.")
            deadline = None
        suffix = str(config.get("ACCOUNT_SUFFIX") or "").strip()
        if not suffix or not suffix.isascii() or not suffix.replace("_", "").isalnum() or suffix != suffix.lower():
            problems.append(f"ACCOUNT_SUFFIX phải là chữ thường không dấu, không khoảng trắng (đang là “{suffix}”).")
        org_name = str(config.get("ORG_NAME") or config.get("DISTRICT_NAME") or "").strip()
        if not org_name:
            problems.append("DISTRICT_NAME (tên đơn vị gốc) không được để trống.")
        eval_windows = _eval_windows(config, problems)
        settings = cls(
            app_env=str(config.get("APP_ENV") or "development"),
            org_name=org_name,
            account_suffix=suffix,
            password_change_days=integer("PASSWORD_CHANGE_DAYS", 5),
            password_deadline=deadline,
            max_failed_logins=integer("MAX_FAILED_LOGINS", 5),
            instance_dir=str(config.get("INSTANCE_DIR") or ""),
            password_min_score=integer("PASSWORD_MIN_SCORE", 3, minimum=0, maximum=4),
            session_hours=integer("SESSION_HOURS", 8, maximum=24 * 30),
            jwt_access_minutes=integer("JWT_ACCESS_MINUTES", 15, maximum=24 * 60),
            jwt_refresh_hours=integer("JWT_REFRESH_HOURS", 8, maximum=24 * 30),
            signin_window_minutes=integer("SIGNIN_WINDOW_MINUTES", 15, maximum=24 * 60),
            signin_failures_per_account=integer("SIGNIN_MAX_FAILURES_PER_ACCOUNT", 10),
            signin_failures_per_address=integer("SIGNIN_MAX_FAILURES_PER_ADDRESS", 100),
            trusted_proxies=tuple(proxies),
            eval_windows=eval_windows,
            # At most Excel's own 1,048,576 rows; app/excel/guard.py also caps rows x columns (memory).
            max_sheet_rows=integer("MAX_SHEET_ROWS", 60_000, maximum=1_048_576),
            max_upload_bytes=(integer("MAX_CONTENT_LENGTH", 0, minimum=1024)
                              if config.get("MAX_CONTENT_LENGTH") is not None else 32 * 1024 * 1024),
        )
        settings = dataclasses.replace(settings, **_synthesis(config, integer, problems))
        if settings.signin_failures_per_address < settings.signin_failures_per_account:
            problems.append("SIGNIN_MAX_FAILURES_PER_ADDRESS phải lớn hơn hoặc bằng SIGNIN_MAX_FAILURES_PER_ACCOUNT "
                            "(nhiều người dùng chung một địa chỉ mạng).")
        if problems:
            raise SettingsError("Cấu hình không hợp lệ:\n- " + "\n- ".join(problems))
        return settings


ROLLUP_POLICIES = ("nd335", "counting")


def _synthesis(config: Mapping[str, Any], integer, problems: list[str]) -> dict[str, Any]:
    """SMTP_*, REMIND_DAYS_BEFORE, FEEDBACK_DAYS, ROLLUP_POLICY."""
    host = str(config.get("SMTP_HOST") or "").strip()
    sender = str(config.get("SMTP_FROM") or "").strip()
    if host and "@" not in sender:
        problems.append(f"SMTP_FROM phải là một địa chỉ thư điện tử khi đã đặt SMTP_HOST (đang là “{sender}”).")
    starttls = str(config.get("SMTP_STARTTLS") or "0").strip().lower()
    if starttls not in ("0", "1", "true", "false", "yes", "no", ""):
        problems.append(f"SMTP_STARTTLS phải là 0 hoặc 1 (đang là “{starttls}”).")
    policy = str(config.get("ROLLUP_POLICY") or "nd335").strip().lower()
    if policy not in ROLLUP_POLICIES:
        problems.append(f"ROLLUP_POLICY phải là một trong {', '.join(ROLLUP_POLICIES)} (đang là “{policy}”).")
    return {
        "smtp_host": host,
        "smtp_port": integer("SMTP_PORT", 25, maximum=65535),
        "smtp_from": sender,
        "smtp_user": str(config.get("SMTP_USER") or ""),
        "smtp_password": str(config.get("SMTP_PASSWORD") or ""),
        "smtp_starttls": starttls in ("1", "true", "yes"),
        "remind_days_before": integer("REMIND_DAYS_BEFORE", 2, minimum=0, maximum=60),
        "feedback_days": integer("FEEDBACK_DAYS", 10, maximum=365),
        "rollup_policy": policy,
    }


EVAL_WINDOW_VARIABLES = {
    "self_assessment": "EVAL_SELF_WINDOW",
    "comment": "EVAL_COMMENT_WINDOW",
    "grading": "EVAL_GRADING_WINDOW",
}


def _eval_windows(config: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """The evaluation's default windows ("20-25": days of the period's last month), ends in step order."""
    spans = dict(DEFAULT_SPANS)
    for step, name in EVAL_WINDOW_VARIABLES.items():
        raw = config.get(name)
        if raw is None or raw == "":
            continue
        try:
            spans[step] = parse_span(raw, name)
        except ValidationError as exc:
            problems.append(exc.message)
    if spans["comment"].end < spans["self_assessment"].end or spans["grading"].end < spans["comment"].end:
        problems.append("EVAL_SELF_WINDOW, EVAL_COMMENT_WINDOW, EVAL_GRADING_WINDOW phải kết thúc theo thứ tự "
                        "tự đánh giá → nhận xét → đánh giá, xếp loại.")
    return spans


def install(app, settings: Settings) -> None:
    app.extensions["settings"] = settings


def settings() -> Settings:
    """The running app's settings."""
    return current_app.extensions["settings"]


def replace(app, **changes) -> Settings:
    """Change some settings of a running app (tests); returns the previous ones to restore."""
    previous = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(previous, **changes)
    return previous
