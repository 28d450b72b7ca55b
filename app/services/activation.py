"""Activation follow-up (letter 875-CV/HU: "the organisation board follows up unit by unit").

Per unit in the actor's reach: whether its staff list was received (a committed Mẫu 01 import that wrote
rows of that unit, or whose summary row names it — audit rows ``import_mau01`` / ``user_created`` /
``user_updated`` from "Mẫu 01"), how many accounts it has, how many changed their password, are locked,
never signed in; totals per block and overall. Units without a list come first.

Read-only: three grouped queries (units, people per unit, receipts per unit), whatever the size.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from app.domain.scope import Actor
from app.domain.text import fold
from app.models import AuditEvent, OrgUnit, Staff
from app.security.scope import org_clause

# The detail JSON of a person's audit row written by a Mẫu 01 import (services/mau01.py commit_plan).
MAU01_SOURCE = '"nguon": "Mẫu 01"'


@dataclass
class Counts:
    accounts: int = 0
    changed: int = 0  # passwords changed (no longer waiting for the first change)
    locked: int = 0
    never_signed_in: int = 0

    def add(self, other: "Counts") -> None:
        self.accounts += other.accounts
        self.changed += other.changed
        self.locked += other.locked
        self.never_signed_in += other.never_signed_in

    @property
    def pending_change(self) -> int:
        return self.accounts - self.changed


@dataclass
class UnitRow:
    unit_id: int
    unit_name: str
    block_id: Optional[int]
    block_name: str
    declared: Optional[int]  # "Tổng số … hiện có" of the unit's sheet
    received_at: Optional[dt.datetime]  # the last Mẫu 01 import that reached the unit
    counts: Counts = field(default_factory=Counts)

    @property
    def received(self) -> bool:
        return self.received_at is not None


@dataclass
class BlockTotal:
    block_id: Optional[int]
    block_name: str
    units: int = 0
    received: int = 0
    counts: Counts = field(default_factory=Counts)

    @property
    def missing(self) -> int:
        return self.units - self.received


@dataclass
class Report:
    units: list[UnitRow]
    blocks: list[BlockTotal]
    total: BlockTotal


def _people_counts(session, unit_ids: list[int]) -> dict[int, Counts]:
    if not unit_ids:
        return {}
    one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    rows = session.execute(
        select(
            Staff.unit_id,
            func.count(Staff.id),
            one(Staff.must_change_password.is_(False)),
            one(Staff.locked_at.isnot(None)),
            one(Staff.last_login.is_(None)),
        ).where(Staff.unit_id.in_(unit_ids)).group_by(Staff.unit_id)
    ).all()
    return {u: Counts(int(a or 0), int(c or 0), int(lk or 0), int(n or 0)) for u, a, c, lk, n in rows}


def _receipts(session, unit_ids: list[int]) -> dict[int, dt.datetime]:
    if not unit_ids:
        return {}
    received = or_(
        AuditEvent.action == "import_mau01",
        and_(AuditEvent.action.in_(("user_created", "user_updated")), AuditEvent.detail.contains(MAU01_SOURCE)),
    )
    rows = session.execute(
        select(AuditEvent.unit_id, func.max(AuditEvent.at))
        .where(AuditEvent.unit_id.in_(unit_ids), received).group_by(AuditEvent.unit_id)
    ).all()
    return {u: at for u, at in rows}


def activation_report(session, actor: Actor) -> Report:
    """The follow-up of every unit the actor reaches (district: all; block admin: the block's)."""
    block = aliased(OrgUnit)
    units = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.block_id, block.name, OrgUnit.declared_headcount)
        .outerjoin(block, block.id == OrgUnit.block_id)
        .where(OrgUnit.kind == "unit", org_clause(actor, "unit", manage=True), _active_unit())
    ).all()
    ids = [u[0] for u in units]
    counts = _people_counts(session, ids)
    receipts = _receipts(session, ids)
    rows = [UnitRow(uid, name, bid, bname or "", declared, receipts.get(uid), counts.get(uid, Counts()))
            for uid, name, bid, bname, declared in units]
    rows.sort(key=lambda r: (r.received, fold(r.block_name), fold(r.unit_name)))
    blocks: dict[Optional[int], BlockTotal] = {}
    total = BlockTotal(None, "Tổng cộng")
    for r in rows:
        b = blocks.setdefault(r.block_id, BlockTotal(r.block_id, r.block_name))
        for t in (b, total):
            t.units += 1
            t.received += int(r.received)
            t.counts.add(r.counts)
    ordered = sorted(blocks.values(), key=lambda b: fold(b.block_name))
    return Report(rows, ordered, total)


def _active_unit():
    """Units still in use (a merged unit is kept for history but no longer followed up)."""
    return OrgUnit.merged_into_id.is_(None)


HEADERS = ["Khối", "Đơn vị", "Đã gửi danh sách", "Số người khai báo", "Tài khoản đã tạo", "Đã đổi mật khẩu",
           "Chưa đổi mật khẩu", "Bị khóa", "Chưa đăng nhập lần nào"]


def report_rows(report: Report, fmt_datetime) -> list[list]:
    """The rows of the export: units (without a list first), then one total row per block, then the total."""
    out = []
    for r in report.units:
        c = r.counts
        out.append([r.block_name, r.unit_name, fmt_datetime(r.received_at) if r.received else "Chưa gửi",
                    r.declared, c.accounts, c.changed, c.pending_change, c.locked, c.never_signed_in])
    out.append([])
    for b in [*report.blocks, report.total]:
        c = b.counts
        name = b.block_name if b is report.total else f"Cộng {b.block_name}"
        out.append([name, f"{b.units} đơn vị", f"{b.received} đã gửi, {b.missing} chưa gửi", None, c.accounts,
                    c.changed, c.pending_change, c.locked, c.never_signed_in])
    return out
