"""Tables of work plans and tasks (issue 9): the unit's product catalogue, plans, tasks, their quality
assessments, delays, changes after submission, and evidence files (stored outside the database).

- ``task.unit_id`` is the person's unit when the task was created (scope is one indexed comparison);
  who may see a task is decided from the person's routing (the sheet's, else the person's own).
- Quantities are ``Numeric(10, 2)``, coefficients and ratings ``Numeric(8, 2)`` / ``Numeric(5, 2)``.
- Evidence rows name a content-addressed file (``sha256``) in the evidence folder; the name the person
  gave is kept only to be offered as an attachment's name.
"""
from __future__ import annotations

from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, event, Column, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import relationship

from app.domain import tasks as rules
from app.models.types import LocalDateTime
from app.services import clock


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ProductType(Model):
    """One kind of product of a unit's catalogue, with its coefficient to the standard product."""

    __tablename__ = "task_product_type"
    __table_args__ = (UniqueConstraint("unit_id", "code", name="uq_task_product_type_code"),)

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="CASCADE"), nullable=False, index=True)
    code = Column(String(40), nullable=False)
    name = Column(String(255), nullable=False)
    coefficient = Column(Numeric(8, 2, asdecimal=True), nullable=False)
    active = Column(Boolean, nullable=False, default=True, server_default="1")

    unit = relationship("OrgUnit")
    norms = relationship("ProductNorm", back_populates="product_type", cascade="all, delete-orphan",
                         order_by="ProductNorm.position")

    def __repr__(self) -> str:
        return f"{self.name} (×{self.coefficient})"


class ProductNorm(Model):
    """An optional norm: how many of this product a job position is expected to deliver in a period."""

    __tablename__ = "task_product_norm"
    __table_args__ = (UniqueConstraint("product_type_id", "position", name="uq_task_product_norm_position"),)

    id = Column(Integer, primary_key=True)
    product_type_id = Column(Integer, ForeignKey("task_product_type.id", ondelete="CASCADE"), nullable=False)
    position = Column(String(255), nullable=False)
    norm = Column(Numeric(10, 2, asdecimal=True), nullable=False)

    product_type = relationship("ProductType", back_populates="norms")


class TaskPlan(Model):
    """One person's plan for one period: its approval and the leader's ratings đ, e."""

    __tablename__ = "task_plan"
    __table_args__ = (
        UniqueConstraint("person_id", "period_id", name="uq_task_plan_person_period"),
        CheckConstraint(_in("state", rules.PLAN_STATES), name="ck_task_plan_state"),
    )

    id = Column(Integer, primary_key=True)
    person_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    period_id = Column(Integer, ForeignKey("period.id", ondelete="CASCADE"), nullable=False, index=True)
    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    state = Column(String(12), nullable=False, default=rules.DRAFT, server_default=rules.DRAFT)
    submitted_at = Column(LocalDateTime)
    approved_at = Column(LocalDateTime)
    approved_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    return_reason = Column(Text)
    rating_dd = Column(Numeric(5, 2, asdecimal=True))  # đ, rated by the evaluator (leaders)
    rating_e = Column(Numeric(5, 2, asdecimal=True))  # e
    created_at = Column(LocalDateTime, nullable=False, default=clock.now)

    person = relationship("Staff", foreign_keys=[person_id])
    period = relationship("Period")
    approved_by = relationship("Staff", foreign_keys=[approved_by_id])
    tasks = relationship("Task", back_populates="plan", order_by="Task.deadline, Task.id")
    changes = relationship("TaskChange", back_populates="plan", order_by="TaskChange.id", cascade="all, delete-orphan")

    @property
    def state_label(self) -> str:
        return rules.PLAN_STATE_LABELS.get(self.state, self.state)


class Task(Model):
    """One task (đầu việc) of one person in one period."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint(_in("status", rules.STATUSES), name="ck_task_status"),
        CheckConstraint(_in("assigned_kind", rules.ASSIGN_KINDS), name="ck_task_assigned_kind"),
        CheckConstraint("quantity > 0", name="ck_task_quantity_positive"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="ck_task_progress"),
        CheckConstraint("quality_fails >= 0 AND delay_count >= 0", name="ck_task_counts"),
        CheckConstraint("done_cents >= 0 AND done_cents <= units_cents", name="ck_task_units"),
        Index("ix_task_person_period", "person_id", "period_id"),
        Index("ix_task_period_status_deadline", "period_id", "status", "deadline"),
    )

    id = Column(Integer, primary_key=True)
    plan_id = Column(Integer, ForeignKey("task_plan.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id = Column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), nullable=False)
    period_id = Column(Integer, ForeignKey("period.id", ondelete="CASCADE"), nullable=False)
    unit_id = Column(Integer, ForeignKey("org_unit.id", ondelete="RESTRICT"), index=True)
    title = Column(String(500), nullable=False)
    description = Column(Text)
    expected_product = Column(String(500))
    product_type_id = Column(Integer, ForeignKey("task_product_type.id", ondelete="RESTRICT"), nullable=False, index=True)
    coefficient = Column(Numeric(8, 2, asdecimal=True), nullable=False)  # the catalogue's, copied when set
    quantity = Column(Numeric(10, 2, asdecimal=True), nullable=False)
    quantity_done = Column(Numeric(10, 2, asdecimal=True))
    deadline = Column(Date, nullable=False)
    assigned_kind = Column(String(10), nullable=False, default=rules.SELF, server_default=rules.SELF)
    assigned_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    document_ref = Column(String(100))
    status = Column(String(12), nullable=False, default=rules.NEW, server_default=rules.NEW)
    progress = Column(Integer, nullable=False, default=0, server_default="0")
    notes = Column(Text)
    finished_on = Column(Date)
    exempt = Column(Boolean, nullable=False, default=False, server_default="0")
    exempt_reason = Column(Text)
    exempt_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    exceeded = Column(Boolean, nullable=False, default=False, server_default="0")
    # What scoring reads, kept with the history rows by the one service that writes each (rate_task,
    # delay_task): the period's points are then one scan of ``task`` (bench/bench_tasks.py).
    quality_fails = Column(Integer, nullable=False, default=0, server_default="0")
    delay_count = Column(Integer, nullable=False, default=0, server_default="0")
    # The converted units and done units (``domain.tasks.units_of``) in whole hundredths, set on every flush
    # from quantity, coefficient, status and quantity done (``_keep_units`` below).
    units_cents = Column(BigInteger, nullable=False, default=0, server_default="0")
    done_cents = Column(BigInteger, nullable=False, default=0, server_default="0")
    carried_from_id = Column(Integer, ForeignKey("task.id", ondelete="SET NULL"))
    carry_reason = Column(Text)
    external_ref = Column(String(100))  # the e-office system's id of an imported task
    created_at = Column(LocalDateTime, nullable=False, default=clock.now)
    created_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    updated_at = Column(LocalDateTime, default=clock.now, onupdate=clock.now)

    plan = relationship("TaskPlan", back_populates="tasks")
    person = relationship("Staff", foreign_keys=[person_id])
    period = relationship("Period")
    product_type = relationship("ProductType")
    assigned_by = relationship("Staff", foreign_keys=[assigned_by_id])
    carried_from = relationship("Task", remote_side=[id], foreign_keys=[carried_from_id])
    assessments = relationship("TaskAssessment", back_populates="task", cascade="all, delete-orphan",
                               order_by="TaskAssessment.id")
    delays = relationship("TaskDelay", back_populates="task", cascade="all, delete-orphan", order_by="TaskDelay.id")
    evidence = relationship("TaskEvidence", back_populates="task", cascade="all, delete-orphan", order_by="TaskEvidence.id")

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS.get(self.status, self.status)

    @property
    def assigned_label(self) -> str:
        return rules.ASSIGN_LABELS.get(self.assigned_kind, self.assigned_kind)

    def __repr__(self) -> str:
        return self.title


@event.listens_for(Task, "before_insert")
@event.listens_for(Task, "before_update")
def _keep_units(mapper, connection, task: Task) -> None:
    """The units columns always follow the task's quantity, coefficient, status and quantity done."""
    if task.quantity is None or task.coefficient is None:
        return
    units, done = rules.units_of(Decimal(str(task.quantity)), Decimal(str(task.coefficient)), task.status or rules.NEW,
                                 Decimal(str(task.quantity_done)) if task.quantity_done is not None else None)
    task.units_cents, task.done_cents = int(units * 100), int(done * 100)


class TaskAssessment(Model):
    """The evaluator's judgement of a task's quality (a failed one costs 25 % of its quality points)."""

    __tablename__ = "task_assessment"

    id = Column(Integer, primary_key=True)
    task_id = Column(Integer, ForeignKey("task.id", ondelete="CASCADE"), nullable=False, index=True)
    passed = Column(Boolean, nullable=False)
    note = Column(Text)
    at = Column(LocalDateTime, nullable=False, default=clock.now)
    by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    task = relationship("Task", back_populates="assessments")
    by = relationship("Staff")


class TaskDelay(Model):
    """A deadline pushed back (each costs 25 % of the task's timeliness points, unless exempt)."""

    __tablename__ = "task_delay"

    id = Column(Integer, primary_key=True)
    task_id = Column(Integer, ForeignKey("task.id", ondelete="CASCADE"), nullable=False, index=True)
    old_deadline = Column(Date, nullable=False)
    new_deadline = Column(Date, nullable=False)
    reason = Column(Text, nullable=False)
    at = Column(LocalDateTime, nullable=False, default=clock.now)
    by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    task = relationship("Task", back_populates="delays")


class TaskChange(Model):
    """A change to a plan after it was submitted or approved: who, when, what (JSON), why."""

    __tablename__ = "task_change"

    id = Column(Integer, primary_key=True)
    plan_id = Column(Integer, ForeignKey("task_plan.id", ondelete="CASCADE"), nullable=False, index=True)
    task_id = Column(Integer, ForeignKey("task.id", ondelete="SET NULL"))
    at = Column(LocalDateTime, nullable=False, default=clock.now)
    actor_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))
    action = Column(String(20), nullable=False)
    detail = Column(Text)  # JSON {field: [before, after]}
    reason = Column(Text)

    plan = relationship("TaskPlan", back_populates="changes")
    actor = relationship("Staff")


class TaskEvidence(Model):
    """One evidence file (minh chứng) of a task; the bytes are in the evidence folder under ``sha256``."""

    __tablename__ = "task_evidence"

    id = Column(Integer, primary_key=True)
    task_id = Column(Integer, ForeignKey("task.id", ondelete="CASCADE"), nullable=False, index=True)
    sha256 = Column(String(64), nullable=False, index=True)
    original_name = Column(String(255), nullable=False)
    content_type = Column(String(100), nullable=False)
    size = Column(Integer, nullable=False)
    uploaded_at = Column(LocalDateTime, nullable=False, default=clock.now)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id", ondelete="SET NULL"))

    task = relationship("Task", back_populates="evidence")


__all__ = ["ProductType", "ProductNorm", "TaskPlan", "Task", "TaskAssessment", "TaskDelay", "TaskChange", "TaskEvidence"]
