"""The instance's settings, read from the app config once in ``create_app`` and checked there.

A value that would break later (a malformed date, a zero window) stops the start with a Vietnamese
message naming the variable, instead of failing every sign-in afterwards.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Mapping, Optional

from flask import current_app


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
    max_sheet_rows: int = 60_000  # MAX_SHEET_ROWS: rows of one uploaded sheet (Mẫu 01 and later imports)
    max_upload_bytes: int = 32 * 1024 * 1024  # MAX_CONTENT_LENGTH: the size of one upload

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
                problems.append(f"{name} phải từ {maximum:,} trở xuống (đang là {value:,}).".replace(",", "."))
            return value

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
        settings = cls(
            app_env=str(config.get("APP_ENV") or "development"),
            org_name=org_name,
            account_suffix=suffix,
            password_change_days=integer("PASSWORD_CHANGE_DAYS", 5),
            password_deadline=deadline,
            max_failed_logins=integer("MAX_FAILED_LOGINS", 5),
            instance_dir=str(config.get("INSTANCE_DIR") or ""),
            # At most Excel's own 1,048,576 rows; app/excel/guard.py also caps rows x columns (memory).
            max_sheet_rows=integer("MAX_SHEET_ROWS", 60_000, maximum=1_048_576),
            max_upload_bytes=(integer("MAX_CONTENT_LENGTH", 0, minimum=1024)
                              if config.get("MAX_CONTENT_LENGTH") is not None else 32 * 1024 * 1024),
        )
        if problems:
            raise SettingsError("Cấu hình không hợp lệ:\n- " + "\n- ".join(problems))
        return settings


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
