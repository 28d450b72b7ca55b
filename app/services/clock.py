"""The clock: Hà Nội time, timezone-aware, injectable (tests set a fixed time instead of sleeping)."""
from __future__ import annotations

import datetime as _dt
from typing import Callable, Optional

from app.domain.dates import TZ, local


def _real() -> _dt.datetime:
    return _dt.datetime.now(TZ).replace(microsecond=0)


_now: Callable[[], _dt.datetime] = _real


def now() -> _dt.datetime:
    """The current time in Asia/Ho_Chi_Minh, aware (an injected naive time is read as Hà Nội time)."""
    return local(_now())


def today() -> _dt.date:
    return now().date()


def set_clock(func: Optional[Callable[[], _dt.datetime]]) -> None:
    """Replace the clock (tests); None restores the real one."""
    global _now
    _now = func or _real
