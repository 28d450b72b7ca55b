"""Column types shared by the app's tables."""
from __future__ import annotations

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from app.domain.dates import local, naive_local


class LocalDateTime(TypeDecorator):
    """A moment stored as naive Hà Nội wall time and read back timezone-aware.

    The same on SQLite and PostgreSQL (``timestamp without time zone``): what the app compares is
    always aware, what the database holds is what a person in Hà Nội reads on the clock.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return naive_local(value) if value is not None else None

    def process_result_value(self, value, dialect):
        return local(value) if value is not None else None
