"""Rule sets in the database: the shipped seed, ORM rows ↔ ``domain.evaluation.rules.RuleVersion``,
the version in force for a period (and a unit), and the freeze of versions that graded a sheet.

- ``ensure_rule_sets`` (called by ``flask setup``) creates a shipped family only when its code is
  missing, so an admin's edits are never overwritten, and marks the default family only when no family
  is marked yet.
- The default family is the one flagged ``is_default``; a unit may use another one through
  ``unit_eval_setting.rule_set_id``. A period is graded under the family's latest version whose
  ``effective_from`` is not after the period's first month (``domain.evaluation.periods.in_force``).
- A version is frozen once a finalised sheet uses it (computed: ``is_frozen``); ``check_editable``
  refuses edits to it and proposes a new version from a later period.
"""
from __future__ import annotations

import json
from typing import Iterable, Optional

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from app.domain.errors import Conflict, ValidationError
from app.domain.evaluation import periods as period_rules
from app.domain.evaluation import rules as R
from app.domain.evaluation import workflow
from app.domain.evaluation.shipped import DEFAULT_FAMILY, SHIPPED
from app.models import Criterion, CriterionGroup, GradeBand, RuleSet, RuleSetVersion, Sheet, UnitEvalSetting
from app.services import audit

FROZEN_MESSAGE = (
    "Phiên bản bộ tiêu chí này đã được dùng để xếp loại phiếu, không thể sửa. "
    "Hãy tạo phiên bản mới áp dụng từ kỳ sau."
)


def add_version(session, family: RuleSet, version: R.RuleVersion) -> RuleSetVersion:
    """Stage the ORM rows of a domain version under ``family`` (refused when the version has problems)."""
    problems = version.problems()
    if problems:
        raise ValidationError.of("bad_rule_set", problems)
    row = RuleSetVersion(
        rule_set=family,
        effective_from=version.effective_from,
        label=version.label or None,
        total_cap=version.total_cap,
        attendance_threshold_percent=version.attendance.threshold_percent,
        attendance_max_grade=version.attendance.max_grade,
        fail_grade=version.fail_grade,
        quota_kind=version.quota.kind,
        quota_grade=version.quota.grade,
        quota_percent=version.quota.percent,
        quota_exceptional_percent=version.quota.exceptional_percent,
        quota_base_grade=version.quota.base_grade,
        task_mode=version.task_mode,
        band_conditions=json.dumps(version.band_conditions, ensure_ascii=False) if version.band_conditions else None,
    )
    for g in version.groups:
        group = CriterionGroup(version=row, code=g.code, name=g.name, kind=g.kind, max_points=g.max_points, sort_order=g.order)
        for c in g.criteria:
            Criterion(version=row, group=group, code=c.code, name=c.name, description=c.description or None,
                      max_points=c.max_points, sort_order=c.order)
    for b in version.bands:
        GradeBand(version=row, code=b.code, label=b.label, min_points=b.min_points)
    session.add(row)
    return row


def ensure_rule_sets(session) -> list[str]:
    """Create the shipped families whose code is missing; returns the codes created. Idempotent, staged."""
    existing = set(session.scalars(select(RuleSet.code)))
    has_default = session.scalar(select(RuleSet.id).where(RuleSet.is_default.is_(True)).limit(1)) is not None
    created = []
    for version in SHIPPED:
        if version.family_code in existing:
            continue
        family = RuleSet(
            code=version.family_code,
            name=version.family_name,
            description=version.label or None,
            is_default=not has_default and version.family_code == DEFAULT_FAMILY,
        )
        session.add(family)
        add_version(session, family, version)
        session.flush()
        audit.record(session, "rule_set_created", target=family.name, detail={"code": family.code, "effective_from": version.effective_from})
        created.append(family.code)
    session.flush()
    return created


def to_domain(row: RuleSetVersion) -> R.RuleVersion:
    """The domain value of a stored version (criteria keyed by their database id)."""
    groups = []
    for g in row.groups:
        criteria = tuple(
            R.Criterion(c.code, c.name, c.max_points, c.sort_order, c.description or "", id=c.id) for c in g.criteria
        )
        groups.append(R.CriterionGroup(g.code, g.name, g.kind, g.max_points, criteria, g.sort_order, id=g.id))
    return R.RuleVersion(
        family_code=row.rule_set.code,
        family_name=row.rule_set.name,
        effective_from=row.effective_from,
        groups=tuple(groups),
        bands=tuple(R.GradeBand(b.code, b.label, b.min_points) for b in row.bands),
        total_cap=row.total_cap,
        attendance=R.AttendanceCap(row.attendance_threshold_percent, row.attendance_max_grade),
        quota=R.QuotaPolicy(row.quota_kind, row.quota_grade, row.quota_percent, row.quota_exceptional_percent, row.quota_base_grade),
        task_mode=row.task_mode,
        band_conditions=json.loads(row.band_conditions) if row.band_conditions else None,
        fail_grade=row.fail_grade,
        label=row.label or "",
        id=row.id,
        family_id=row.rule_set_id,
    )


def load_version(session, version_id: int) -> R.RuleVersion:
    """One stored version as a domain value, loaded in a handful of queries."""
    row = session.scalar(
        select(RuleSetVersion)
        .where(RuleSetVersion.id == version_id)
        .options(
            selectinload(RuleSetVersion.groups).selectinload(CriterionGroup.criteria),
            selectinload(RuleSetVersion.bands),
            selectinload(RuleSetVersion.rule_set),
        )
    )
    if row is None:
        raise ValidationError("no_rule_set", "Không tìm thấy phiên bản bộ tiêu chí.")
    return to_domain(row)


def default_family(session) -> RuleSet:
    family = session.scalar(select(RuleSet).where(RuleSet.is_default.is_(True)).order_by(RuleSet.id).limit(1))
    if family is None:
        raise ValidationError("no_rule_set", "Chưa có bộ tiêu chí mặc định. Hãy chạy “flask setup” hoặc chọn một bộ tiêu chí mặc định.")
    return family


def version_in_force(family: RuleSet, key: period_rules.PeriodKey) -> Optional[RuleSetVersion]:
    return period_rules.in_force(((v.effective_from, v) for v in family.versions), key)


def _no_version(family: RuleSet, key: period_rules.PeriodKey) -> ValidationError:
    return ValidationError(
        "no_rule_set",
        f"Bộ tiêu chí “{family.name}” chưa có phiên bản áp dụng cho {key.label} ({key.text}).",
        "period",
    )


def versions_for_period(session, key: period_rules.PeriodKey) -> tuple[int, dict[int, int]]:
    """(the default family's version id, {family id: version id} for the families units override to).

    Refuses when a family in use has no version in force for the period.
    """
    default = default_family(session)
    default_version = version_in_force(default, key)
    if default_version is None:
        raise _no_version(default, key)
    overrides: dict[int, int] = {}
    families = session.scalars(
        select(RuleSet).where(RuleSet.id.in_(
            select(UnitEvalSetting.rule_set_id).where(UnitEvalSetting.rule_set_id.isnot(None), UnitEvalSetting.rule_set_id != default.id)
        ))
    )
    for family in families:
        v = version_in_force(family, key)
        if v is None:
            raise _no_version(family, key)
        overrides[family.id] = v.id
    return default_version.id, overrides


def is_frozen(session, version_id: int) -> bool:
    """A finalised sheet was graded under this version."""
    return bool(session.scalar(select(exists().where(Sheet.rule_version_id == version_id, Sheet.state == workflow.FINALISED))))


def check_editable(session, version: RuleSetVersion) -> None:
    """Refuse an edit of a frozen version (Conflict ``frozen``)."""
    if version.id is not None and is_frozen(session, version.id):
        raise Conflict("frozen", FROZEN_MESSAGE)


def family_codes(session) -> Iterable[str]:
    return session.scalars(select(RuleSet.code).order_by(RuleSet.code))


__all__ = [
    "add_version", "ensure_rule_sets", "to_domain", "load_version", "default_family", "version_in_force",
    "versions_for_period", "is_frozen", "check_editable", "FROZEN_MESSAGE",
]
