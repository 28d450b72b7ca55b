"""Server-side sessions: opened at sign-in, looked up once per request, ended by sign-out, reset, lock.

A screen session's cookie holds ``"<user id>:<secret>"`` (Flask-Login's user id); the row keeps the
secret's SHA-256. An API session's row id travels in its signed tokens. One indexed lookup per request
loads the row and the account together.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Optional

from sqlalchemy import delete, select, update

from app.domain import sessions as rules
from app.domain.errors import DomainError
from app.models import AuthSession, CredentialSheet, Staff
from app.services import audit, clock, credential_sheets
from app.settings import settings


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def lifetime(kind: str) -> dt.timedelta:
    s = settings()
    return dt.timedelta(hours=s.session_hours if kind == rules.WEB else s.jwt_refresh_hours)


def open_session(session, person: Staff, kind: str, now: Optional[dt.datetime] = None) -> tuple[AuthSession, str]:
    """Stage a new session of ``person``; return the row and its secret (given out once, never stored)."""
    if kind not in rules.KINDS:
        raise ValueError(f"unknown session kind {kind!r}")
    now = now or clock.now()
    secret = secrets.token_urlsafe(32)
    row = AuthSession(
        secret_hash=_hash(secret), user_id=person.id, kind=kind, session_version=person.session_version or 0,
        created_at=now, expires_at=now + lifetime(kind), ip=(audit.client_address() or "")[:64] or None,
    )
    session.add(row)
    session.flush()
    return row, secret


def cookie_id(person_id: int, secret: str) -> str:
    """The Flask-Login user id of a screen session."""
    return f"{person_id}:{secret}"


def parse_cookie_id(value) -> Optional[tuple[int, str]]:
    user_id, sep, secret = str(value or "").partition(":")
    if not sep or not secret or not user_id.isdigit() or len(secret) > 128:
        return None
    return int(user_id), secret


def facts(row: Optional[AuthSession], person: Optional[Staff]) -> Optional[rules.SessionFacts]:
    if row is None or person is None:
        return None
    return rules.SessionFacts(
        user_id=row.user_id, kind=row.kind, session_version=row.session_version, expires_at=row.expires_at,
        revoked_at=row.revoked_at, account_active=bool(person.is_active),
        account_version=person.session_version or 0, must_change_password=bool(person.must_change_password),
    )


def load_web(session, value) -> tuple[Optional[AuthSession], Optional[Staff], Optional[DomainError]]:
    """The screen session named by a cookie's user id: (row, person, None) or (…, refusal)."""
    parsed = parse_cookie_id(value)
    if parsed is None:
        return None, None, rules.Unauthenticated(*rules.SESSION_ENDED)
    user_id, secret = parsed
    found = session.execute(
        select(AuthSession, Staff).join(Staff, Staff.id == AuthSession.user_id)
        .where(AuthSession.secret_hash == _hash(secret), AuthSession.kind == rules.WEB)
    ).first()
    row, person = (found[0], found[1]) if found else (None, None)
    return row, person, rules.refusal(facts(row, person), clock.now(), user_id=user_id)


def load_api(session, session_id, user_id, version) -> tuple[Optional[AuthSession], Optional[Staff], Optional[DomainError]]:
    """The API session a token names (its ``sid``, ``sub`` and ``sv`` claims)."""
    if not isinstance(session_id, int) or not isinstance(version, int):
        return None, None, rules.Unauthenticated(*rules.SESSION_ENDED)
    found = session.execute(
        select(AuthSession, Staff).join(Staff, Staff.id == AuthSession.user_id)
        .where(AuthSession.id == session_id, AuthSession.kind == rules.API)
    ).first()
    row, person = (found[0], found[1]) if found else (None, None)
    refusal = rules.refusal(facts(row, person), clock.now(), user_id=user_id, forbid_must_change=True)
    if refusal is None and row.session_version != version:
        refusal = rules.Unauthenticated(*rules.SESSION_ENDED)
    return row, person, refusal


def revoke(session, row: AuthSession, reason: str, now: Optional[dt.datetime] = None) -> None:
    """End one session (sign-out). Its credential sheets become unreadable."""
    if row.revoked_at is None:
        row.revoked_at = now or clock.now()
        row.revoked_reason = reason
    credential_sheets.clear_for_sessions(session, [row.id])


def end_all(session, person: Staff, reason: str, keep: Optional[AuthSession] = None) -> None:
    """Sign ``person`` out everywhere (a reset, a lock, a password change), except the ``keep`` session.

    Moving the session version ends every cookie and token made before, whichever worker holds them; the
    rows are marked too, so the record says why and their credential sheets are wiped.
    """
    now = clock.now()
    person.session_version = (person.session_version or 0) + 1
    if person.id is None:
        return
    live = select(AuthSession.id).where(AuthSession.user_id == person.id, AuthSession.revoked_at.is_(None))
    if keep is not None:
        live = live.where(AuthSession.id != keep.id)
    ended = list(session.scalars(live))
    if ended:
        session.execute(update(AuthSession).where(AuthSession.id.in_(ended))
                        .values(revoked_at=now, revoked_reason=reason).execution_options(synchronize_session=False))
        credential_sheets.clear_for_sessions(session, ended)
    if keep is not None:
        keep.session_version = person.session_version


def purge(session, older_than_days: int = 7) -> int:
    """Delete sessions that ended or expired more than ``older_than_days`` ago (a daily cron)."""
    cutoff = clock.now() - dt.timedelta(days=older_than_days)
    old = select(AuthSession.id).where((AuthSession.expires_at < cutoff) | (AuthSession.revoked_at < cutoff))
    ids = list(session.scalars(old))
    if not ids:
        return 0
    credential_sheets.clear_for_sessions(session, ids)
    # Explicitly, not by ON DELETE CASCADE: SQLite enforces foreign keys only when asked to.
    session.execute(delete(CredentialSheet).where(CredentialSheet.session_id.in_(ids))
                    .execution_options(synchronize_session=False))
    n = session.execute(delete(AuthSession).where(AuthSession.id.in_(ids))
                        .execution_options(synchronize_session=False)).rowcount
    return n or 0
