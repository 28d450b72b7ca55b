"""Scores and grades: parsing points, totals, the grade from the bands, the caps, the lower-grade choice.

One function, ``assess(rule, scores, …)``, is what the form (running total, "the grade this total
gives"), the services (save, submit, finalise) and the API call, so they cannot disagree.

Decisions:
- Points are ``Decimal`` quantized to 0.01. Input may be str ("2,5" with the Vietnamese decimal
  comma, or "2.5"), int, float or Decimal. NaN, infinities, negatives, more than two decimals and
  values above the criterion's maximum are refused (never rounded): a ``ValidationError`` whose
  ``field`` is ``scores.<criterion key>``.
- Total = Σ normal (a normal group's sum must not exceed the group's cap: refused, then counted at
  the cap for the running total) + min(Σ bonus, bonus cap) − min(Σ deductions, deduction cap), clamped
  to [0, total cap].
- The grade compares Decimals exactly with the band minimums: 90 is A, 89.99 and 89.5 are B.
- Caps lower the *ceiling* (the best grade allowed): the attendance cap (worked ≤ threshold % of the
  working days → at most C) and the fail flag (→ the failing grade, D). The evaluator may choose a
  grade below the ceiling with a reason (``lower_grade_reason``), never above it (``grade_too_high``).
- ``assess`` collects every problem instead of raising at the first, so a form can mark each field;
  ``Assessment.raise_for_problems()`` raises the first, with all of them in ``detail["problems"]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping, Optional

from app.domain.errors import ValidationError
from app.domain.evaluation.rules import BONUS, CENT, DEDUCTION, NORMAL, Criterion, Key, RuleVersion

ZERO = Decimal("0.00")
MAX_INPUT = Decimal("9999.99")  # Numeric(6, 2)


def fmt_points(value: Optional[Decimal]) -> str:
    """How people read points: ``2,5``, ``90``, ``89,99`` (Vietnamese decimal comma, no trailing zeros)."""
    if value is None:
        return ""
    text = f"{value.quantize(CENT):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _to_decimal(value: Any) -> Optional[Decimal]:
    """Any accepted input as a Decimal (None when blank); raises ValueError when it is not a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("bool")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else Decimal("NaN")
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(text) from None
    raise ValueError(type(value).__name__)


def parse_decimal(value: Any, field: str, what: str, maximum: Optional[Decimal] = None,
                  max_label: str = "") -> Optional[Decimal]:
    """``value`` as a two-decimal Decimal in [0, maximum]; None when blank. ``what`` names the value
    in the Vietnamese message ("Điểm tiêu chí “…”", "Số ngày làm việc thực tế")."""
    try:
        d = _to_decimal(value)
    except ValueError:
        raise ValidationError("not_a_number", f"{what} phải là một số.", field) from None
    if d is None:
        return None
    if not d.is_finite():
        raise ValidationError("not_a_number", f"{what} phải là một số hợp lệ.", field)
    if d < 0:
        raise ValidationError("negative", f"{what} không được âm.", field)
    limit = maximum if maximum is not None else MAX_INPUT
    if d > limit:
        raise ValidationError(
            "above_max", f"{what} không được vượt quá {max_label or 'mức tối đa'} {fmt_points(limit)}.", field
        )
    if d != d.quantize(CENT):
        raise ValidationError("too_many_decimals", f"{what}: tối đa 2 chữ số thập phân.", field)
    return d.quantize(CENT)


def score_field(criterion: Criterion) -> str:
    return f"scores.{criterion.key}"


def parse_points(value: Any, criterion: Criterion) -> Optional[Decimal]:
    """The points given for one criterion (None when blank), validated against its maximum."""
    return parse_decimal(value, score_field(criterion), f"Điểm tiêu chí “{criterion.name}”", criterion.max_points, "điểm tối đa")


@dataclass(frozen=True)
class Score:
    """What a person typed for one criterion."""

    points: Any = None
    note: str = ""


def as_score(value: Any) -> Score:
    """A ``Score`` from a Score, a ``{"points", "note"}`` mapping, a ``(points, note)`` pair or bare points."""
    if isinstance(value, Score):
        return value
    if isinstance(value, Mapping):
        return Score(value.get("points"), str(value.get("note") or ""))
    if isinstance(value, tuple) and len(value) == 2:
        return Score(value[0], str(value[1] or ""))
    return Score(value, "")


@dataclass(frozen=True)
class Fail:
    """"Không hoàn thành nhiệm vụ bất kể điểm" (NĐ 335: discipline at reprimand or above, degradation)."""

    reason: str
    reference: str  # số quyết định


def as_fail(value: Any) -> Optional[Fail]:
    if value is None or value is False:
        return None
    if isinstance(value, Fail):
        return value
    if isinstance(value, Mapping):
        return Fail(str(value.get("reason") or ""), str(value.get("reference") or ""))
    if value is True:
        return Fail("", "")
    raise TypeError("fails must be a Fail, a mapping {reason, reference} or None")


@dataclass(frozen=True)
class Assessment:
    """The outcome of ``assess``: totals, the grades and every problem found."""

    points: Mapping[Key, Decimal]  # the valid points given, by criterion key
    group_totals: Mapping[str, Decimal]  # what each group contributes (deductions as a positive amount)
    total: Decimal
    computed_grade: str  # what the total alone gives
    ceiling: str  # the best grade allowed after the attendance cap and the fail flag
    final_grade: str  # the chosen grade when valid, else the ceiling
    cap_reasons: tuple[str, ...] = ()
    attendance_capped: bool = False
    failed: bool = False
    lower_grade: bool = False  # the chosen grade is below the ceiling (needs a reason)
    problems: tuple[ValidationError, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise the first problem (all of them in ``detail["problems"]`` as dicts)."""
        if self.problems:
            first = self.problems[0]
            raise ValidationError(first.code, first.message, first.field, problems=[p.as_dict() for p in self.problems])


def group_totals(rule: RuleVersion, points: Mapping[Key, Decimal]) -> tuple[dict[str, Decimal], list[ValidationError]]:
    """Each group's contribution, and the problems of normal groups summing above their cap."""
    totals: dict[str, Decimal] = {}
    problems: list[ValidationError] = []
    for g in rule.groups:
        raw = sum((points.get(c.key, ZERO) for c in g.criteria), ZERO)
        if raw > g.max_points and g.kind == NORMAL:
            problems.append(ValidationError(
                "group_above_max",
                f"Tổng điểm nhóm “{g.name}” ({fmt_points(raw)}) vượt quá điểm tối đa của nhóm ({fmt_points(g.max_points)}).",
                f"groups.{g.code}",
            ))
        totals[g.code] = min(raw, g.max_points)
    return totals, problems


def total_of(rule: RuleVersion, totals: Mapping[str, Decimal]) -> Decimal:
    total = ZERO
    for g in rule.groups:
        amount = totals.get(g.code, ZERO)
        total += -amount if g.kind == DEDUCTION else amount
    return min(max(total, ZERO), rule.total_cap)


def attendance_capped(rule: RuleVersion, worked_days: Optional[Decimal], working_days: Optional[int]) -> bool:
    """Worked no more than threshold % of the working days (exact comparison; no cap without data)."""
    cap = rule.attendance
    if cap.max_grade is None or worked_days is None or not working_days:
        return False
    return worked_days * 100 <= cap.threshold_percent * working_days


def choose_grade(rule: RuleVersion, ceiling: str, chosen: Optional[str], reason: Optional[str]) -> tuple[str, bool, list[ValidationError]]:
    """(final grade, lower-than-ceiling, problems): a lower grade needs a reason, a higher one is refused."""
    if chosen is None or chosen == "":
        return ceiling, False, []
    if rule.band(chosen) is None:
        return ceiling, False, [ValidationError(
            "bad_grade", f"Mức xếp loại “{chosen}” không có trong bộ tiêu chí (chỉ có: {', '.join(rule.grade_codes)}).", "grade")]
    if rule.rank(chosen) < rule.rank(ceiling):
        return ceiling, False, [ValidationError(
            "grade_too_high",
            f"Không được xếp loại cao hơn mức điểm và điều kiện cho phép (tối đa: {ceiling} – {rule.grade_label(ceiling)}).",
            "grade",
        )]
    if rule.rank(chosen) > rule.rank(ceiling):
        if not (reason or "").strip():
            return chosen, True, [ValidationError(
                "lower_grade_reason", "Xếp loại thấp hơn mức điểm đạt được cần nêu lý do.", "grade_reason")]
        return chosen, True, []
    return chosen, False, []


def assess(
    rule: RuleVersion,
    scores: Mapping[Key, Any],
    worked_days: Any = None,
    working_days: Optional[int] = None,
    fails: Any = None,
    chosen_grade: Optional[str] = None,
    reason: Optional[str] = None,
    *,
    complete: bool = False,
) -> Assessment:
    """Assess one sheet's scores under ``rule``.

    ``scores``: criterion key → ``Score`` / ``{"points", "note"}`` / ``(points, note)`` / bare points.
    ``worked_days``: the days the person actually worked (None: not given, no attendance cap);
    ``working_days``: the period's. ``fails``: a ``Fail`` (or ``{reason, reference}``) when the evaluator
    flags "không hoàn thành nhiệm vụ bất kể điểm". ``chosen_grade``/``reason``: the evaluator's choice of
    a lower grade. ``complete``: every normal criterion must be scored (submit, finalise); a draft may
    leave blanks. Bonus and deduction criteria left blank count 0.
    """
    problems: list[ValidationError] = []
    points: dict[Key, Decimal] = {}
    for key, value in scores.items():
        criterion = rule.criterion(key)
        if criterion is None:
            problems.append(ValidationError("unknown_criterion", "Tiêu chí không thuộc bộ tiêu chí của phiếu.", f"scores.{key}"))
            continue
        score = as_score(value)
        try:
            p = parse_points(score.points, criterion)
        except ValidationError as exc:
            problems.append(exc)
            continue
        if p is None:
            continue
        if criterion.kind == BONUS and p > 0 and not score.note.strip():
            problems.append(ValidationError(
                "bonus_note", f"Điểm thưởng “{criterion.name}” cần ghi rõ lý do (thành tích, minh chứng).", score_field(criterion)))
        points[criterion.key] = p
    if complete:
        for c in rule.iter_kind(NORMAL):
            if c.key not in points and not any(p.field == score_field(c) for p in problems):
                problems.append(ValidationError("required", f"Chưa chấm điểm tiêu chí “{c.name}”.", score_field(c)))

    totals, group_problems = group_totals(rule, points)
    problems.extend(group_problems)
    total = total_of(rule, totals)
    computed = rule.grade_for(total)

    worked: Optional[Decimal] = None
    try:
        worked = parse_decimal(
            worked_days, "worked_days", "Số ngày làm việc thực tế",
            Decimal(working_days) if working_days is not None else None, "số ngày làm việc của kỳ",
        )
    except ValidationError as exc:
        problems.append(exc)
    if complete and worked is None and working_days is not None and not any(p.field == "worked_days" for p in problems):
        problems.append(ValidationError("required", "Chưa nhập số ngày làm việc thực tế.", "worked_days"))

    ceiling = computed
    reasons: list[str] = []
    capped = attendance_capped(rule, worked, working_days)
    if capped:
        cap_grade = rule.attendance.max_grade
        assert cap_grade is not None
        if rule.rank(cap_grade) > rule.rank(ceiling):
            ceiling = cap_grade
        reasons.append(
            f"Số ngày làm việc thực tế ({fmt_points(worked)}/{working_days}) không quá "
            f"{fmt_points(rule.attendance.threshold_percent)} % số ngày làm việc: xếp loại tối đa {cap_grade}."
        )
    fail = as_fail(fails)
    if fail is not None:
        if not fail.reason.strip():
            problems.append(ValidationError("fail_reason", "Cần nêu lý do không hoàn thành nhiệm vụ.", "fails.reason"))
        if not fail.reference.strip():
            problems.append(ValidationError("fail_reference", "Cần nêu số quyết định (kỷ luật, kết luận).", "fails.reference"))
        ceiling = rule.failing_grade
        reasons.append(
            f"Không hoàn thành nhiệm vụ bất kể điểm: {fail.reason.strip()}"
            + (f" (quyết định số {fail.reference.strip()})" if fail.reference.strip() else "") + "."
        )
    final, lower, choice_problems = choose_grade(rule, ceiling, chosen_grade, reason)
    problems.extend(choice_problems)
    return Assessment(
        points=points,
        group_totals=totals,
        total=total,
        computed_grade=computed,
        ceiling=ceiling,
        final_grade=final,
        cap_reasons=tuple(reasons),
        attendance_capped=capped,
        failed=fail is not None,
        lower_grade=lower,
        problems=tuple(problems),
    )


__all__ = [
    "fmt_points", "parse_decimal", "parse_points", "score_field", "Score", "as_score", "Fail", "as_fail",
    "Assessment", "group_totals", "total_of", "attendance_capped", "choose_grade", "assess",
]
