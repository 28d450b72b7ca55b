"""The org tree: district → block → unit → department (departments may nest)."""
from __future__ import annotations

import enum

from flask_appbuilder import Model
from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import relationship

from app.domain.org import kind_label
from app.models.types import LocalDateTime
from app.services import clock


class OrgKind(str, enum.Enum):
    DISTRICT = "district"
    BLOCK = "block"
    UNIT = "unit"
    DEPARTMENT = "department"


class OrgUnit(Model):
    """One node of the org tree.

    ``block_id`` and ``unit_id`` are the node's block and unit (a unit points at itself), kept by
    ``services.org`` so that scoping a query is one indexed comparison, never a tree walk.
    """

    __tablename__ = "org_unit"
    __table_args__ = (
        CheckConstraint("kind IN ('district', 'block', 'unit', 'department')", name="ck_org_unit_kind"),
        UniqueConstraint("parent_id", "name_key", name="uq_org_unit_sibling_name"),
        Index("ix_org_unit_kind_name_key", "kind", "name_key"),
    )

    id = Column(Integer, primary_key=True)
    name = Column(String(255), nullable=False)
    name_key = Column(String(255), nullable=False)
    kind = Column(String(16), nullable=False, index=True)
    parent_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    block_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    unit_type = Column(String(100))
    declared_headcount = Column(Integer)
    created_on = Column(LocalDateTime, default=clock.now, server_default=func.now())
    # A unit merged into another (the 2025 reform merged many): kept, with its past sheets and reports,
    # but no longer in use; its people moved to ``merged_into``.
    merged_into_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    merged_at = Column(LocalDateTime)

    parent = relationship("OrgUnit", remote_side=[id], foreign_keys=[parent_id], backref="children")
    block = relationship("OrgUnit", remote_side=[id], foreign_keys=[block_id])
    unit = relationship("OrgUnit", remote_side=[id], foreign_keys=[unit_id])
    merged_into = relationship("OrgUnit", remote_side=[id], foreign_keys=[merged_into_id])

    @property
    def is_active(self) -> bool:
        """False once merged into another unit."""
        return self.merged_into_id is None

    @property
    def status_label(self) -> str:
        """"Đang hoạt động", or "Đã gộp vào <unit>" (kept for the reports of past periods)."""
        if self.merged_into_id is None:
            return "Đang hoạt động"
        return f"Đã gộp vào {self.merged_into.name}" if self.merged_into is not None else "Đã gộp"

    @property
    def staff_count(self) -> int:
        """People whose unit this is: the live count shown beside the declared Mẫu 01 headcount."""
        from sqlalchemy import select
        from sqlalchemy.orm import object_session

        from app.models.staff import Staff

        session = object_session(self)
        if session is None or self.id is None:
            return 0
        column = Staff.unit_id if self.kind == "unit" else Staff.department_id
        return session.scalar(select(func.count(Staff.id)).where(column == self.id)) or 0

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    def __repr__(self) -> str:
        return self.name
