"""The clock, injectable: tests set a fixed time instead of sleeping."""
from __future__ import annotations

import datetime as _dt
from typing import Callable

_now: Callable[[], _dt.datetime] = lambda: _dt.datetime.now().replace(microsecond=0)  # noqa: E731


def now() -> _dt.datetime:
    """Local wall-clock time (naive, as stored in the database)."""
    return _now()


def set_clock(func: Callable[[], _dt.datetime] | None) -> None:
    """Replace the clock (tests); None restores the real one."""
    global _now
    _now = func or (lambda: _dt.datetime.now().replace(microsecond=0))
