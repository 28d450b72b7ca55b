"""The audit log: one row for every state change and security event."""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from app.domain.audit import action_label, actor_label
from app.domain.dates import fmt_datetime
from app.models.types import LocalDateTime


class AuditEvent(Model):
    __tablename__ = "audit_event"

    id = Column(Integer, primary_key=True)
    at = Column(LocalDateTime, nullable=False, index=True)
    actor_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    actor_name = Column(String(255))
    action = Column(String(50), nullable=False, index=True)
    target_type = Column(String(50))
    target_id = Column(Integer)
    target_label = Column(String(255))
    # The unit (and block) the event concerns: what scopes the log for unit and block admins.
    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="SET NULL"), index=True)
    block_id = Column(Integer, ForeignKey("org_unit.id", ondelete="SET NULL"), index=True)
    ip = Column(String(64))
    detail = Column(Text)

    actor = relationship("Staff", foreign_keys=[actor_id])
    unit = relationship("OrgUnit", foreign_keys=[unit_id])

    @property
    def action_label(self) -> str:
        return action_label(self.action, self.target_type)

    @property
    def actor_display(self) -> str:
        """Who acted: the person, "Hệ thống (dòng lệnh)" for a command, "Hệ thống (tự động)"."""
        return actor_label(self.actor_name, self.actor_id, self.ip)

    def __repr__(self) -> str:
        return f"{fmt_datetime(self.at)} {self.action_label}"


class SignInAttempt(Model):
    """One failed sign-in, by address and username: the shared counters that throttle sign-in across workers."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (Index("ix_sign_in_attempt_ip_at", "ip", "at"), Index("ix_sign_in_attempt_username_at", "username", "at"))

    id = Column(Integer, primary_key=True)
    at = Column(LocalDateTime, nullable=False)
    ip = Column(String(64), nullable=False)
    username = Column(String(128))
