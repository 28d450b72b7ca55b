"""Work plans and tasks: register, assign, progress, plan approval, ratings, carry-over, the leader's
view, the product catalogue, imports, evidence, and the task points of a sheet (NĐ 335).

Who may do what (people matched by id; the place is the person's unit in its block):
- *see* a person's tasks: the sheet access rule (``domain.evaluation.access.can_see``) over the person's
  routing for the period — the period's sheet's commenter and evaluator when the sheet exists, else the
  person's own (Mẫu 01 columns); so the person, their commenter and evaluator, admins in scope and the
  unit's leaders and synthesis (read-only);
- *assign* tasks to a person, push a deadline back, edit their tasks: the person's commenter or
  evaluator, a leader (``leader`` role) of the person's unit, an admin in scope; the person edits their own;
- *approve* or return a plan: the person's commenter or evaluator;
- *rate* quality, the objective-cause exemption, "exceeded", and a leader's đ and e: the evaluator;
- *download evidence*: the person, their commenter and evaluator, admins in scope (not unit readers).
A person the actor may not see is answered as missing (OutOfReach), on the field that named them.

A change to a plan that was submitted or approved needs a reason and leaves a ``TaskChange`` row (who,
when, what: every field before and after); without a reason nothing changes.

Services flush, never commit (``services.uow``).
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping, NamedTuple, Optional

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from app.domain import tasks as T
from app.domain.errors import Conflict, DomainError, OutOfReach, PermissionDenied, ValidationError
from app.domain.evaluation import access
from app.domain.evaluation import rules as R
from app.domain.evaluation import workflow as wf
from app.domain.roles import DEPARTMENT_HEAD, LEADER
from app.domain.scope import Actor, Placement, require_actor
from app.models import (
    OrgUnit, Period, ProductNorm, ProductType, Sheet, Staff, Task, TaskAssessment, TaskChange, TaskDelay,
    TaskEvidence, TaskPlan,
)
from app.services import audit, clock

PERSON_NOT_FOUND = "Không tìm thấy người này trong phạm vi của bạn."
TASK_NOT_FOUND = ("not_found", "Không tìm thấy nhiệm vụ.")
PERIOD_NOT_FOUND = "Không tìm thấy kỳ đánh giá."
NOT_IN_CATALOGUE = "Loại sản phẩm không có trong danh mục của đơn vị (hãy chọn trong danh mục, hoặc nhờ quản trị đơn vị bổ sung)."
STUCK_DAYS = 7  # an open task nobody updated for this long is "stuck"


# -- places and rights -----------------------------------------------------------------------------------
INT_MAX = 2**31 - 1


def as_id(value: Any) -> Optional[int]:
    """A row id from any input (form, JSON, path), or None when no row can have it."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= INT_MAX else None


def _user(session, actor: Actor):
    return session.get(Staff, actor.id) if actor.id is not None else actor


def period_of(session, period: Any) -> Period:
    """A period by id, key ("2026-11") or row; OutOfReach when missing."""
    if isinstance(period, Period):
        return period
    row = None
    if isinstance(period, int) or (isinstance(period, str) and period.strip().isdigit()):
        row = session.get(Period, as_id(period)) if as_id(period) else None
    elif isinstance(period, str):
        row = session.scalar(select(Period).where(Period.key == period.strip()))
    if row is None:
        raise OutOfReach("not_found", PERIOD_NOT_FOUND, "period")
    return row


def routing(session, person: Staff, period_id: int) -> tuple[Optional[int], Optional[int]]:
    """(commenter, evaluator) of the person for the period: the sheet's when it exists, else the person's."""
    row = session.execute(select(Sheet.commenter_id, Sheet.evaluator_id)
                          .where(Sheet.person_id == person.id, Sheet.period_id == period_id)).first()
    if row is not None:
        return row[0], row[1]
    return person.reviewer_id, person.evaluator_id


def place_of(session, person: Staff, period_id: int) -> access.SheetPlace:
    commenter, evaluator = routing(session, person, period_id)
    unit = session.get(OrgUnit, person.unit_id) if person.unit_id is not None else None
    return access.SheetPlace(person.id, commenter, evaluator,
                             Placement(unit.id, unit.block_id) if unit is not None else Placement(None, None))


def can_see(actor: Actor, place: access.SheetPlace) -> bool:
    return access.can_see(actor, place)


def can_manage(actor: Actor, place: access.SheetPlace) -> bool:
    """Assign tasks to the person, edit them, push deadlines back (see the module docstring)."""
    if actor.id is not None and actor.id in (place.commenter_id, place.evaluator_id):
        return True
    if access.admin_in_scope(actor, place):
        return True
    return LEADER in actor.roles and actor.unit_id is not None and actor.unit_id == place.place.unit_id \
        and actor.id != place.owner_id


def can_edit(actor: Actor, place: access.SheetPlace) -> bool:
    return (actor.id is not None and actor.id == place.owner_id) or can_manage(actor, place)


def is_approver(actor: Actor, place: access.SheetPlace) -> bool:
    return actor.id is not None and actor.id != place.owner_id and actor.id in (place.commenter_id, place.evaluator_id)


def is_evaluator(actor: Actor, place: access.SheetPlace) -> bool:
    return actor.id is not None and actor.id != place.owner_id and actor.id == place.evaluator_id


def can_download(actor: Actor, place: access.SheetPlace) -> bool:
    return access.routed_to(actor, place) or access.admin_in_scope(actor, place)


def _person(session, actor: Actor, person_id: Any, period_id: int, field: str = "person_id") -> tuple[Staff, access.SheetPlace]:
    """The person named by id, visible to the actor; OutOfReach on ``field`` otherwise (never says they exist)."""
    pid = as_id(person_id)
    if pid is None:
        raise OutOfReach("not_found", PERSON_NOT_FOUND, field)
    person = session.get(Staff, pid)
    if person is None:
        raise OutOfReach("not_found", PERSON_NOT_FOUND, field)
    place = place_of(session, person, period_id)
    if not can_see(actor, place):
        raise audit.refusal(session, OutOfReach("not_found", PERSON_NOT_FOUND, field), "access_denied",
                            actor=_user(session, actor), target=f"Nhiệm vụ của người #{pid}", detail={"person": pid})
    return person, place


@dataclass
class LoadedTask:
    task: Task
    person: Staff
    place: access.SheetPlace
    period: Period
    plan: TaskPlan


def load_task(session, actor: Actor, task_id: Any) -> LoadedTask:
    """The task as the actor may see it; OutOfReach (logged) when they may not, or it does not exist."""
    require_actor(actor)
    tid = as_id(task_id)
    task = session.get(Task, tid) if tid is not None else None
    if task is None:
        raise OutOfReach(*TASK_NOT_FOUND)
    person = session.get(Staff, task.person_id)
    place = place_of(session, person, task.period_id)
    if not can_see(actor, place):
        raise audit.refusal(session, OutOfReach(*TASK_NOT_FOUND), "access_denied", actor=_user(session, actor),
                            target=f"Nhiệm vụ #{tid}", detail={"task": tid})
    return LoadedTask(task, person, place, task.period, task.plan)


def editable_task(session, actor: Actor, task_id: Any, open_period: bool = True) -> LoadedTask:
    """The task, when the actor may change it (the person or a manager) and, by default, its period is open."""
    c = load_task(session, actor, task_id)
    if not can_edit(actor, c.place):
        raise PermissionDenied("read_only", "Bạn chỉ được xem nhiệm vụ này.")
    if open_period:
        _open_period(c.period)
    return c


def _open_period(period: Period) -> None:
    if period.is_closed:
        raise Conflict("period_closed", f"Kỳ {period.label} đã khóa: không thay đổi được nhiệm vụ.", "period")


# -- plans -----------------------------------------------------------------------------------------------
def plan_for(session, person: Staff, period: Period, create: bool = True) -> Optional[TaskPlan]:
    plan = session.scalar(select(TaskPlan).where(TaskPlan.person_id == person.id, TaskPlan.period_id == period.id))
    if plan is None and create:
        plan = TaskPlan(person_id=person.id, period_id=period.id, unit_id=person.unit_id, state=T.DRAFT)
        session.add(plan)
        session.flush()
    return plan


def _log(session, plan: TaskPlan, actor: Actor, action: str, task: Optional[Task], detail: Mapping[str, Any],
         reason: str, now: dt.datetime) -> None:
    """Record a change when the plan was submitted or approved (the reason was checked before)."""
    if not T.needs_change_reason(plan.state):
        return
    session.add(TaskChange(plan_id=plan.id, task_id=task.id if task is not None else None, at=now, actor_id=actor.id,
                           action=action, detail=json.dumps(detail, ensure_ascii=False, default=str), reason=reason))


def _plan_roles(actor: Actor, place: access.SheetPlace) -> frozenset[str]:
    roles = set()
    if actor.id is not None and actor.id == place.owner_id:
        roles.add(T.OWNER)
    if is_approver(actor, place):
        roles.add(T.APPROVER)
    return frozenset(roles)


def plan_action(session, actor: Actor, person_id: Any, period: Any, action: str, reason: Any = None,
                now: Optional[dt.datetime] = None) -> TaskPlan:
    """Submit (the person), approve or return (their commenter or evaluator) the person's plan."""
    now = now or clock.now()
    period = period_of(session, period)
    person, place = _person(session, actor, person_id, period.id)
    _open_period(period)
    plan = plan_for(session, person, period)
    why = T.check_text(reason, "reason", "Lý do")
    roles = _plan_roles(actor, place)
    if not roles:
        raise PermissionDenied("read_only", "Bạn chỉ được xem kế hoạch này.")
    plan.state = T.plan_transition(plan.state, action, roles, why)
    if action == T.SUBMIT:
        if not any(t.status in T.COUNTED_STATUSES for t in plan.tasks):
            raise ValidationError("empty_plan", "Kế hoạch chưa có nhiệm vụ nào.", "tasks")
        plan.submitted_at = now
        plan.return_reason = None
    elif action == T.APPROVE:
        plan.approved_at, plan.approved_by_id = now, actor.id
    else:
        plan.return_reason = why
        plan.approved_at = plan.approved_by_id = None
    audit.record(session, f"task_plan_{action}", actor=_user(session, actor), target=person, unit_id=person.unit_id,
                 detail={"plan": plan.id, "period": period.key, **({"reason": why} if why else {})})
    session.flush()
    return plan


# -- catalogue -------------------------------------------------------------------------------------------
def _unit_place(session, unit_id: Any) -> tuple[OrgUnit, Placement]:
    uid = as_id(unit_id)
    unit = session.get(OrgUnit, uid) if uid is not None else None
    if unit is None or unit.kind != "unit":
        raise OutOfReach("not_found", "Không tìm thấy đơn vị.", "unit_id")
    return unit, Placement(unit.id, unit.block_id)


def _check_catalogue_admin(session, actor: Actor, unit_id: Any) -> OrgUnit:
    from app.domain.scope import can_manage_unit

    unit, place = _unit_place(session, unit_id)
    if not can_manage_unit(actor, place):
        raise OutOfReach("not_found", "Không tìm thấy đơn vị trong phạm vi bạn quản lý.", "unit_id")
    return unit


def catalogue(session, unit_id: int, active_only: bool = False) -> list[ProductType]:
    q = select(ProductType).where(ProductType.unit_id == unit_id).options(selectinload(ProductType.norms))
    if active_only:
        q = q.where(ProductType.active.is_(True))
    return list(session.scalars(q.order_by(ProductType.code)))


def _coefficient(value: Any, field: str = "coefficient") -> Decimal:
    return T.parse_quantity(value, field, "Hệ số quy đổi")


def _norms(value: Any) -> dict[str, Decimal]:
    """{position: norm} from a mapping or "Chuyên viên: 10; Văn thư: 20"."""
    if value in (None, ""):
        return {}
    items: Iterable
    if isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, str):
        items = []
        for part in value.replace("\n", ";").split(";"):
            if not part.strip():
                continue
            if ":" not in part:
                raise ValidationError("bad_norm", "Định mức ghi dạng “Vị trí: số lượng; …”.", "norms")
            pos, _, num = part.rpartition(":")
            items.append((pos, num))
    else:
        raise ValidationError("bad_norm", "Định mức ghi dạng “Vị trí: số lượng; …”.", "norms")
    out = {}
    for pos, num in items:
        pos = T.check_text(pos, "norms", "Vị trí việc làm", required=True, limit=255)
        out[pos] = T.parse_quantity(num, "norms", f"Định mức của “{pos}”")
    return out


def save_product(session, actor: Actor, unit_id: Any, code: Any, name: Any, coefficient: Any, norms: Any = None,
                 product_id: Any = None, active: bool = True) -> ProductType:
    """Add or edit one product type of a unit's catalogue (unit, block and district admins in scope)."""
    unit = _check_catalogue_admin(session, actor, unit_id)
    code = T.check_text(code, "code", "Mã loại sản phẩm", required=True, limit=40)
    name = T.check_text(name, "name", "Tên loại sản phẩm", required=True, limit=255)
    coef = _coefficient(coefficient)
    norm_map = _norms(norms)
    if product_id not in (None, ""):
        row = session.get(ProductType, as_id(product_id)) if as_id(product_id) else None
        if row is None or row.unit_id != unit.id:
            raise OutOfReach("not_found", "Không tìm thấy loại sản phẩm.", "product_id")
    else:
        row = None
    clash = session.scalar(select(ProductType).where(ProductType.unit_id == unit.id, ProductType.code == code))
    if clash is not None and clash is not row:
        raise ValidationError("duplicate_code", f"Mã “{code}” đã có trong danh mục của đơn vị.", "code")
    if row is None:
        row = ProductType(unit_id=unit.id)
        session.add(row)
    row.code, row.name, row.coefficient, row.active = code, name, coef, bool(active)
    _set_norms(row, norm_map)
    audit.record(session, "task_catalogue_changed", actor=_user(session, actor), target=unit.name, unit_id=unit.id,
                 detail={"code": code, "coefficient": f"{coef}"})
    session.flush()
    return row


def _set_norms(row: ProductType, norm_map: Mapping[str, Decimal]) -> None:
    existing = {n.position: n for n in row.norms}
    for pos, n in list(existing.items()):
        if pos not in norm_map:
            row.norms.remove(n)
    for pos, value in norm_map.items():
        if pos in existing:
            existing[pos].norm = value
        else:
            row.norms.append(ProductNorm(position=pos, norm=value))


def delete_product(session, actor: Actor, product_id: Any) -> None:
    row = session.get(ProductType, as_id(product_id)) if as_id(product_id) else None
    if row is None:
        raise OutOfReach("not_found", "Không tìm thấy loại sản phẩm.", "product_id")
    _check_catalogue_admin(session, actor, row.unit_id)
    used = session.scalar(select(func.count(Task.id)).where(Task.product_type_id == row.id))
    if used:
        row.active = False  # tasks keep their product; it is no longer offered
    else:
        session.delete(row)
    session.flush()


CATALOGUE_COLUMNS = ("Mã", "Tên loại sản phẩm", "Hệ số quy đổi", "Định mức theo vị trí")


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def committed(self) -> bool:
        return not self.errors

    def raise_if_errors(self) -> None:
        if self.errors:
            first = self.errors[0]
            raise ValidationError("import_errors", f"Không nhập gì: {len(self.errors)} lỗi. Dòng {first['row']}, "
                                                   f"cột “{first['column']}”: {first['message']}", "file",
                                  problems=self.errors)


def _header(rows: list, wanted: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    from app.domain.text import fold

    keys = {fold(w): w for w in wanted}
    for i, (number, values) in enumerate(rows[:10]):
        found = {keys[fold(str(v))]: j for j, v in enumerate(values) if v is not None and fold(str(v)) in keys}
        if len(found) >= 2:
            return i, found
    raise ValidationError("no_header", f"Không tìm thấy dòng tiêu đề (cần các cột: {', '.join(wanted)}).", "file")


def _rows(stream) -> list:
    from app.excel.reader import app_limits, iter_rows

    return list(iter_rows(stream, limits=app_limits()))


def _cell(values: tuple, col: Optional[int]):
    if col is None or col >= len(values):
        return None
    v = values[col]
    return v.strip() if isinstance(v, str) else v


def import_catalogue(session, actor: Actor, unit_id: Any, stream) -> ImportResult:
    """The unit's catalogue from xlsx (columns ``CATALOGUE_COLUMNS``): all rows or none."""
    unit = _check_catalogue_admin(session, actor, unit_id)
    rows = _rows(stream)
    start, cols = _header(rows, CATALOGUE_COLUMNS)
    result = ImportResult()
    existing = {p.code: p for p in catalogue(session, unit.id)}
    seen: set[str] = set()
    plan = []
    for number, values in rows[start + 1:]:
        if not any(v not in (None, "") for v in values):
            continue
        result.rows += 1
        try:
            code = T.check_text(str(_cell(values, cols.get("Mã")) or ""), "code", "Mã loại sản phẩm", required=True, limit=40)
            if code in seen:
                raise ValidationError("duplicate_code", f"Mã “{code}” lặp lại trong tệp.", "code")
            seen.add(code)
            name = T.check_text(str(_cell(values, cols.get("Tên loại sản phẩm")) or ""), "name", "Tên loại sản phẩm",
                                required=True, limit=255)
            coef = _coefficient(_cell(values, cols.get("Hệ số quy đổi")))
            norms = _norms(_cell(values, cols.get("Định mức theo vị trí")))
        except DomainError as exc:
            column = {"code": "Mã", "name": "Tên loại sản phẩm", "coefficient": "Hệ số quy đổi",
                      "norms": "Định mức theo vị trí"}.get(exc.field or "", "")
            result.errors.append({"row": number, "column": column, "message": exc.message})
            continue
        plan.append((code, name, coef, norms))
    result.raise_if_errors()  # all or nothing
    for code, name, coef, norms in plan:
        row = existing.get(code)
        if row is None:
            row = ProductType(unit_id=unit.id, code=code)
            session.add(row)
            result.created += 1
        else:
            result.updated += 1
        row.name, row.coefficient, row.active = name, coef, True
        _set_norms(row, norms)
    audit.record(session, "task_catalogue_import", actor=_user(session, actor), target=unit.name, unit_id=unit.id,
                 detail={"rows": result.rows, "created": result.created, "updated": result.updated})
    session.flush()
    return result


# -- tasks -----------------------------------------------------------------------------------------------
TASK_FIELDS = ("title", "description", "expected_product", "product_type_id", "quantity", "deadline",
               "assigned_kind", "document_ref", "notes")


def _product(session, unit_id: Optional[int], value: Any) -> ProductType:
    pid = as_id(value)
    row = session.get(ProductType, pid) if pid is not None else None
    if row is None or row.unit_id != unit_id or not row.active:
        raise ValidationError("not_in_catalogue", NOT_IN_CATALOGUE, "product_type_id")
    return row


def _clean(session, data: Mapping[str, Any], person: Staff, period: Period, partial: bool = False) -> dict[str, Any]:
    """Validated task fields (only those given when ``partial``)."""
    out: dict[str, Any] = {}

    def given(key):
        return (not partial) or key in data

    if given("title"):
        out["title"] = T.check_text(data.get("title"), "title", "Tên nhiệm vụ", required=True, limit=500)
    if given("description"):
        out["description"] = T.check_text(data.get("description"), "description", "Mô tả", limit=5000) or None
    if given("expected_product"):
        out["expected_product"] = T.check_text(data.get("expected_product"), "expected_product", "Sản phẩm dự kiến") or None
    if given("product_type_id"):
        product = _product(session, person.unit_id, data.get("product_type_id"))
        out["product_type_id"] = product.id
        out["coefficient"] = product.coefficient
    if given("quantity"):
        out["quantity"] = T.parse_quantity(data.get("quantity"))
    if given("deadline"):
        out["deadline"] = T.check_deadline(T.parse_date(data.get("deadline")), period.first_day, period.last_day)
    if given("document_ref"):
        out["document_ref"] = T.check_text(data.get("document_ref"), "document_ref", "Số văn bản", limit=100) or None
    if given("notes"):
        out["notes"] = T.check_text(data.get("notes"), "notes", "Ghi chú", limit=5000) or None
    if given("assigned_kind") and data.get("assigned_kind") not in (None, ""):
        if data.get("assigned_kind") not in T.ASSIGN_KINDS:
            raise ValidationError("bad_assigned_kind", "Nguồn giao việc không hợp lệ.", "assigned_kind")
        out["assigned_kind"] = data["assigned_kind"]
    return out


def create_task(session, actor: Actor, period: Any, data: Mapping[str, Any], person_id: Any = None,
                change_reason: Any = None, now: Optional[dt.datetime] = None, external_ref: Optional[str] = None) -> Task:
    """Register a task (the person, for themself) or assign one (a leader in reach, to the person)."""
    require_actor(actor)
    now = now or clock.now()
    period = period_of(session, period)
    target = actor.id if person_id in (None, "") else person_id
    person, place = _person(session, actor, target, period.id)
    own = person.id == actor.id
    if not own and not can_manage(actor, place):
        raise OutOfReach("not_found", "Bạn chỉ giao được nhiệm vụ cho người mình nhận xét, đánh giá hoặc quản lý.", "person_id")
    _open_period(period)
    values = _clean(session, data, person, period)
    plan = plan_for(session, person, period)
    reason = T.check_change_reason(plan.state, change_reason)
    kind = values.pop("assigned_kind", None) or (T.SELF if own else T.LEADER_ASSIGNED)
    if kind == T.DOCUMENT and not values.get("document_ref"):
        raise ValidationError("document_ref_required", "Việc giao theo văn bản cần ghi số văn bản.", "document_ref")
    task = Task(plan=plan, person_id=person.id, period_id=period.id, unit_id=person.unit_id, assigned_kind=kind,
                assigned_by_id=None if own else actor.id, status=T.NEW, progress=0, created_at=now,
                created_by_id=actor.id, external_ref=external_ref, **values)
    session.add(task)
    session.flush()
    _log(session, plan, actor, "add", task, {k: [None, v] for k, v in values.items()}, reason, now)
    session.flush()
    return task


def update_task(session, actor: Actor, task_id: Any, data: Mapping[str, Any], change_reason: Any = None,
                now: Optional[dt.datetime] = None) -> Task:
    """Edit a task's plan fields (the person or a manager); after submission with a reason, logged."""
    now = now or clock.now()
    c = editable_task(session, actor, task_id)
    values = _clean(session, data, c.person, c.period, partial=True)
    reason = T.check_change_reason(c.plan.state, change_reason)
    t = c.task
    diff = {}
    for key, value in values.items():
        before = getattr(t, key)
        if before != value:
            diff[key] = [before, value]
            setattr(t, key, value)
    if not diff:
        return t
    t.updated_at = now
    _log(session, c.plan, actor, "edit", t, diff, reason, now)
    session.flush()
    return t


def update_progress(session, actor: Actor, task_id: Any, progress: Any, notes: Any = None, quantity_done: Any = None,
                    now: Optional[dt.datetime] = None) -> Task:
    """The person (or a manager) reports progress; 100 % finishes the task (dated today)."""
    now = now or clock.now()
    c = editable_task(session, actor, task_id)
    t = c.task
    if t.status not in T.OPEN_STATUSES and t.status != T.DONE:
        raise ValidationError("closed_task", f"Nhiệm vụ đang ở trạng thái “{t.status_label}”: không cập nhật tiến độ.", "progress")
    value = T.parse_progress(progress)
    done = T.parse_quantity(quantity_done, "quantity_done", "Số lượng đã hoàn thành", allow_zero=True) \
        if quantity_done not in (None, "") else None
    notes = T.check_text(notes, "notes", "Ghi chú", limit=5000) if notes is not None else None
    status = T.status_for_progress(t.status, value)
    if t.status == T.DONE and value < 100:
        raise ValidationError("finished", "Nhiệm vụ đã hoàn thành: hãy mở lại (kèm lý do) trước khi giảm tiến độ.", "progress")
    t.progress = value
    if status == T.DONE and t.status != T.DONE:
        t.finished_on = now.date()
    t.status = status
    if done is not None:
        t.quantity_done = done
    if notes is not None:
        t.notes = notes or None
    t.updated_at = now
    session.flush()
    return t


def change_status(session, actor: Actor, task_id: Any, action: str, reason: Any = None,
                  now: Optional[dt.datetime] = None) -> Task:
    """Start, finish, reopen, cancel a task (the table ``domain.tasks.TASK_TRANSITIONS``)."""
    now = now or clock.now()
    c = editable_task(session, actor, task_id)
    if action == T.CARRY:
        raise ValidationError("use_carry", "Chuyển sang kỳ sau bằng chức năng “Chuyển kỳ”.", "action")
    why = T.check_text(reason, "reason", "Lý do")
    t = c.task
    before = t.status
    t.status = T.task_transition(t.status, action, why)
    if t.status == T.DONE:
        t.finished_on, t.progress = now.date(), 100
    elif before == T.DONE:
        t.finished_on = None
    t.updated_at = now
    if action == T.CANCEL:
        T.check_change_reason(c.plan.state, why)
        _log(session, c.plan, actor, "cancel", t, {"status": [before, t.status]}, why, now)
    session.flush()
    return t


def delay_task(session, actor: Actor, task_id: Any, new_deadline: Any, reason: Any,
               now: Optional[dt.datetime] = None) -> Task:
    """Push the deadline back (a delay: −25 % of the task's timeliness points unless exempt), with a reason."""
    now = now or clock.now()
    c = editable_task(session, actor, task_id)
    why = T.check_text(reason, "reason", "Lý do gia hạn", required=True)
    day = T.check_deadline(T.parse_date(new_deadline), c.period.first_day, c.period.last_day)
    t = c.task
    if day <= t.deadline:
        raise ValidationError("not_later", "Thời hạn mới phải sau thời hạn hiện tại.", "deadline")
    t.delays.append(TaskDelay(old_deadline=t.deadline, new_deadline=day, reason=why, at=now, by_id=actor.id))
    t.delay_count = (t.delay_count or 0) + 1
    _log(session, c.plan, actor, "delay", t, {"deadline": [t.deadline, day]}, why, now)
    t.deadline = day
    t.updated_at = now
    session.flush()
    return t


def rate_task(session, actor: Actor, task_id: Any, passed: Any = None, note: Any = None, exempt: Any = None,
              exempt_reason: Any = None, exceeded: Any = None, now: Optional[dt.datetime] = None) -> Task:
    """The evaluator assesses quality (a failed assessment costs 25 %), confirms an objective cause
    (with a reason: the delays then cost nothing), marks a task as exceeding what was asked."""
    now = now or clock.now()
    c = load_task(session, actor, task_id)
    if not is_evaluator(actor, c.place):
        raise PermissionDenied("not_evaluator", "Chỉ lãnh đạo đánh giá của người này mới được chấm nhiệm vụ.")
    _open_period(c.period)
    t = c.task
    note = T.check_text(note, "note", "Nhận xét", limit=2000)
    if passed is not None:
        if not isinstance(passed, bool):
            raise ValidationError("bad_passed", "Kết quả đánh giá chất lượng phải là đạt hoặc không đạt.", "passed")
        if not passed and not note:
            raise ValidationError("note_required", "Đánh giá “không đạt” cần ghi nhận xét.", "note")
        t.assessments.append(TaskAssessment(passed=passed, note=note or None, at=now, by_id=actor.id))
        if not passed:
            t.quality_fails = (t.quality_fails or 0) + 1
    if exempt is not None:
        if not isinstance(exempt, bool):
            raise ValidationError("bad_exempt", "Xác nhận nguyên nhân khách quan phải là có hoặc không.", "exempt")
        why = T.check_text(exempt_reason, "exempt_reason", "Lý do khách quan", required=exempt, limit=2000)
        t.exempt, t.exempt_reason, t.exempt_by_id = exempt, (why or None) if exempt else None, actor.id if exempt else None
    if exceeded is not None:
        if not isinstance(exceeded, bool):
            raise ValidationError("bad_exceeded", "“Vượt yêu cầu” phải là có hoặc không.", "exceeded")
        t.exceeded = exceeded
    t.updated_at = now
    session.flush()
    return t


def rate_leader(session, actor: Actor, person_id: Any, period: Any, dd: Any, e: Any) -> TaskPlan:
    """The evaluator rates a leader's đ and e (0..100 %)."""
    period = period_of(session, period)
    person, place = _person(session, actor, person_id, period.id)
    if not is_evaluator(actor, place):
        raise PermissionDenied("not_evaluator", "Chỉ lãnh đạo đánh giá của người này mới được chấm đ, e.")
    _open_period(period)
    plan = plan_for(session, person, period)
    plan.rating_dd = T.parse_percent(dd, "dd", "Tiêu chí đ")
    plan.rating_e = T.parse_percent(e, "e", "Tiêu chí e")
    session.flush()
    return plan


def carry_over(session, actor: Actor, task_id: Any, to_period: Any, reason: Any, deadline: Any = None,
               now: Optional[dt.datetime] = None) -> Task:
    """An unfinished task moves to a later period with the reason: it is marked carried here (not scored)
    and copied there (what is left of it), linked to the original."""
    now = now or clock.now()
    c = editable_task(session, actor, task_id, open_period=False)
    why = T.check_carry(c.task.status, reason)
    target = period_of(session, to_period)
    if target.first_day <= c.period.last_day:
        raise ValidationError("not_later_period", "Chỉ chuyển được sang một kỳ sau kỳ hiện tại.", "to_period")
    _open_period(target)
    day = T.check_deadline(T.parse_date(deadline) or target.last_day, target.first_day, target.last_day)
    t = c.task
    plan = plan_for(session, c.person, target)
    left = t.quantity - (t.quantity_done or Decimal(0))
    copy = Task(plan=plan, person_id=t.person_id, period_id=target.id, unit_id=t.unit_id, title=t.title,
                description=t.description, expected_product=t.expected_product, product_type_id=t.product_type_id,
                coefficient=t.coefficient, quantity=left if left > 0 else t.quantity, deadline=day,
                assigned_kind=t.assigned_kind, assigned_by_id=t.assigned_by_id, document_ref=t.document_ref,
                status=T.NEW, progress=0, carried_from_id=t.id, carry_reason=why, created_at=now, created_by_id=actor.id)
    session.add(copy)
    t.status = T.CARRIED
    t.carry_reason = why
    t.updated_at = now
    session.flush()
    _log(session, c.plan, actor, "carry", t, {"status": [T.IN_PROGRESS, T.CARRIED], "to": target.key}, why, now)
    session.flush()
    return copy


def delete_task(session, actor: Actor, task_id: Any, change_reason: Any = None, now: Optional[dt.datetime] = None) -> None:
    """Delete a task of a draft plan; after submission a task is cancelled with a reason instead."""
    c = editable_task(session, actor, task_id)
    if T.needs_change_reason(c.plan.state):
        change_status(session, actor, task_id, T.CANCEL, change_reason, now)
        return
    session.delete(c.task)
    session.flush()


# -- evidence --------------------------------------------------------------------------------------------
def attach_evidence(session, actor: Actor, task_id: Any, data: bytes, filename: Any,
                    now: Optional[dt.datetime] = None, storage=None) -> TaskEvidence:
    """Store an evidence file (size and type checked by its bytes) and link it to the task."""
    from app.files import sniff
    from app.files.storage import evidence_storage
    from app.settings import settings

    now = now or clock.now()
    c = editable_task(session, actor, task_id, open_period=False)
    limit = settings().evidence_max_bytes
    if not data:
        raise ValidationError("empty_file", "Tệp minh chứng rỗng.", "file")
    if len(data) > limit:
        raise ValidationError("file_too_large", f"Tệp minh chứng vượt quá {limit // (1024 * 1024) or 1} MB.", "file")
    kind = sniff.sniff(data)
    if kind is None:
        raise ValidationError("file_type", f"Nội dung tệp không phải loại được phép ({sniff.ALLOWED_TEXT}); "
                                           "đổi đuôi tệp không làm thay đổi nội dung.", "file")
    name = T.check_text(filename if isinstance(filename, str) else "", "file", "Tên tệp", limit=255) or "minh-chung"
    name = name.replace("\\", "/").rsplit("/", 1)[-1] or "minh-chung"
    digest = (storage or evidence_storage()).put(data)
    row = TaskEvidence(task_id=c.task.id, sha256=digest, original_name=name, content_type=kind.mime, size=len(data),
                       uploaded_at=now, uploaded_by_id=actor.id)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str  # safe: the allowed extension of its content
    content_type: str


def download_evidence(session, actor: Actor, evidence_id: Any, storage=None) -> Download:
    """The file, for the person, their commenter and evaluator, admins in scope; OutOfReach otherwise."""
    from app.files import sniff
    from app.files.storage import evidence_storage

    eid = as_id(evidence_id)
    row = session.get(TaskEvidence, eid) if eid is not None else None
    missing = OutOfReach("not_found", "Không tìm thấy tệp minh chứng.")
    if row is None:
        raise missing
    task = session.get(Task, row.task_id)
    place = place_of(session, session.get(Staff, task.person_id), task.period_id)
    if not can_download(actor, place):
        raise audit.refusal(session, missing, "task_evidence_denied", actor=_user(session, actor),
                            target=f"Minh chứng #{row.id}", detail={"evidence": row.id, "task": task.id})
    data = (storage or evidence_storage()).get(row.sha256)
    if data is None:
        raise missing
    kind = next((k for k in sniff.ALLOWED if k.mime == row.content_type), None)
    stem = "".join(ch for ch in row.original_name.rsplit(".", 1)[0] if ch.isalnum() or ch in " -_")[:80].strip() or "minh-chung"
    return Download(data, f"{stem}.{kind.extension if kind else 'bin'}", row.content_type if kind else "application/octet-stream")


# -- reading ---------------------------------------------------------------------------------------------
@dataclass
class PlanView:
    person: Staff
    period: Period
    plan: TaskPlan
    tasks: list[Task]
    place: access.SheetPlace
    can_edit: bool
    can_approve: bool
    is_owner: bool
    is_evaluator: bool
    breakdown: T.Breakdown
    changes: list[TaskChange]
    catalogue: list[ProductType]
    can_download: bool = False  # evidence: the person, their commenter and evaluator, admins in scope


def plan_view(session, actor: Actor, person_id: Any, period: Any, week: Optional[dt.date] = None,
              today: Optional[dt.date] = None) -> PlanView:
    """The person's plan of the period (or of the week containing ``week``), as the actor may see it."""
    period = period_of(session, period)
    person, place = _person(session, actor, person_id, period.id)
    plan = plan_for(session, person, period, create=False) or TaskPlan(person_id=person.id, period_id=period.id, state=T.DRAFT)
    tasks = list(session.scalars(select(Task).where(Task.person_id == person.id, Task.period_id == period.id)
                                 .options(selectinload(Task.evidence), selectinload(Task.assessments),
                                          selectinload(Task.delays), selectinload(Task.product_type))
                                 .order_by(Task.deadline, Task.id)))
    shown = tasks
    if week is not None:
        monday = week - dt.timedelta(days=week.weekday())
        sunday = monday + dt.timedelta(days=6)
        shown = [t for t in tasks if monday <= t.deadline <= sunday or (t.status in T.OPEN_STATUSES and t.deadline < monday)]
    b = breakdown_of(session, person, period, tasks, plan, today or clock.today())
    changes = list(plan.changes) if plan.id is not None else []
    return PlanView(person, period, plan, shown, place, can_edit(actor, place), is_approver(actor, place),
                    actor.id == person.id, is_evaluator(actor, place), b, changes,
                    catalogue(session, person.unit_id, active_only=True) if person.unit_id else [],
                    can_download(actor, place))


def facts_of(task: Task, fails: Optional[int] = None, delays: Optional[int] = None) -> T.TaskFacts:
    return T.TaskFacts(
        id=task.id, title=task.title, quantity=task.quantity, coefficient=task.coefficient, deadline=task.deadline,
        status=task.status, quantity_done=task.quantity_done, finished_on=task.finished_on,
        quality_fails=fails if fails is not None else (task.quality_fails or 0),
        delays=delays if delays is not None else (task.delay_count or 0), exempt=task.exempt, exceeded=task.exceeded,
        product=task.product_type.name if task.product_type is not None else "",
    )


def is_leader(eval_role: Optional[str]) -> bool:
    return eval_role in (LEADER, DEPARTMENT_HEAD)


def grades_under(session, person_id: int, period_id: int) -> list[str]:
    """Grades of the finalised sheets routed to the person (as commenter or evaluator) this period."""
    return list(session.scalars(select(Sheet.grade).where(
        Sheet.period_id == period_id, Sheet.person_id != person_id, Sheet.state == wf.FINALISED,
        or_(Sheet.evaluator_id == person_id, Sheet.commenter_id == person_id))))


def breakdown_of(session, person: Staff, period: Period, tasks: Optional[list[Task]] = None,
                 plan: Optional[TaskPlan] = None, today: Optional[dt.date] = None,
                 eval_role: Optional[str] = None, failing: str = "D") -> T.Breakdown:
    if tasks is None:
        tasks = list(session.scalars(select(Task).where(Task.person_id == person.id, Task.period_id == period.id)
                                     .options(selectinload(Task.assessments), selectinload(Task.delays),
                                              selectinload(Task.product_type))
                                     .order_by(Task.deadline, Task.id)))
    if plan is None:
        plan = plan_for(session, person, period, create=False)
    today = min(today or clock.today(), period.last_day) if period.is_closed else (today or clock.today())
    leader = is_leader(eval_role if eval_role is not None else person.eval_role)
    kw = {}
    if leader:
        kw = dict(d=T.leader_d(grades_under(session, person.id, period.id), failing),
                  dd=plan.rating_dd if plan is not None else None, e=plan.rating_e if plan is not None else None)
    return T.score([facts_of(t) for t in tasks], today, leader=leader, **kw)


def task_criterion(rule: R.RuleVersion) -> Optional[R.Criterion]:
    """The criterion the tasks fill in an NĐ 335 version: the only criterion of the normal group worth
    ``domain.tasks.TASK_POINTS`` (70) points."""
    for g in rule.groups:
        if g.kind == R.NORMAL and g.max_points == T.TASK_POINTS and len(g.criteria) == 1:
            return g.criteria[0]
    return None


@dataclass
class SheetTasks:
    """What the sheet page shows of the tasks: the breakdown, and how it feeds the sheet."""

    sheet: Sheet
    person: Staff
    period: Period
    mode: str  # the rule version's task_mode
    criterion: Optional[R.Criterion]  # the criterion the tasks fill (NĐ 335), None when they are evidence only
    breakdown: T.Breakdown
    tasks: list[Task]
    band_conditions: Optional[Mapping[str, Any]]

    @property
    def fills(self) -> bool:
        return self.criterion is not None and bool(self.breakdown.lines)


def sheet_tasks(session, actor: Actor, sheet_id: Any, today: Optional[dt.date] = None) -> SheetTasks:
    """The task breakdown of a sheet, for anyone who may see the sheet (OutOfReach otherwise)."""
    from app.services.evaluation import sheets as sheet_service

    c = sheet_service.load(session, sheet_id, actor)
    return _sheet_tasks(session, c.sheet, c.period, c.rule, today)


def _sheet_tasks(session, sheet: Sheet, period: Period, rule: R.RuleVersion, today: Optional[dt.date] = None) -> SheetTasks:
    person = session.get(Staff, sheet.person_id)
    tasks = list(session.scalars(select(Task).where(Task.person_id == person.id, Task.period_id == period.id)
                                 .options(selectinload(Task.assessments), selectinload(Task.delays),
                                          selectinload(Task.product_type), selectinload(Task.evidence))
                                 .order_by(Task.deadline, Task.id)))
    b = breakdown_of(session, person, period, tasks, today=today, eval_role=sheet.eval_role, failing=rule.failing_grade)
    criterion = task_criterion(rule) if rule.task_mode == R.TASK_MODE_ND335 else None
    return SheetTasks(sheet, person, period, rule.task_mode, criterion, b, tasks, rule.band_conditions)


# -- the hook of finalisation ----------------------------------------------------------------------------
def finalise_scores(session, c, scores: Any) -> Any:
    """Called by ``sheets.finalise`` before assessing: under an NĐ 335 version, the task criterion takes the
    points computed from the person's tasks (when they have any counted task). Other criteria as given."""
    if c.rule.task_mode != R.TASK_MODE_ND335:
        return scores
    st = _sheet_tasks(session, c.sheet, c.period, c.rule, c.today)
    if not st.fills:
        return scores
    from app.services.evaluation import sheets as sheet_service

    if scores is sheet_service.UNSET or scores is None:
        given = dict(sheet_service.final_scores(c.sheet))
    else:
        given = {k: v for k, v in sheet_service.score_input(scores).items()}
        given = {(c.rule.criterion(k).id if c.rule.criterion(k) is not None else k): v for k, v in given.items()}
    from app.domain.evaluation.scoring import Score

    given[st.criterion.id] = Score(st.breakdown.points, f"Tính từ {st.breakdown.task_count} nhiệm vụ: {st.breakdown.formula}")
    return given


def check_band_conditions(session, c, grade: str) -> None:
    """Called by ``sheets.finalise`` with the grade about to be given: the version's task conditions."""
    conditions = c.rule.band_conditions
    if not conditions or grade not in conditions:
        return
    st = _sheet_tasks(session, c.sheet, c.period, c.rule, c.today)
    T.check_band(grade, conditions, st.breakdown)


def open_periods(session) -> list[Period]:
    """Periods open for planning, latest first."""
    return list(session.scalars(select(Period).where(Period.state == Period.OPEN).order_by(Period.first_day.desc())))


def waiting_plans(session, actor: Actor) -> list[TaskPlan]:
    """Plans submitted by people routed to the actor (as commenter or evaluator), waiting for approval."""
    if actor.id is None:
        return []
    out = []
    for plan in session.scalars(select(TaskPlan).join(Period, Period.id == TaskPlan.period_id)
                                .where(TaskPlan.state == T.SUBMITTED, Period.state == Period.OPEN)
                                .where(TaskPlan.person_id.in_(select(Staff.id).where(or_(
                                    Staff.reviewer_id == actor.id, Staff.evaluator_id == actor.id)).union(
                                    select(Sheet.person_id).where(or_(Sheet.commenter_id == actor.id,
                                                                      Sheet.evaluator_id == actor.id)))))
                                .order_by(TaskPlan.submitted_at)):
        if is_approver(actor, place_of(session, plan.person, plan.period_id)):
            out.append(plan)
    return out


# -- every sheet's task points of a period, in one grouped query ----------------------------------------
class PersonPoints(NamedTuple):
    """One person's task points: the figures in whole hundredths (exact), as Decimals through the properties."""

    person_id: int
    tasks: int
    late: int
    exceeded: int
    a_hundredths: int
    b_hundredths: int
    c_hundredths: int
    points_hundredths: int

    @property
    def a(self) -> Decimal:
        return Decimal(self.a_hundredths).scaleb(-2)

    @property
    def b(self) -> Decimal:
        return Decimal(self.b_hundredths).scaleb(-2)

    @property
    def c(self) -> Decimal:
        return Decimal(self.c_hundredths).scaleb(-2)

    @property
    def points(self) -> Decimal:
        return Decimal(self.points_hundredths).scaleb(-2)


def period_points(session, period_id: int, today: Optional[dt.date] = None) -> dict[int, PersonPoints]:
    """Every person's task points of a period, the same figures as ``breakdown_of`` (a test checks they agree).

    One grouped scan of ``task``: each task's units and done units are stored in whole hundredths (kept on
    every flush), its quality and timeliness shares are integer quarters (1 − 0.25 × fails or delays), so
    the sums are exact integer arithmetic truncating like the domain's ``cut``, on SQLite as on PostgreSQL.
    The shares per person are integer divisions too: floor(part × 10000 / whole) hundredths of a percent is
    exactly ``cut(part × 100 / whole)`` (a rational within 10⁻²⁶ of a boundary is on it).
    """
    today = today or clock.today()
    sqlite = session.get_bind().dialect.name == "sqlite"
    greatest = func.max if sqlite else func.greatest  # the scalar form
    done = Task.done_cents
    late = case((and_(Task.status == T.DONE, Task.finished_on > Task.deadline), 1),
                (and_(Task.status != T.DONE, Task.deadline < today), 1), else_=0)
    n_delays = Task.delay_count + late
    quarters_q = greatest(4 - Task.quality_fails, 0)
    quarters_t = case((Task.exempt.is_(True), 4), else_=greatest(4 - n_delays, 0))
    from sqlalchemy import BigInteger, Integer, cast

    def total(expr):
        return cast(func.sum(expr), BigInteger)  # PostgreSQL sums bigints as numeric: read back as int

    rows = session.connection().execute(  # plain rows, no ORM processing
        select(Task.person_id, func.count(), total(Task.units_cents), total(done),
               total(done * quarters_q // 4), total(done * quarters_t // 4),
               total(case((Task.exempt.is_(True), 0), (n_delays > 0, 1), else_=0)),
               total(cast(Task.exceeded, Integer)))
        .where(Task.period_id == period_id, Task.status.in_(tuple(T.COUNTED_STATUSES)))
        .group_by(Task.person_id)
    ).all()
    # the few leaders among them (d, đ, e): their plans' ratings, and the D grades routed to them
    ratings = {pid: (dd, e) for pid, dd, e in session.execute(
        select(TaskPlan.person_id, TaskPlan.rating_dd, TaskPlan.rating_e).join(Staff, Staff.id == TaskPlan.person_id)
        .where(TaskPlan.period_id == period_id, Staff.eval_role.in_((LEADER, DEPARTMENT_HEAD))))}
    any_d: set[int] = set()
    if ratings:
        for ev, cm, pid in session.execute(select(Sheet.evaluator_id, Sheet.commenter_id, Sheet.person_id)
                                           .where(Sheet.period_id == period_id, Sheet.state == wf.FINALISED,
                                                  Sheet.grade == "D")):
            any_d.update(x for x in (ev, cm) if x is not None and x != pid)

    def pct(part: int, whole: int) -> int:  # hundredths of a percent
        return part * 10000 // whole if whole > 0 else 0

    out = {}
    for person_id, n, u, d, qu, tu, n_late, n_exc in rows:
        a, b, c = pct(d, u), pct(qu, d), pct(tu, d)
        total, parts = a + b + c, 3
        if person_id in ratings:
            dd, e = ratings[person_id]
            total += (5000 if person_id in any_d else 10000) + int((dd or 0) * 100) + int((e or 0) * 100)
            parts = 6
        points = total * 70 // (parts * 100)  # hundredths of a point: cut(Σ / parts × 70 %)
        out[person_id] = PersonPoints(person_id, n, n_late, n_exc, a, b, c, points)
    return out


# -- the leader's view -----------------------------------------------------------------------------------
LATE, STUCK, ALL_OPEN = "late", "stuck", "open"
KIND_LABELS = {LATE: "Quá hạn", STUCK: "Chậm cập nhật", ALL_OPEN: "Đang mở"}


@dataclass
class FollowUp:
    period: Period
    rows: list[tuple[Task, Staff, str]]  # (task, person, kind)
    counts: dict[str, int]
    people: list[Staff]


def _routed_people(actor: Actor, period_id: int):
    """Ids of people routed to the actor this period (their sheet's, or their own routing without a sheet)."""
    by_sheet = select(Sheet.person_id).where(Sheet.period_id == period_id,
                                             or_(Sheet.commenter_id == actor.id, Sheet.evaluator_id == actor.id))
    no_sheet = select(Staff.id).where(or_(Staff.reviewer_id == actor.id, Staff.evaluator_id == actor.id),
                                      ~Staff.id.in_(select(Sheet.person_id).where(Sheet.period_id == period_id)))
    return by_sheet.union(no_sheet)


def follow_up(session, actor: Actor, period: Any, kind: str = "", person_id: Any = None, q: str = "",
              today: Optional[dt.date] = None, limit: int = 2000) -> FollowUp:
    """Late and stuck tasks of the people routed to the actor (a unit leader: the whole unit), with counts."""
    from app.domain.text import fold

    require_actor(actor)
    period = period_of(session, period)
    today = today or clock.today()
    stale_before = clock.now() - dt.timedelta(days=STUCK_DAYS)
    people = _routed_people(actor, period.id)
    scope = Task.person_id.in_(people)
    if LEADER in actor.roles and actor.unit_id is not None:
        scope = or_(scope, Task.unit_id == actor.unit_id)
    if actor.id is None:
        scope = Task.id.is_(None)
    is_open = Task.status.in_(tuple(T.OPEN_STATUSES))
    late = and_(is_open, Task.deadline < today)
    stuck = and_(is_open, Task.deadline >= today, Task.updated_at < stale_before)
    base = select(Task).where(Task.period_id == period.id, scope, Task.person_id != (actor.id or 0))
    counts_row = session.execute(select(
        func.count(case((late, 1))), func.count(case((stuck, 1))), func.count(case((is_open, 1)))
    ).select_from(Task).where(Task.period_id == period.id, scope, Task.person_id != (actor.id or 0))).one()
    counts = {LATE: counts_row[0], STUCK: counts_row[1], ALL_OPEN: counts_row[2]}
    cond = {LATE: late, STUCK: stuck, ALL_OPEN: is_open}.get(kind, or_(late, stuck))
    query = base.where(cond)
    pid = None
    if person_id not in (None, ""):
        pid = as_id(person_id)
        if pid is None:
            raise ValidationError("bad_person", "Người được chọn không hợp lệ.", "person")
        query = query.where(Task.person_id == pid)
    tasks = list(session.scalars(query.order_by(Task.deadline, Task.id).limit(limit)))
    all_people = list(session.scalars(select(Staff).where(Staff.id.in_(
        select(Task.person_id).where(Task.period_id == period.id, scope, Task.person_id != (actor.id or 0))))
        .order_by(Staff.name_key)))
    by_id = {p.id: p for p in all_people}
    rows = []
    needle = fold(q or "")
    for t in tasks:
        person = by_id.get(t.person_id) or session.get(Staff, t.person_id)
        if needle and needle not in fold(t.title) and needle not in fold(person.display_name):
            continue
        k = LATE if t.deadline < today else STUCK
        rows.append((t, person, k))
    return FollowUp(period, rows, counts, all_people)


# -- task import (xlsx and the API) ----------------------------------------------------------------------
TASK_COLUMNS = ("Tài khoản", "Tên nhiệm vụ", "Mô tả", "Sản phẩm dự kiến", "Mã loại sản phẩm", "Số lượng",
                "Thời hạn", "Số văn bản", "Lý do thay đổi")
_FIELD_COLUMN = {"person_id": "Tài khoản", "title": "Tên nhiệm vụ", "description": "Mô tả",
                 "expected_product": "Sản phẩm dự kiến", "product_type_id": "Mã loại sản phẩm", "quantity": "Số lượng",
                 "deadline": "Thời hạn", "document_ref": "Số văn bản", "change_reason": "Lý do thay đổi"}


def import_tasks(session, actor: Actor, period: Any, stream) -> ImportResult:
    """Tasks from xlsx (``TASK_COLUMNS``; the person by account, the product by its catalogue code): all or
    none, each row through ``create_task`` (the same checks and scope)."""
    period = period_of(session, period)
    rows = _rows(stream)
    start, cols = _header(rows, TASK_COLUMNS)
    result = ImportResult()
    pending = []
    for number, values in rows[start + 1:]:
        if not any(v not in (None, "") for v in values):
            continue
        result.rows += 1
        username = str(_cell(values, cols.get("Tài khoản")) or "").strip().lower()
        person_id = session.scalar(select(Staff.id).where(func.lower(Staff.username) == username)) if username else None
        code = str(_cell(values, cols.get("Mã loại sản phẩm")) or "").strip()
        deadline = _cell(values, cols.get("Thời hạn"))
        pending.append((number, person_id, code, {
            "title": _cell(values, cols.get("Tên nhiệm vụ")), "description": _cell(values, cols.get("Mô tả")),
            "expected_product": _cell(values, cols.get("Sản phẩm dự kiến")),
            "quantity": _cell(values, cols.get("Số lượng")),
            "deadline": deadline if not isinstance(deadline, str) else deadline.strip(),
            "document_ref": str(_cell(values, cols.get("Số văn bản")) or "") or None,
        }, _cell(values, cols.get("Lý do thay đổi"))))
    for number, person_id, code, data, reason in pending:
        # No savepoints (SQLite's driver would commit a released one): a refused row raises before anything
        # of it is staged, and any error at all makes the caller's unit of work roll every row back.
        try:
            if person_id is None:
                raise OutOfReach("not_found", PERSON_NOT_FOUND, "person_id")
            person = session.get(Staff, person_id)
            product = session.scalar(select(ProductType.id).where(ProductType.unit_id == person.unit_id,
                                                                  ProductType.code == code, ProductType.active.is_(True)))
            data["product_type_id"] = product
            if data.get("document_ref"):
                data["assigned_kind"] = T.DOCUMENT
            create_task(session, actor, period, data, person_id=person_id, change_reason=reason)
            result.created += 1
        except DomainError as exc:
            result.errors.append({"row": number, "column": _FIELD_COLUMN.get(exc.field or "", ""), "message": exc.message})
    result.raise_if_errors()  # all or nothing: the caller's unit of work rolls the rows back
    if not result.errors:
        audit.record(session, "task_import", actor=_user(session, actor), target=f"Kỳ {period.key}",
                     detail={"rows": result.rows, "created": result.created})
        session.flush()
    return result


__all__ = [
    "period_of", "routing", "place_of", "can_see", "can_manage", "can_edit", "is_approver", "is_evaluator",
    "can_download", "load_task", "plan_for", "plan_action", "catalogue", "save_product", "delete_product",
    "import_catalogue", "create_task", "update_task", "update_progress", "change_status", "delay_task", "rate_task",
    "rate_leader", "carry_over", "delete_task", "attach_evidence", "download_evidence", "plan_view", "breakdown_of",
    "task_criterion", "sheet_tasks", "finalise_scores", "check_band_conditions", "follow_up", "import_tasks",
    "as_id", "period_points", "PersonPoints", "open_periods", "waiting_plans", "ImportResult", "PlanView", "SheetTasks", "FollowUp", "Download", "CATALOGUE_COLUMNS", "TASK_COLUMNS",
]
