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
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Optional

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from app.domain.errors import Conflict, OutOfReach, ValidationError
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


# -- editing (the district admin's "Bộ tiêu chí" screen) -------------------------------------------------
def _admin(session, actor, what: str, target: str) -> None:
    from app.services.evaluation.periods import _require_admin

    _require_admin(session, actor, what, target=target)


def _decimal(value: Any, field: str, what: str) -> Decimal:
    text = str(value if value is not None else "").strip().replace(",", ".")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValidationError("not_a_number", f"{what} phải là một số.", field) from None
    if not d.is_finite() or d < 0 or d > 1000:
        raise ValidationError("not_a_number", f"{what} phải là một số từ 0 đến 1000.", field)
    if d != d.quantize(R.CENT):
        raise ValidationError("too_many_decimals", f"{what}: tối đa 2 chữ số thập phân.", field)
    return d.quantize(R.CENT)


def _text(value: Any, field: str, what: str, limit: int = 500) -> str:
    text = str(value if value is not None else "").strip()
    if not text:
        raise ValidationError("required", f"Cần nhập {what}.", field)
    if len(text) > limit:
        raise ValidationError("too_long", f"{what[:1].upper()}{what[1:]} dài quá {limit} ký tự.", field)
    return text


def get_version(session, version_id: Any) -> RuleSetVersion:
    try:
        vid = int(version_id)
    except (TypeError, ValueError):
        vid = None
    row = session.get(RuleSetVersion, vid) if vid is not None else None
    if row is None:
        raise OutOfReach("not_found", "Không tìm thấy phiên bản bộ tiêu chí.")
    return row


def edit_version(session, version_id: Any, actor, criteria: Optional[Mapping[Any, Mapping[str, Any]]] = None,
                 groups: Optional[Mapping[Any, Any]] = None, bands: Optional[Mapping[str, Mapping[str, Any]]] = None,
                 quota: Optional[Mapping[str, Any]] = None) -> RuleSetVersion:
    """Change a version's criteria (name, maximum), group maxima, bands (label, minimum) and quota percents.

    ``criteria``: {criterion id: {name?, max_points?}}; ``groups``: {group id: max_points}; ``bands``:
    {code: {label?, min_points?}}; ``quota``: {percent?, exceptional_percent?}. Refused (Conflict
    ``frozen``) when a finalised sheet used the version; the edited version is checked as a whole
    (``RuleVersion.problems``); staged and flushed, one audit row.
    """
    row = get_version(session, version_id)
    _admin(session, actor, "sửa bộ tiêu chí", f"{row.rule_set.name} từ {row.effective_from}")
    check_editable(session, row)
    changed: dict[str, Any] = {}
    by_id = {c.id: c for c in row.criteria}
    for key, change in (criteria or {}).items():
        c = by_id.get(int(key)) if str(key).isdigit() else None
        if c is None:
            raise ValidationError("bad_criterion", "Tiêu chí không thuộc phiên bản này.", f"criteria.{key}")
        if "name" in change:
            name = _text(change["name"], f"criterion_name_{c.id}", "tên tiêu chí")
            if name != c.name:
                changed[f"criterion {c.code} name"] = [c.name, name]
                c.name = name
        if "max_points" in change:
            m = _decimal(change["max_points"], f"criterion_max_{c.id}", f"Điểm tối đa của tiêu chí {c.code}")
            if m != c.max_points:
                changed[f"criterion {c.code} max"] = [str(c.max_points), str(m)]
                c.max_points = m
    group_by_id = {g.id: g for g in row.groups}
    for key, value in (groups or {}).items():
        g = group_by_id.get(int(key)) if str(key).isdigit() else None
        if g is None:
            raise ValidationError("bad_group", "Nhóm tiêu chí không thuộc phiên bản này.", f"groups.{key}")
        m = None if value in (None, "") else _decimal(value, f"group_max_{g.id}", f"Điểm tối đa của nhóm {g.code}")
        if m != g.max_points:
            changed[f"group {g.code} max"] = [None if g.max_points is None else str(g.max_points), None if m is None else str(m)]
            g.max_points = m
    band_by_code = {b.code: b for b in row.bands}
    for code, change in (bands or {}).items():
        b = band_by_code.get(code)
        if b is None:
            raise ValidationError("bad_band", "Mức xếp loại không thuộc phiên bản này.", f"bands.{code}")
        if "label" in change:
            label = _text(change["label"], f"band_label_{code}", "tên mức xếp loại", 255)
            if label != b.label:
                changed[f"band {code} label"] = [b.label, label]
                b.label = label
        if "min_points" in change:
            m = _decimal(change["min_points"], f"band_min_{code}", f"Điểm tối thiểu của loại {code}")
            if m != b.min_points:
                changed[f"band {code} min"] = [str(b.min_points), str(m)]
                b.min_points = m
    for name, column in (("percent", "quota_percent"), ("exceptional_percent", "quota_exceptional_percent")):
        if quota and name in quota:
            value = quota[name]
            m = None if value in (None, "") else _decimal(value, f"quota_{name}", "Tỷ lệ chỉ tiêu (%)")
            if m is not None and m > 100:
                raise ValidationError("not_a_number", "Tỷ lệ chỉ tiêu (%) không được vượt quá 100.", f"quota_{name}")
            if m != getattr(row, column):
                changed[column] = [None if getattr(row, column) is None else str(getattr(row, column)), None if m is None else str(m)]
                setattr(row, column, m)
    if not changed:
        raise ValidationError("no_change", "Không có thay đổi nào.", None)
    session.flush()
    problems = to_domain(row).problems()
    if problems:
        raise ValidationError.of("bad_rule_set", problems)
    session.info.get("evaluation_rule_versions", {}).pop(row.id, None)
    audit.record(session, "rule_set_updated", actor=_staff(session, actor), target=f"{row.rule_set.name} từ {row.effective_from}",
                 detail={"version": row.id, "changes": changed})
    session.flush()
    return row


def new_version_from(session, version_id: Any, effective_from: Any, actor) -> RuleSetVersion:
    """A copy of a version taking effect from the month ``effective_from`` (the way to change a frozen one)."""
    row = get_version(session, version_id)
    _admin(session, actor, "tạo phiên bản bộ tiêu chí", f"{row.rule_set.name}")
    key = period_rules.parse_month(effective_from)
    if any(v.effective_from == key.text for v in row.rule_set.versions):
        raise ValidationError("version_exists", f"Bộ tiêu chí đã có phiên bản áp dụng từ {key.text}.", "effective_from")
    if key.text <= row.effective_from:
        raise ValidationError("bad_month", f"Phiên bản mới phải áp dụng sau {row.effective_from}.", "effective_from")
    domain = to_domain(row)
    copy = replace(domain, effective_from=key.text, id=None)
    new = add_version(session, row.rule_set, copy)
    session.flush()
    audit.record(session, "rule_set_version_created", actor=_staff(session, actor), target=row.rule_set.name,
                 detail={"from": row.id, "version": new.id, "effective_from": key.text})
    session.flush()
    return new


def _staff(session, actor):
    from app.models import Staff

    return session.get(Staff, actor.id) if actor is not None and actor.id is not None else None


def family_codes(session) -> Iterable[str]:
    return session.scalars(select(RuleSet.code).order_by(RuleSet.code))


__all__ = [
    "add_version", "ensure_rule_sets", "to_domain", "load_version", "default_family", "version_in_force",
    "versions_for_period", "is_frozen", "check_editable", "FROZEN_MESSAGE", "get_version", "edit_version",
    "new_version_from",
]
