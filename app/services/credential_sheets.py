"""Credential sheets: one-time passwords handed to the admin who issued them, once, in that session.

A sheet is bound to its owner and to the session that made it. Its file key is split between the row
(server half) and the owner's cookie (client half, useless alone); sign-out, a reset or a lock of the
owner wipes the server half and the file. A second download says plainly that the sheet is gone and
that the way to new passwords is a reset.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable, Optional

from sqlalchemy import select

from app.domain.dates import fmt_datetime
from app.domain.errors import Conflict, OutOfReach
from app.models import AuthSession, CredentialSheet, Staff
from app.services import clock, sealed
from app.settings import settings

SOURCES = ("import", "reset")
KEEP = dt.timedelta(hours=24)  # a sheet not downloaded within a day is gone (the view purges old files)


def folder() -> Path:
    path = Path(settings().instance_dir) / "mau01" / "credentials"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(session, data: bytes, owner: Staff, auth_session: AuthSession, source: str, accounts: int) -> tuple[str, str]:
    """Seal a sheet for ``owner`` in ``auth_session``; return (token, client half in hex) for their cookie."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    server_half, client_half = sealed.split_key()
    token = sealed.store(folder(), data, sealed.join_key(server_half, client_half))
    session.add(CredentialSheet(token=token, owner_id=owner.id, session_id=auth_session.id, source=source,
                                accounts=accounts, server_half=server_half.hex(), created_at=clock.now()))
    session.flush()
    return token, client_half.hex()


def _reset_advice(row: CredentialSheet) -> str:
    who = "người" if row.accounts == 1 else f"{row.accounts} người"
    return (f"Nếu chưa có tệp, hãy cấp lại mật khẩu cho {who} trong bảng (Tổ chức → Cán bộ, công chức → chọn "
            "người → Cấp lại mật khẩu): mỗi lần cấp lại sẽ có mật khẩu mới và bảng mới.")


def already_downloaded(row: CredentialSheet) -> Conflict:
    return Conflict("already_downloaded",
                    f"Bảng mật khẩu này đã được tải về lúc {fmt_datetime(row.downloaded_at)} và chỉ tải được một lần: "
                    f"hệ thống không giữ lại mật khẩu. {_reset_advice(row)}")


def expired(row: CredentialSheet) -> Conflict:
    return Conflict("sheet_expired",
                    "Bảng mật khẩu này không còn tải được: nó chỉ dùng được trong phiên đăng nhập đã tạo ra nó "
                    f"(đăng xuất là hết) và trong vòng 24 giờ. {_reset_advice(row)}")


def take(session, token: str, owner: Staff, auth_session: Optional[AuthSession], client_half: Optional[str]) -> bytes:
    """The sheet's bytes, once, for its owner in the session that made it; the file and key go with it.

    Another person's sheet is answered as missing; the owner's own sheet that was already downloaded, or
    whose session ended, gets a refusal that says what to do.
    """
    row = session.scalar(select(CredentialSheet).where(CredentialSheet.token == str(token)[:43]))
    if row is None or row.owner_id != owner.id:
        raise OutOfReach("not_found", "Không có bảng mật khẩu này.")
    if row.downloaded_at is not None:
        raise already_downloaded(row)
    now = clock.now()
    if (auth_session is None or row.session_id != auth_session.id or row.server_half is None or not client_half
            or now - row.created_at > KEEP):
        raise expired(row)
    try:
        key = sealed.join_key(bytes.fromhex(row.server_half), bytes.fromhex(client_half))
        data = sealed.take(folder(), row.token, key)
    except (ValueError, sealed.SealError):
        raise expired(row) from None
    row.downloaded_at = now
    row.server_half = None
    return data


def clear_for_sessions(session, session_ids: Iterable[int]) -> int:
    """Wipe the server halves and files of the sheets of ended sessions; return how many."""
    ids = list(session_ids)
    if not ids:
        return 0
    rows = session.scalars(select(CredentialSheet).where(CredentialSheet.session_id.in_(ids),
                                                         CredentialSheet.server_half.is_not(None))).all()
    now = clock.now()
    for row in rows:
        sealed.discard(folder(), row.token)
        row.server_half = None
        row.cleared_at = now
    return len(rows)
