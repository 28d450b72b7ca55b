"""Staff accounts: FAB's user table extended with what the regime needs."""
from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from app.domain.roles import EVAL_ROLE_BY_CODE
from app.models.types import LocalDateTime


class Staff(User):
    """A person of the district. Same table as FAB's ``ab_user``.

    ``email`` (FAB's, unique) holds a synthetic address derived from the username; the address a
    person gave is ``contact_email``, which need not be unique (units share mailboxes).
    """

    __tablename__ = "ab_user"

    full_name = Column(String(255))
    name_key = Column(String(255), index=True)  # folded full name, for matching
    position = Column(String(255))
    phone = Column(String(20))
    contact_email = Column(String(320))
    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    department_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    eval_role = Column(String(20))
    is_unit_admin = Column(Boolean, nullable=False, default=False, server_default="0")
    managed_block_id = Column(Integer, ForeignKey("org_unit.id", ondelete="SET NULL"))
    reviewer_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)
    evaluator_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)

    # Account lifecycle (letter 875-CV/HU).
    must_change_password = Column(Boolean, nullable=False, default=False, server_default="0")
    password_issued_at = Column(LocalDateTime)
    password_change_due = Column(LocalDateTime)
    locked_at = Column(LocalDateTime)
    lock_reason = Column(String(40))
    session_version = Column(Integer, nullable=False, default=0, server_default="0")

    unit = relationship("OrgUnit", foreign_keys=[unit_id])
    department = relationship("OrgUnit", foreign_keys=[department_id])
    managed_block = relationship("OrgUnit", foreign_keys=[managed_block_id])
    reviewer = relationship("Staff", remote_side="Staff.id", foreign_keys=[reviewer_id])
    evaluator = relationship("Staff", remote_side="Staff.id", foreign_keys=[evaluator_id])

    @property
    def eval_role_label(self) -> str:
        role = EVAL_ROLE_BY_CODE.get(self.eval_role or "")
        return role.mau01_text if role else ""  # the Mẫu 01 wording, as on the sheets

    @property
    def display_name(self) -> str:
        return self.full_name or f"{self.last_name} {self.first_name}".strip()

    def get_id(self) -> str:
        """Session id: the user id and the session version (see DistrictSecurityManager.load_user)."""
        return f"{self.id}:{self.session_version or 0}"

    def get_full_name(self) -> str:
        return self.display_name

    def __repr__(self) -> str:
        return self.display_name
