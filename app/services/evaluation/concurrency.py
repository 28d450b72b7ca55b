"""Optimistic concurrency of a sheet: one of two simultaneous changes wins, the other is told to reload.

Two layers, both ending in Conflict ``stale``:
1. ``check_version(sheet, version)``: the version the client loaded (form field, API body) must be the
   stored one — catches a change made between the person loading the page and submitting it;
2. the mapper's ``version_id_col`` (``Sheet.version``): the ORM's ``UPDATE … WHERE version = :v``
   matches no row when another transaction committed in between; ``flush(session)`` turns SQLAlchemy's
   ``StaleDataError`` into the same Conflict — catches two requests racing in the same second.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy.orm.exc import StaleDataError

from app.domain.errors import Conflict

STALE_CODE = "stale"
STALE_MESSAGE = "Phiếu đã được người khác thay đổi, hãy tải lại."


def stale() -> Conflict:
    return Conflict(STALE_CODE, STALE_MESSAGE, "version")


def check_version(sheet, version: Any) -> None:
    """Refuse a change based on another version of the sheet than the stored one."""
    try:
        given = int(version)
    except (TypeError, ValueError):
        raise stale() from None
    if given != sheet.version:
        raise stale()


@contextmanager
def stale_guard() -> Iterator[None]:
    try:
        yield
    except StaleDataError as exc:
        raise stale() from exc


def flush(session) -> None:
    """Flush, reporting a lost race on a sheet as Conflict ``stale``."""
    with stale_guard():
        session.flush()


__all__ = ["STALE_CODE", "STALE_MESSAGE", "stale", "check_version", "stale_guard", "flush"]
