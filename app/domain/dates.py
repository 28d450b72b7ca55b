"""Dates as the district reads them: Hà Nội time, ``dd/mm/yyyy``."""
from __future__ import annotations

import datetime as dt
from typing import Optional, Union

try:
    from zoneinfo import ZoneInfo

    TZ: dt.tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # no tz database on the machine: Hà Nội has kept UTC+7 since 1975
    TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")


def local(value: dt.datetime) -> dt.datetime:
    """``value`` as an aware Hà Nội time (a naive value is taken to be Hà Nội time already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=TZ)
    return value.astimezone(TZ)


def naive_local(value: dt.datetime) -> dt.datetime:
    """``value`` as naive Hà Nội wall time, the way the database stores it."""
    return local(value).replace(tzinfo=None)


def fmt_date(value: Optional[Union[dt.date, dt.datetime]]) -> str:
    """``dd/mm/yyyy`` (blank for None)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)
    return f"{value:%d/%m/%Y}"


def fmt_datetime(value: Optional[dt.datetime]) -> str:
    """``dd/mm/yyyy HH:MM`` in Hà Nội time (blank for None)."""
    if value is None:
        return ""
    return f"{local(value):%d/%m/%Y %H:%M}"
