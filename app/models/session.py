"""Server-side sessions (screen and API) and the credential sheets they own."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Integer, String

from app.models.types import LocalDateTime


class AuthSession(Model):
    """One sign-in: a screen session (its id is in the Flask-Login cookie) or an API session (its id is in
    the access and refresh tokens).

    The cookie holds a random secret; the row keeps only its SHA-256, so reading the table gives no live
    session. Sign-out sets ``revoked_at``; a reset, a lock or a password change moves the account's
    ``session_version`` past the row's, which ends it too.
    """

    __tablename__ = "auth_session"

    id = Column(Integer, primary_key=True)
    secret_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(10), nullable=False)  # "web" | "api"
    session_version = Column(Integer, nullable=False)
    created_at = Column(LocalDateTime, nullable=False)
    expires_at = Column(LocalDateTime, nullable=False, index=True)
    revoked_at = Column(LocalDateTime)
    revoked_reason = Column(String(40))
    ip = Column(String(64))


class CredentialSheet(Model):
    """A sealed sheet of one-time passwords, downloadable once by its owner within the session that made it.

    The file's key is split: ``server_half`` here, the other half in the owner's cookie. Neither opens the
    file alone, and the server half is wiped at the download and when the session ends.
    """

    __tablename__ = "credential_sheet"

    id = Column(Integer, primary_key=True)
    token = Column(String(43), nullable=False, unique=True)
    owner_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False, index=True)
    session_id = Column(Integer, ForeignKey("auth_session.id", ondelete="CASCADE"), nullable=False, index=True)
    source = Column(String(10), nullable=False)  # "import" | "reset"
    accounts = Column(Integer, nullable=False)
    server_half = Column(String(64))
    created_at = Column(LocalDateTime, nullable=False)
    downloaded_at = Column(LocalDateTime)
    cleared_at = Column(LocalDateTime)
