"""The one transaction boundary: views, commands and API resources commit through ``unit_of_work``.

Services only stage and flush. When a block raises, everything it staged is rolled back; a refusal
(``DomainError``) that carries audit rows (``audit.refusal``) has them written after the rollback, in
their own transaction, so an attempt is on record even though nothing else changed.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from app.domain.errors import DomainError


def _session(session=None):
    if session is not None:
        return session
    from app.extensions import db

    return db.session


def abort(session, exc: BaseException) -> None:
    """Undo what was staged; keep the audit rows a refusal carries."""
    session.rollback()
    rows = getattr(exc, "audit_rows", None) if isinstance(exc, DomainError) else None
    if rows:
        from app.services import audit

        try:
            for fields in rows:
                audit.add_event(session, fields)
            session.commit()
        except Exception:  # the refusal itself must still reach the person
            session.rollback()
            raise


@contextmanager
def unit_of_work(session=None) -> Iterator:
    """Commit what the block staged, or roll it all back (see ``abort``)."""
    session = _session(session)
    try:
        yield session
    except BaseException as exc:
        abort(session, exc)
        raise
    session.commit()


def run(fn, *args, session=None, **kwargs):
    """``fn(session, *args, **kwargs)`` in one unit of work; returns its result."""
    with unit_of_work(session) as s:
        return fn(s, *args, **kwargs)


__all__ = ["unit_of_work", "abort", "run"]
