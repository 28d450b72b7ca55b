"""Work plans and tasks (đầu việc), and the NĐ 335/2025 task points computed from them. Pure.

Tables the tests iterate over: ``TASK_TRANSITIONS`` (a task's status), ``PLAN_TRANSITIONS`` (a plan's
approval), ``BAND_CONDITION_KEYS`` (QĐ 366 conditions a rule version may carry per band).

Scoring (``score``), line by line, every figure a two-decimal ``Decimal`` cut down (``ROUND_DOWN``: a
share is never rounded up to the next band):

- a task's *units* are its quantity × the catalogue coefficient of its product type (quy đổi);
- its *done units*: the quantity done (``quantity_done``; a finished task without it counts its
  quantity) × the coefficient, at most its units;
- its *quality factor*: 1 − 0.25 × failed quality assessments, at least 0;
- its *timeliness factor*: 1 − 0.25 × delays (each recorded deadline extension, plus one when it was
  finished after its deadline or is unfinished past it), at least 0; an objective cause confirmed by the
  evaluator (with a reason) sets it back to 1;
- a = Σ done units / Σ units; b = Σ done units × quality factor / Σ done units; c = the same with the
  timeliness factor (a product not delivered has no quality nor timeliness to judge: it already costs a);
- staff: points = (a + b + c) / 3 × 70 %; leaders: (a + b + c + d + đ + e) / 6 × 70 %, where d = 100 %
  when every person under them is graded C or better, 50 % when any is D; đ, e rated by the evaluator.

The points are computed from the *shown* a, b, c (already cut to two decimals), so anybody redoing the
sum from the page gets the same figure.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Optional, Sequence

from app.domain.errors import PermissionDenied, ValidationError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
PENALTY = Decimal("0.25")
TASK_POINTS = Decimal("70")
MAX_QUANTITY = Decimal("99999999.99")  # Numeric(10, 2)


def cut(value: Decimal) -> Decimal:
    """Two decimals, never rounded up."""
    return value.quantize(CENT, rounding=ROUND_DOWN)


def share(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole`` (0 when there is nothing), two decimals cut down."""
    if whole <= 0:
        return ZERO
    return cut(part * HUNDRED / whole)


# -- statuses --------------------------------------------------------------------------------------------
NEW = "new"
IN_PROGRESS = "in_progress"
DONE = "done"
CARRIED = "carried"
CANCELLED = "cancelled"
STATUSES = (NEW, IN_PROGRESS, DONE, CARRIED, CANCELLED)
STATUS_LABELS = {NEW: "Chưa bắt đầu", IN_PROGRESS: "Đang thực hiện", DONE: "Hoàn thành",
                 CARRIED: "Chuyển kỳ sau", CANCELLED: "Đã hủy"}
OPEN_STATUSES = frozenset({NEW, IN_PROGRESS})
COUNTED_STATUSES = frozenset({NEW, IN_PROGRESS, DONE})  # carried and cancelled tasks are not scored here

START, FINISH, REOPEN, CARRY, CANCEL = "start", "finish", "reopen", "carry", "cancel"
# (from status, action) → (to status, a reason is required)
TASK_TRANSITIONS: dict[tuple[str, str], tuple[str, bool]] = {
    (NEW, START): (IN_PROGRESS, False),
    (NEW, FINISH): (DONE, False),
    (IN_PROGRESS, FINISH): (DONE, False),
    (DONE, REOPEN): (IN_PROGRESS, True),
    (NEW, CARRY): (CARRIED, True),
    (IN_PROGRESS, CARRY): (CARRIED, True),
    (NEW, CANCEL): (CANCELLED, True),
    (IN_PROGRESS, CANCEL): (CANCELLED, True),
}
ACTION_LABELS = {START: "bắt đầu", FINISH: "hoàn thành", REOPEN: "mở lại", CARRY: "chuyển sang kỳ sau",
                 CANCEL: "hủy"}


REASON_MESSAGES = {REOPEN: "Cần ghi lý do mở lại nhiệm vụ.", CARRY: "Cần ghi lý do chuyển nhiệm vụ sang kỳ sau.",
                   CANCEL: "Cần ghi lý do hủy nhiệm vụ."}


def task_transition(status: str, action: str, reason: str = "") -> str:
    """The status after ``action``; ValidationError when it cannot be done from ``status`` or lacks a reason."""
    step = TASK_TRANSITIONS.get((status, action))
    if step is None:
        raise ValidationError("bad_transition", f"Nhiệm vụ đang ở trạng thái “{STATUS_LABELS.get(status, status)}”: "
                                                f"không thể {ACTION_LABELS.get(action, action)}.", "status")
    to, needs_reason = step
    if needs_reason and not (reason or "").strip():
        raise ValidationError("reason_required", REASON_MESSAGES[action], "reason")
    return to


def status_for_progress(status: str, progress: int) -> str:
    """The status a progress update leaves: 100 % finishes an open task, more than 0 % starts a new one."""
    if status not in OPEN_STATUSES:
        return status
    if progress >= 100:
        return DONE
    if progress > 0:
        return IN_PROGRESS
    return status


def parse_progress(value: Any) -> int:
    """A whole percentage 0..100."""
    if isinstance(value, bool):
        raise ValidationError("bad_progress", "Tiến độ phải là số nguyên từ 0 đến 100.", "progress")
    try:
        text = str(value).strip().rstrip("%").strip()
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError("bad_progress", "Tiến độ phải là số nguyên từ 0 đến 100.", "progress") from None
    if not number.is_finite() or number != number.to_integral_value() or not (0 <= number <= 100):
        raise ValidationError("bad_progress", "Tiến độ phải là số nguyên từ 0 đến 100.", "progress")
    return int(number)


# -- plans -----------------------------------------------------------------------------------------------
DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
PLAN_STATES = (DRAFT, SUBMITTED, APPROVED)
PLAN_STATE_LABELS = {DRAFT: "Đang lập", SUBMITTED: "Chờ phê duyệt", APPROVED: "Đã phê duyệt"}
OWNER, APPROVER = "owner", "approver"
SUBMIT, APPROVE, RETURN = "submit", "approve", "return"
# (from state, action) → (to state, who may, a reason is required)
PLAN_TRANSITIONS: dict[tuple[str, str], tuple[str, str, bool]] = {
    (DRAFT, SUBMIT): (SUBMITTED, OWNER, False),
    (SUBMITTED, APPROVE): (APPROVED, APPROVER, False),
    (SUBMITTED, RETURN): (DRAFT, APPROVER, True),
    (APPROVED, RETURN): (DRAFT, APPROVER, True),
}
PLAN_ACTION_LABELS = {SUBMIT: "gửi phê duyệt", APPROVE: "phê duyệt", RETURN: "trả lại"}


def plan_transition(state: str, action: str, roles: frozenset[str], reason: str = "") -> str:
    step = PLAN_TRANSITIONS.get((state, action))
    if step is None:
        raise ValidationError("bad_transition", f"Không thể {PLAN_ACTION_LABELS.get(action, action)} kế hoạch đang ở "
                                                f"trạng thái “{PLAN_STATE_LABELS.get(state, state)}”.", "state")
    to, who, needs_reason = step
    if who not in roles:
        who_label = "người lập kế hoạch" if who == OWNER else "lãnh đạo nhận xét hoặc đánh giá của người này"
        raise PermissionDenied("not_yours", f"Chỉ {who_label} mới được {PLAN_ACTION_LABELS[action]} kế hoạch.")
    if needs_reason and not (reason or "").strip():
        raise ValidationError("reason_required", "Cần ghi lý do trả lại kế hoạch.", "reason")
    return to


def needs_change_reason(plan_state: str) -> bool:
    """A change to a plan under review or approved must leave a trace (who, when, what, why)."""
    return plan_state in (SUBMITTED, APPROVED)


def check_change_reason(plan_state: str, reason: Any) -> str:
    reason = (reason or "").strip() if isinstance(reason, str) or reason is None else None
    if reason is None:
        raise ValidationError("bad_reason", "Lý do phải là văn bản.", "change_reason")
    if needs_change_reason(plan_state) and not reason:
        raise ValidationError("change_reason_required", "Kế hoạch đã được gửi hoặc phê duyệt: mọi thay đổi phải ghi "
                                                        "lý do để lãnh đạo thấy được.", "change_reason")
    return reason


# -- who assigned it -------------------------------------------------------------------------------------
SELF, LEADER_ASSIGNED, DOCUMENT = "self", "leader", "document"
ASSIGN_KINDS = (SELF, LEADER_ASSIGNED, DOCUMENT)
ASSIGN_LABELS = {SELF: "Tự đăng ký", LEADER_ASSIGNED: "Lãnh đạo giao", DOCUMENT: "Theo văn bản"}


# -- input -----------------------------------------------------------------------------------------------
def parse_quantity(value: Any, field: str = "quantity", what: str = "Số lượng", allow_zero: bool = False) -> Decimal:
    """A positive number with at most two decimals ("2,5" accepted)."""
    if isinstance(value, bool) or value is None:
        raise ValidationError("bad_quantity", f"{what} phải là một số lớn hơn 0.", field)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        d = Decimal(text) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise ValidationError("bad_quantity", f"{what} phải là một số lớn hơn 0.", field) from None
    if not d.is_finite():
        raise ValidationError("bad_quantity", f"{what} phải là một số lớn hơn 0.", field)
    if d < 0 or (d == 0 and not allow_zero):
        raise ValidationError("quantity_not_positive", f"{what} phải lớn hơn 0.", field)
    if d != d.quantize(CENT) or d > MAX_QUANTITY:
        raise ValidationError("bad_quantity", f"{what} tối đa 2 chữ số thập phân và không quá {MAX_QUANTITY:,.0f}.", field)
    return d.quantize(CENT)


def check_deadline(deadline: Optional[dt.date], first_day: dt.date, last_day: dt.date) -> dt.date:
    if deadline is None:
        raise ValidationError("deadline_required", "Cần nhập thời hạn hoàn thành.", "deadline")
    if not (first_day <= deadline <= last_day):
        raise ValidationError("deadline_outside_period", f"Thời hạn phải nằm trong kỳ đánh giá "
                              f"(từ {first_day:%d/%m/%Y} đến {last_day:%d/%m/%Y}).", "deadline")
    return deadline


def parse_date(value: Any, field: str = "deadline", what: str = "Thời hạn") -> Optional[dt.date]:
    """dd/mm/yyyy or yyyy-mm-dd; None when blank."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError("bad_date", f"{what} phải là một ngày (dd/mm/yyyy).", field)


def check_text(value: Any, field: str, what: str, required: bool = False, limit: int = 500) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationError("bad_text", f"{what} phải là văn bản.", field)
    text = (value or "").strip()
    if required and not text:
        raise ValidationError("required", f"Cần nhập {what.lower()}.", field)
    if len(text) > limit:
        raise ValidationError("too_long", f"{what} dài quá {limit} ký tự.", field)
    return text


def parse_percent(value: Any, field: str, what: str) -> Decimal:
    """A rating 0..100 % with at most two decimals."""
    try:
        d = Decimal(str(value).strip().rstrip("%").replace(",", ".")) if value is not None and not isinstance(value, bool) else None
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or not (0 <= d <= 100) or d != d.quantize(CENT):
        raise ValidationError("bad_percent", f"{what} phải là số từ 0 đến 100 (tối đa 2 chữ số thập phân).", field)
    return d.quantize(CENT)


# -- scoring ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskFacts:
    """A task as scoring sees it."""

    id: Any
    title: str
    quantity: Decimal
    coefficient: Decimal
    deadline: dt.date
    status: str = NEW
    quantity_done: Optional[Decimal] = None
    finished_on: Optional[dt.date] = None
    quality_fails: int = 0
    delays: int = 0  # recorded deadline extensions
    exempt: bool = False  # objective cause confirmed by the evaluator
    exceeded: bool = False  # rated by the evaluator as exceeding what was asked (QĐ 366)
    product: str = ""


@dataclass(frozen=True)
class TaskLine:
    """One task's line of the breakdown."""

    id: Any
    title: str
    product: str
    quantity: Decimal
    coefficient: Decimal
    units: Decimal
    done_units: Decimal
    quality_fails: int
    quality_factor: Decimal  # percent
    quality_units: Decimal
    delays: int
    late: bool
    exempt: bool
    timeliness_factor: Decimal  # percent
    timely_units: Decimal
    exceeded: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Breakdown:
    """How the task points were reached: the lines, the sums, a..e, the formula and the points."""

    lines: tuple[TaskLine, ...]
    units: Decimal
    done_units: Decimal
    quality_units: Decimal
    timely_units: Decimal
    a: Decimal
    b: Decimal
    c: Decimal
    leader: bool
    d: Optional[Decimal]
    dd: Optional[Decimal]
    e: Optional[Decimal]
    points: Decimal
    max_points: Decimal
    notes: tuple[str, ...] = ()

    @property
    def parts(self) -> tuple[Decimal, ...]:
        return (self.a, self.b, self.c) + ((self.d or ZERO, self.dd or ZERO, self.e or ZERO) if self.leader else ())

    @property
    def average(self) -> Decimal:
        return cut(sum(self.parts, ZERO) / len(self.parts))

    @property
    def formula(self) -> str:
        names = "a + b + c + d + đ + e" if self.leader else "a + b + c"
        figures = " + ".join(f"{p:.2f} %" for p in self.parts)
        n = len(self.parts)
        return (f"({names}) / {n} × {self.max_points:.0f} điểm = ({figures}) / {n} × {self.max_points:.0f} điểm "
                f"= {self.points:.2f} điểm")

    @property
    def task_count(self) -> int:
        return len(self.lines)

    @property
    def late_count(self) -> int:
        return sum(1 for line in self.lines if line.late and not line.exempt)

    @property
    def exceeded_count(self) -> int:
        return sum(1 for line in self.lines if line.exceeded)


def units_of(quantity: Decimal, coefficient: Decimal, status: str, quantity_done: Optional[Decimal]) -> tuple[Decimal, Decimal]:
    """(units, done units) of a task: its quantity and what is done of it, converted (quy đổi), cut to 2 decimals."""
    units = cut(quantity * coefficient)
    done_qty = quantity_done if quantity_done is not None else (quantity if status == DONE else ZERO)
    return units, min(cut(done_qty * coefficient), units)


def task_line(t: TaskFacts, today: dt.date) -> TaskLine:
    units, done_units = units_of(t.quantity, t.coefficient, t.status, t.quantity_done)
    finished = t.status == DONE
    notes = []
    late = (finished and t.finished_on is not None and t.finished_on > t.deadline) or (not finished and today > t.deadline)
    delays = t.delays + (1 if late else 0)
    quality = max(ZERO, Decimal(1) - PENALTY * t.quality_fails)
    timeliness = max(ZERO, Decimal(1) - PENALTY * delays)
    if t.quality_fails:
        notes.append(f"{t.quality_fails} lần không đạt chất lượng: −{t.quality_fails * 25} % điểm chất lượng")
    if delays:
        if t.exempt:
            notes.append(f"{delays} lần chậm, có lý do khách quan được xác nhận: không trừ điểm tiến độ")
            timeliness = Decimal(1)
        else:
            notes.append(f"{delays} lần chậm: −{min(delays * 25, 100)} % điểm tiến độ")
    if done_units < units:
        notes.append("Chưa hoàn thành đủ số lượng")
    return TaskLine(
        id=t.id, title=t.title, product=t.product, quantity=t.quantity, coefficient=t.coefficient, units=units,
        done_units=done_units, quality_fails=t.quality_fails, quality_factor=cut(quality * HUNDRED),
        quality_units=cut(done_units * quality), delays=delays, late=delays > 0, exempt=t.exempt,
        timeliness_factor=cut(timeliness * HUNDRED), timely_units=cut(done_units * timeliness),
        exceeded=t.exceeded, notes=tuple(notes),
    )


def leader_d(grades_under: Iterable[str], failing: str = "D") -> Decimal:
    """d: 100 % when every person under the leader is graded C or better, 50 % when any is D."""
    return Decimal("50.00") if any(g == failing for g in grades_under) else Decimal("100.00")


def score(tasks: Sequence[TaskFacts], today: dt.date, leader: bool = False, d: Optional[Decimal] = None,
          dd: Optional[Decimal] = None, e: Optional[Decimal] = None, max_points: Decimal = TASK_POINTS) -> Breakdown:
    """The breakdown of the task points (see the module docstring). Carried and cancelled tasks are left out."""
    lines = tuple(task_line(t, today) for t in tasks if t.status in COUNTED_STATUSES)
    units = sum((line.units for line in lines), ZERO)
    done = sum((line.done_units for line in lines), ZERO)
    quality = sum((line.quality_units for line in lines), ZERO)
    timely = sum((line.timely_units for line in lines), ZERO)
    a, b, c = share(done, units), share(quality, done), share(timely, done)
    notes = []
    if not lines:
        notes.append("Chưa có nhiệm vụ nào trong kỳ.")
    parts = [a, b, c]
    if leader:
        if dd is None or e is None:
            notes.append("Lãnh đạo đánh giá chưa chấm đ, e: tạm tính 0 %.")
        parts += [d if d is not None else Decimal("100.00"), dd or ZERO, e or ZERO]
    avg = sum(parts, ZERO) / len(parts)
    points = cut(avg * max_points / HUNDRED)
    return Breakdown(lines, units, done, quality, timely, a, b, c, leader,
                     (d if d is not None else Decimal("100.00")) if leader else None,
                     (dd or ZERO) if leader else None, (e or ZERO) if leader else None,
                     points, max_points, tuple(notes))


# -- band conditions (QĐ 366) ----------------------------------------------------------------------------
# A rule version's ``band_conditions``: {"A": {"all_on_time": true, "min_exceeded_percent": 30}, …}
BAND_CONDITION_KEYS = {
    "all_on_time": "mọi nhiệm vụ hoàn thành đúng hạn",
    "min_exceeded_percent": "ít nhất {v} % nhiệm vụ vượt yêu cầu",
    "max_late_percent": "không quá {v} % nhiệm vụ chậm hạn",
}
QD366 = {
    "A": {"all_on_time": True, "min_exceeded_percent": 30},
    "B": {"all_on_time": True},
    "C": {"max_late_percent": 20},
}


def condition_problems(conditions: Optional[Mapping[str, Any]]) -> list[str]:
    """Why a band-conditions value is unusable (the admin's input); empty when fine."""
    out = []
    if not conditions:
        return out
    if not isinstance(conditions, Mapping):
        return ["Điều kiện xếp loại theo nhiệm vụ phải là một bảng theo mức xếp loại."]
    for band, rules in conditions.items():
        if not isinstance(rules, Mapping):
            out.append(f"Điều kiện của mức {band} không hợp lệ.")
            continue
        for key, value in rules.items():
            if key not in BAND_CONDITION_KEYS:
                out.append(f"Điều kiện “{key}” của mức {band} không có.")
            elif key != "all_on_time" and (isinstance(value, bool) or not isinstance(value, (int, float, str))
                                           or not (0 <= Decimal(str(value)) <= 100)):
                out.append(f"Điều kiện “{key}” của mức {band} phải là tỉ lệ từ 0 đến 100.")
    return out


def band_failures(grade: str, conditions: Optional[Mapping[str, Any]], b: Breakdown) -> list[str]:
    """The conditions of ``grade`` the person's tasks do not meet, in Vietnamese (empty: the grade stands)."""
    rules = (conditions or {}).get(grade) or {}
    n = b.task_count
    out = []
    late_pct = share(Decimal(b.late_count), Decimal(n)) if n else ZERO
    exceeded_pct = share(Decimal(b.exceeded_count), Decimal(n)) if n else ZERO
    if rules.get("all_on_time") and b.late_count:
        out.append(f"mọi nhiệm vụ phải đúng hạn ({b.late_count}/{n} nhiệm vụ chậm)")
    if "min_exceeded_percent" in rules and exceeded_pct < Decimal(str(rules["min_exceeded_percent"])):
        out.append(f"ít nhất {rules['min_exceeded_percent']} % nhiệm vụ vượt yêu cầu (mới có {exceeded_pct:.2f} %)")
    if "max_late_percent" in rules and late_pct > Decimal(str(rules["max_late_percent"])):
        out.append(f"không quá {rules['max_late_percent']} % nhiệm vụ chậm hạn (đang có {late_pct:.2f} %)")
    return out


def check_band(grade: str, conditions: Optional[Mapping[str, Any]], b: Breakdown) -> None:
    failures = band_failures(grade, conditions, b)
    if failures:
        raise ValidationError("band_condition", f"Chưa đủ điều kiện xếp loại {grade}: " + "; ".join(failures)
                              + ". Hãy chọn mức thấp hơn (kèm lý do).", "grade")


# -- carry-over ------------------------------------------------------------------------------------------
def check_carry(status: str, reason: Any) -> str:
    """An unfinished task may be carried to the next period, with a reason."""
    reason = check_text(reason, "reason", "Lý do chuyển kỳ")
    task_transition(status, CARRY, reason)
    return reason

