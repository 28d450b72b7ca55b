"""Search and sort the way people read Vietnamese names.

- Name search ignores case and diacritics: a filter on ``full_name`` or ``name`` compares the folded
  ``name_key`` column with ``fold()`` of what was typed, so "nguyen", "NGUYỄN" and "Nguyễn" find the
  same people. Every text column offers "Chứa" (contains) first: FAB preselects the first filter.
- Names sort in Vietnamese order ("Dương" before "Đặng", "Tổ" before "Tư"): on PostgreSQL with ICU's
  Vietnamese collation, on SQLite with a collation built from ``domain.text.collation_key``. Both
  give the same order (tests/domain/test_text.py and tests/views/test_search_sort.py).

Views use ``AppInterface`` instead of FAB's ``SQLAInterface``.
"""
from __future__ import annotations

import logging
from typing import Optional

from flask_appbuilder.models.sqla.filters import (
    FilterContains,
    FilterEqual,
    FilterNotContains,
    FilterNotEqual,
    FilterStartsWith,
    SQLAFilterConverter,
)
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import asc, collate, desc, event, text

from app.domain.text import collation_compare, fold

log = logging.getLogger(__name__)

# A displayed name column and the folded column that matches it.
FOLDED_KEYS = {"full_name": "name_key", "name": "name_key"}
SQLITE_COLLATION = "vi"
POSTGRES_COLLATION = "vi-x-icu"


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Folded:
    """Mixin: the filter applies to the folded key with the folded input.

    FAB's REST layer looks filter classes up by operator name in one global table, so one of these
    may be handed another column: that column is then filtered as FAB would (the parent class).
    """

    def _key(self):
        key = FOLDED_KEYS.get(self.column_name)
        return getattr(self.model, key, None) if key else None

    @staticmethod
    def _value(value) -> str:
        return _like_escape(fold(value))


class FoldedContains(_Folded, FilterContains):
    def apply(self, query, value):
        if self._key() is None:
            return super().apply(query, value)
        return query.filter(self._key().like(f"%{self._value(value)}%", escape="\\"))


class FoldedStartsWith(_Folded, FilterStartsWith):
    def apply(self, query, value):
        if self._key() is None:
            return super().apply(query, value)
        return query.filter(self._key().like(f"{self._value(value)}%", escape="\\"))


class FoldedEqual(_Folded, FilterEqual):
    def apply(self, query, value):
        if self._key() is None:
            return super().apply(query, value)
        return query.filter(self._key() == fold(value))


class FoldedNotContains(_Folded, FilterNotContains):
    def apply(self, query, value):
        if self._key() is None:
            return super().apply(query, value)
        return query.filter(~self._key().like(f"%{self._value(value)}%", escape="\\"))


class FoldedNotEqual(_Folded, FilterNotEqual):
    def apply(self, query, value):
        if self._key() is None:
            return super().apply(query, value)
        return query.filter(self._key() != fold(value))


FOLDED_FILTERS = [FoldedContains, FoldedStartsWith, FoldedEqual, FoldedNotContains, FoldedNotEqual]


class AppFilterConverter(SQLAFilterConverter):
    """FAB's filters, with folded name filters and "contains" first for every text column."""

    def convert(self, col_name):
        model = self.datamodel.obj
        key = FOLDED_KEYS.get(col_name)
        if key and hasattr(model, key) and hasattr(model, col_name):
            return [f(col_name, self.datamodel) for f in FOLDED_FILTERS]
        filters = super().convert(col_name)
        if filters and any(type(f) is FilterContains for f in filters):
            filters.sort(key=lambda f: 0 if type(f) is FilterContains else 1)
        return filters


def _dialect_collation(session) -> Optional[str]:
    """The Vietnamese collation this database offers, or None (then names sort by the folded key)."""
    bind = session.get_bind()
    cached = getattr(bind, "_vi_collation", ...)
    if cached is not ...:
        return cached
    name = None
    if bind.dialect.name == "sqlite":
        name = SQLITE_COLLATION
    elif bind.dialect.name == "postgresql":
        with bind.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_collation WHERE collname = :n"), {"n": POSTGRES_COLLATION}).first()
        name = POSTGRES_COLLATION if found else None
        if name is None:
            log.warning("PostgreSQL has no ICU collation %s: names sort by their folded form", POSTGRES_COLLATION)
    bind._vi_collation = name
    return name


class AppInterface(SQLAInterface):
    """FAB's SQLAlchemy interface with Vietnamese search and order on name columns."""

    filter_converter_class = AppFilterConverter

    def _name_column(self) -> Optional[str]:
        for col in ("full_name", "name"):
            if hasattr(self.obj, col) and hasattr(self.obj, FOLDED_KEYS[col]):
                return col
        return None

    def apply_order_by(self, query, order_column, order_direction, aliases_mapping=None,
                       bypass_many_to_many=False, add_pk=False):
        name = self._name_column()
        if name is None or order_column not in (name, FOLDED_KEYS[name]):
            return super().apply_order_by(query, order_column, order_direction, aliases_mapping,
                                          bypass_many_to_many, add_pk)
        direction = desc if order_direction == "desc" else asc
        collation = _dialect_collation(self.session)
        column = getattr(self.obj, name)
        expr = collate(column, collation) if collation else getattr(self.obj, FOLDED_KEYS[name])
        # The primary key breaks ties, so pages never repeat or skip a row.
        return query.order_by(direction(expr), direction(self.get_pk()))


def install_collation(engine) -> None:
    """Give every SQLite connection the Vietnamese collation (PostgreSQL has ICU's)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _add_collation(dbapi_connection, _record):
        dbapi_connection.create_collation(SQLITE_COLLATION, collation_compare)

    engine.dispose()  # connections opened before this listener existed lack the collation


__all__ = ["AppInterface", "AppFilterConverter", "install_collation", "FOLDED_FILTERS"]
