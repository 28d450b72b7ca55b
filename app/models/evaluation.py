"""Tables of the monthly evaluation: rule sets and their versions, periods, sheets, scores, events.

Decisions (see EVAL_SPEC "Tables"):
- Points are ``Numeric(6, 2, asdecimal=True)``: PostgreSQL keeps them exact; SQLite stores a number and
  SQLAlchemy converts it back to a two-decimal ``Decimal`` (exact for values up to 9999.99).
- Moments are ``LocalDateTime`` (naive Hà Nội wall time in the database, aware in Python); days are
  ``Date``. Python-side defaults are the callable ``clock.now``, never a value.
- ``Sheet.version`` is SQLAlchemy's ``version_id_col``: every ORM flush that changes a sheet runs
  ``UPDATE … WHERE id = :id AND version = :v`` and bumps it, raising ``StaleDataError`` when another
  transaction got there first (``services.evaluation.concurrency`` turns that into Conflict ``stale``).
  The service compares the version the client sent before changing anything; bulk statements (the
  auto-forward) bump ``version = version + 1`` themselves.
- A sheet keeps its own snapshot: routing (commenter, evaluator), unit, department, evaluation role,
  rule version, scores and totals, and (from finalising on) the working days. Editing a rule set or a
  person never changes a finalised sheet.
- Per-unit settings (``unit_eval_setting``: the rule-set family override and the "exceptional" flag
  for the 40 % A-quota) are a side table rather than columns on ``org_unit``: the org tree stays the
  org tree, and a unit without a row uses the defaults.
- A rule version is *frozen* once a finalised sheet uses it: that is computed (``services.evaluation.
  rules.is_frozen``), not stored, so it can never be stale.
"""
from __future__ import annotations

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean, CheckConstraint, Column, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.domain.evaluation import periods as period_rules
from app.domain.evaluation import workflow
from app.models.types import LocalDateTime
from app.services import clock


def Points(nullable: bool = True) -> Column:  # noqa: N802 (a column factory)
    return Column(Numeric(6, 2, asdecimal=True), nullable=nullable)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class RuleSet(Model):
    """A family of versions ("Hà Nội 1841 (khung 3814)"). ``is_default``: the instance's default family."""

    __tablename__ = "rule_set"

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)
    name = Column(String(255), nullable=False)
    description = Column(Text)
    is_default = Column(Boolean, nullable=False, default=False, server_default="0")
    created_on = Column(LocalDateTime, default=clock.now)

    versions = relationship("RuleSetVersion", back_populates="rule_set", cascade="all, delete-orphan",
                            order_by="RuleSetVersion.effective_from")

    def __repr__(self) -> str:
        return self.name


class RuleSetVersion(Model):
    """One version of a family, in force from the period ``effective_from`` (a month key) on."""

    __tablename__ = "rule_set_version"
    __table_args__ = (
        UniqueConstraint("rule_set_id", "effective_from", name="uq_rule_set_version_from"),
        CheckConstraint("quota_kind IN ('none', 'share_of_sheets', 'share_of_grade')", name="ck_rule_set_version_quota_kind"),
        CheckConstraint("task_mode IN ('none', 'nd335')", name="ck_rule_set_version_task_mode"),
    )

    id = Column(Integer, primary_key=True)
    rule_set_id = Column(Integer, ForeignKey("rule_set.id", ondelete="CASCADE"), nullable=False, index=True)
    effective_from = Column(String(7), nullable=False)
    label = Column(String(500))
    total_cap = Column(Numeric(6, 2, asdecimal=True), nullable=False)
    attendance_threshold_percent = Column(Numeric(5, 2, asdecimal=True), nullable=False)
    attendance_max_grade = Column(String(8))  # None: no attendance cap
    fail_grade = Column(String(8))  # None: the lowest band
    quota_kind = Column(String(20), nullable=False, default="none", server_default="none")
    quota_grade = Column(String(8), nullable=False, default="A", server_default="A")
    quota_percent = Column(Numeric(5, 2, asdecimal=True))
    quota_exceptional_percent = Column(Numeric(5, 2, asdecimal=True))
    quota_base_grade = Column(String(8))
    task_mode = Column(String(10), nullable=False, default="none", server_default="none")
    band_conditions = Column(Text)  # JSON, issue 9 (QĐ 366 task conditions per band)
    created_on = Column(LocalDateTime, default=clock.now)

    rule_set = relationship("RuleSet", back_populates="versions")
    groups = relationship("CriterionGroup", back_populates="version", cascade="all, delete-orphan",
                          order_by="CriterionGroup.sort_order")
    criteria = relationship("Criterion", back_populates="version", cascade="all, delete-orphan",
                            order_by="Criterion.sort_order")
    bands = relationship("GradeBand", back_populates="version", cascade="all, delete-orphan",
                         order_by="GradeBand.min_points.desc()")

    def __repr__(self) -> str:
        return f"{self.rule_set.name if self.rule_set else ''} (từ {self.effective_from})"


class CriterionGroup(Model):
    __tablename__ = "criterion_group"
    __table_args__ = (
        UniqueConstraint("version_id", "code", name="uq_criterion_group_code"),
        CheckConstraint("kind IN ('normal', 'bonus', 'deduction')", name="ck_criterion_group_kind"),
    )

    id = Column(Integer, primary_key=True)
    version_id = Column(Integer, ForeignKey("rule_set_version.id", ondelete="CASCADE"), nullable=False, index=True)
    code = Column(String(20), nullable=False)
    name = Column(String(500), nullable=False)
    kind = Column(String(12), nullable=False)
    max_points = Points(nullable=False)
    sort_order = Column(Integer, nullable=False, default=0, server_default="0")

    version = relationship("RuleSetVersion", back_populates="groups")
    criteria = relationship("Criterion", back_populates="group", cascade="all, delete-orphan",
                            order_by="Criterion.sort_order")

    def __repr__(self) -> str:
        return self.name


class Criterion(Model):
    """A scored line. ``version_id`` repeats the group's, so codes are unique per version and a
    version's criteria load in one query."""

    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_criterion_code"),)

    id = Column(Integer, primary_key=True)
    version_id = Column(Integer, ForeignKey("rule_set_version.id", ondelete="CASCADE"), nullable=False, index=True)
    group_id = Column(Integer, ForeignKey("criterion_group.id", ondelete="CASCADE"), nullable=False, index=True)
    code = Column(String(20), nullable=False)
    name = Column(String(500), nullable=False)
    description = Column(Text)
    max_points = Points(nullable=False)
    sort_order = Column(Integer, nullable=False, default=0, server_default="0")

    version = relationship("RuleSetVersion", back_populates="criteria")
    group = relationship("CriterionGroup", back_populates="criteria")

    def __repr__(self) -> str:
        return self.name


class GradeBand(Model):
    __tablename__ = "grade_band"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_grade_band_code"),)

    id = Column(Integer, primary_key=True)
    version_id = Column(Integer, ForeignKey("rule_set_version.id", ondelete="CASCADE"), nullable=False, index=True)
    code = Column(String(8), nullable=False)
    label = Column(String(255), nullable=False)
    min_points = Points(nullable=False)

    version = relationship("RuleSetVersion", back_populates="bands")

    def __repr__(self) -> str:
        return f"{self.code} – {self.label}"


class UnitEvalSetting(Model):
    """A unit's own rule-set family (None: the default) and the "exceptional" flag (40 % A-quota)."""

    __tablename__ = "unit_eval_setting"

    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True)
    rule_set_id = Column(Integer, ForeignKey("rule_set.id", ondelete="SET NULL"), index=True)
    quota_exceptional = Column(Boolean, nullable=False, default=False, server_default="0")

    unit = relationship("OrgUnit")
    rule_set = relationship("RuleSet")


class Period(Model):
    """A month or a quarter being evaluated. ``state``: open → closed (locked)."""

    __tablename__ = "period"
    __table_args__ = (
        CheckConstraint("kind IN ('month', 'quarter')", name="ck_period_kind"),
        CheckConstraint("state IN ('open', 'closed')", name="ck_period_state"),
    )

    id = Column(Integer, primary_key=True)
    key = Column(String(7), nullable=False, unique=True)
    kind = Column(String(8), nullable=False)
    first_day = Column(Date, nullable=False)
    last_day = Column(Date, nullable=False)
    working_days = Column(Integer, nullable=False)
    trial = Column(Boolean, nullable=False, default=False, server_default="0")
    state = Column(String(8), nullable=False, default="open", server_default="open", index=True)
    self_from = Column(Date, nullable=False)
    self_to = Column(Date, nullable=False)
    comment_from = Column(Date, nullable=False)
    comment_to = Column(Date, nullable=False)
    grading_from = Column(Date, nullable=False)
    grading_to = Column(Date, nullable=False)
    opened_at = Column(LocalDateTime, nullable=False, default=clock.now)
    opened_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    closed_at = Column(LocalDateTime)
    closed_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    extensions = relationship("PeriodExtension", back_populates="period", cascade="all, delete-orphan")

    OPEN = "open"
    CLOSED = "closed"

    @property
    def period_key(self) -> period_rules.PeriodKey:
        return period_rules.parse_key(self.key)

    @property
    def is_closed(self) -> bool:
        return self.state == self.CLOSED

    @property
    def windows(self) -> period_rules.Windows:
        W = period_rules.Window
        return period_rules.Windows(
            self_assessment=W(self.self_from, self.self_to),
            comment=W(self.comment_from, self.comment_to),
            grading=W(self.grading_from, self.grading_to),
        )

    @windows.setter
    def windows(self, value: period_rules.Windows) -> None:
        self.self_from, self.self_to = value.self_assessment.start, value.self_assessment.end
        self.comment_from, self.comment_to = value.comment.start, value.comment.end
        self.grading_from, self.grading_to = value.grading.start, value.grading.end

    @property
    def label(self) -> str:
        return self.period_key.label

    @property
    def title(self) -> str:
        """The label every screen and export prints: "Tháng 11/2026 (Vận hành thử)" for a trial."""
        return period_rules.period_title(self.label, bool(self.trial))

    def __repr__(self) -> str:
        return self.key


class PeriodExtension(Model):
    """One unit's later end date for one step of one period."""

    __tablename__ = "period_extension"
    __table_args__ = (
        UniqueConstraint("period_id", "unit_id", "step", name="uq_period_extension_step"),
        CheckConstraint(_in("step", period_rules.STEPS), name="ck_period_extension_step"),
    )

    id = Column(Integer, primary_key=True)
    period_id = Column(Integer, ForeignKey("period.id", ondelete="CASCADE"), nullable=False, index=True)
    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="CASCADE"), nullable=False, index=True)
    step = Column(String(20), nullable=False)
    until = Column(Date, nullable=False)
    reason = Column(Text, nullable=False)
    created_at = Column(LocalDateTime, nullable=False, default=clock.now)
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    period = relationship("Period", back_populates="extensions")
    unit = relationship("OrgUnit")


class Sheet(Model):
    """One person's sheet for one period, created when the period opens (see the module docstring)."""

    __tablename__ = "sheet"
    __table_args__ = (
        UniqueConstraint("period_id", "person_id", name="uq_sheet_period_person"),
        CheckConstraint(_in("state", workflow.STATES), name="ck_sheet_state"),
        Index("ix_sheet_evaluator_state", "evaluator_id", "state"),
        Index("ix_sheet_commenter_state", "commenter_id", "state"),
        Index("ix_sheet_period_unit_grade", "period_id", "unit_id", "grade"),
        Index("ix_sheet_person_period", "person_id", "period_id"),
    )

    id = Column(Integer, primary_key=True)
    period_id = Column(Integer, ForeignKey("period.id", ondelete="CASCADE"), nullable=False)
    person_id = Column(Integer, ForeignKey("ab_user.id", ondelete="RESTRICT"), nullable=False)
    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), nullable=False)
    department_id = Column(Integer, ForeignKey("org_unit.id", ondelete="SET NULL"))
    eval_role = Column(String(20))
    commenter_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    evaluator_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    rule_version_id = Column(Integer, ForeignKey("rule_set_version.id", ondelete="RESTRICT"), nullable=False, index=True)
    state = Column(String(12), nullable=False, default=workflow.DRAFT, server_default=workflow.DRAFT)
    self_assessed = Column(Boolean, nullable=False, default=True, server_default="1")
    worked_days = Points()
    working_days = Column(Integer)  # the period's, copied when finalised
    self_total = Points()
    final_total = Points()
    computed_grade = Column(String(8))
    grade = Column(String(8))
    fails = Column(Boolean, nullable=False, default=False, server_default="0")
    fail_reason = Column(Text)
    fail_reference = Column(String(100))
    comment = Column(Text)
    grade_reason = Column(Text)  # why a lower grade than the points give
    quota_reason = Column(Text)  # why an A beyond the unit's quota
    opened_at = Column(LocalDateTime)  # when the person now holding it first opened it
    submitted_at = Column(LocalDateTime)
    commented_at = Column(LocalDateTime)
    finalised_at = Column(LocalDateTime)
    created_at = Column(LocalDateTime, nullable=False, default=clock.now)
    updated_at = Column(LocalDateTime, default=clock.now, onupdate=clock.now)
    version = Column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}

    period = relationship("Period")
    person = relationship("Staff", foreign_keys=[person_id])
    unit = relationship("OrgUnit", foreign_keys=[unit_id])
    department = relationship("OrgUnit", foreign_keys=[department_id])
    commenter = relationship("Staff", foreign_keys=[commenter_id])
    evaluator = relationship("Staff", foreign_keys=[evaluator_id])
    rule_version = relationship("RuleSetVersion")
    scores = relationship("SheetScore", back_populates="sheet", cascade="all, delete-orphan")
    events = relationship("SheetEvent", back_populates="sheet", cascade="all, delete-orphan",
                          order_by="SheetEvent.id")

    @property
    def has_commenter(self) -> bool:
        return self.commenter_id is not None

    @property
    def state_label(self) -> str:
        return workflow.STATE_LABELS.get(self.state, self.state)

    def __repr__(self) -> str:
        return f"Phiếu {self.period.key if self.period else ''} – {self.person!r}"


class SheetScore(Model):
    """Self and final points for one criterion of one sheet (created on the first save)."""

    __tablename__ = "sheet_score"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id", name="uq_sheet_score_criterion"),)

    id = Column(Integer, primary_key=True)
    sheet_id = Column(Integer, ForeignKey("sheet.id", ondelete="CASCADE"), nullable=False)
    criterion_id = Column(Integer, ForeignKey("criterion.id", ondelete="RESTRICT"), nullable=False, index=True)
    self_points = Points()
    final_points = Points()
    note = Column(Text)  # the person's justification (a bonus needs one)
    final_note = Column(Text)  # the evaluator's

    sheet = relationship("Sheet", back_populates="scores")
    criterion = relationship("Criterion")


class SheetEvent(Model):
    """One transition of one sheet: who, when, what, from, to, why."""

    __tablename__ = "sheet_event"
    __table_args__ = (Index("ix_sheet_event_sheet_at", "sheet_id", "at"),)

    id = Column(Integer, primary_key=True)
    sheet_id = Column(Integer, ForeignKey("sheet.id", ondelete="CASCADE"), nullable=False)
    at = Column(LocalDateTime, nullable=False, default=clock.now)
    actor_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"), index=True)  # None: the system
    action = Column(String(20), nullable=False)
    from_state = Column(String(12))
    to_state = Column(String(12))
    reason = Column(Text)
    detail = Column(Text)  # JSON

    sheet = relationship("Sheet", back_populates="events")
    actor = relationship("Staff")

    @property
    def action_label(self) -> str:
        return workflow.EVENT_LABELS.get(self.action, self.action)


__all__ = [
    "RuleSet", "RuleSetVersion", "CriterionGroup", "Criterion", "GradeBand", "UnitEvalSetting",
    "Period", "PeriodExtension", "Sheet", "SheetScore", "SheetEvent",
]
