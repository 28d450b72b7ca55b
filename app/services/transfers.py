"""Transfers and merges: a person's open sheet follows them; a merged unit keeps its history.

- ``after_move(session, person, old_unit_id, actor_user, explicit)``: a person edited on the staff screen
  moved to another unit: their routing is fixed (app/domain/transfers.py) unless the edit named new
  leaders, then their open sheets follow (``follow_people``).
- ``follow_people(session, moves, actor_user)``: for each (person id, old unit id): every sheet of an open
  period that is not finalised takes the person's unit, department, commenter and evaluator (the routing
  a period copies when it opens), and a sheet event (``reassign``) records the move. Finalised sheets and
  closed periods keep the unit where they were earned.
- ``merge_units(session, source_id, target_id, actor, actor_user)``: the source's people and departments
  move to the target, their open sheets follow, the source is marked merged (``merged_into``) and stays,
  so past periods' reports still name it.

Services flush, never commit.
"""
from __future__ import annotations

import json
from typing import Iterable, NamedTuple, Optional

from sqlalchemy import select, update
from sqlalchemy.orm.util import identity_key

from app.domain import transfers as rules
from app.domain.root import current as root
from app.domain.errors import OutOfReach, PermissionDenied, ValidationError
from app.domain.evaluation import workflow as wf
from app.domain.scope import LEVEL_BLOCK, Actor, require_actor
from app.models import OrgUnit, Period, Sheet, SheetEvent, Staff
from app.security.scope import org_clause
from app.services import audit, clock

MOVE_REASON = "Chuyển đơn vị: {old} → {new}."


def unit_head(session, unit_id: Optional[int]) -> Optional[int]:
    """The unit's head: its first leader whose evaluator sits outside the unit (or who has none)."""
    if unit_id is None:
        return None
    leaders = session.execute(
        select(Staff.id, Staff.evaluator_id).where(Staff.unit_id == unit_id, Staff.eval_role == "leader",
                                                  Staff.active.is_(True)).order_by(Staff.id)
    ).all()
    inside = {i for i, _ in leaders}
    for pid, ev in leaders:
        if ev is None or ev not in inside:
            return pid
    return leaders[0][0] if leaders else None


def after_move(session, person: Staff, old_unit_id: Optional[int], actor_user=None, explicit: Iterable[str] = ()) -> int:
    """The staff screen moved ``person`` (not flushed yet): fix the routing, let the open sheets follow."""
    session.flush()
    reroute(session, person.id, old_unit_id, explicit)
    return follow_people(session, [(person.id, old_unit_id)], actor_user)


def reroute(session, person_id: int, old_unit_id: Optional[int], explicit: Iterable[str] = ()) -> None:
    """After a move, the person's leaders left in the old unit give way (app/domain/transfers.py), unless
    the same change named new ones (``explicit``: the changed field names)."""
    explicit = set(explicit)
    person = session.execute(select(Staff.id, Staff.unit_id, Staff.reviewer_id, Staff.evaluator_id)
                             .where(Staff.id == person_id)).one()
    if person.unit_id == old_unit_id or person.unit_id is None:
        return
    leaders = {i: rules.Leader(i, u) for i, u in session.execute(
        select(Staff.id, Staff.unit_id).where(Staff.id.in_([x for x in (person.reviewer_id, person.evaluator_id) if x])))}
    reviewer_id, evaluator_id = rules.route_after_move(
        person.id, old_unit_id, person.unit_id, leaders.get(person.reviewer_id), leaders.get(person.evaluator_id),
        unit_head(session, person.unit_id))
    values = {}
    if not {"reviewer", "reviewer_id"} & explicit and reviewer_id != person.reviewer_id:
        values["reviewer_id"] = reviewer_id
    if not {"evaluator", "evaluator_id"} & explicit and evaluator_id != person.evaluator_id:
        values["evaluator_id"] = evaluator_id
    if values:
        session.execute(update(Staff).where(Staff.id == person_id).values(**values),
                        execution_options={"synchronize_session": False})
        loaded = session.identity_map.get(identity_key(Staff, person_id))
        if loaded is not None:  # the screen's object: read the new routing back
            session.expire(loaded, ["reviewer_id", "evaluator_id", "reviewer", "evaluator"])


def follow_people(session, moves: Iterable[tuple[int, Optional[int]]], actor_user=None) -> int:
    """Open, unfinished sheets of the moved people take their current unit and routing; returns how many."""
    moves = dict(moves)
    if not moves:
        return 0
    session.flush()
    # The people's columns as stored now (bulk updates may have left loaded objects behind); the sheets
    # refreshed, so their version is the stored one.
    rows = session.execute(
        select(Sheet, Staff.id, Staff.unit_id, Staff.department_id, Staff.reviewer_id, Staff.evaluator_id)
        .join(Period, Period.id == Sheet.period_id)
        .join(Staff, Staff.id == Sheet.person_id)
        .where(Sheet.person_id.in_(list(moves)), Period.state == Period.OPEN, Sheet.state != wf.FINALISED)
        .order_by(Sheet.id)
        .execution_options(populate_existing=True)
    ).all()
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name)).all()) if rows else {}
    actor_id = getattr(actor_user, "id", None)
    now = clock.now()
    moved = 0
    for sheet, *person in rows:
        person = _Person(*person)
        if person.unit_id is None:
            continue  # left the organisation: the sheet stays where it is
        commenter, evaluator = rules.sheet_route(person.id, person.reviewer_id, person.evaluator_id)
        before = (sheet.unit_id, sheet.department_id, sheet.commenter_id, sheet.evaluator_id)
        after = (person.unit_id, person.department_id, commenter, evaluator)
        if before == after:
            continue
        sheet.unit_id, sheet.department_id, sheet.commenter_id, sheet.evaluator_id = after
        old, new = names.get(before[0], ""), names.get(after[0], "")
        reason = MOVE_REASON.format(old=old, new=new) if before[0] != after[0] else "Đổi phòng, ban hoặc người nhận xét, đánh giá theo hồ sơ."
        session.add(SheetEvent(
            sheet_id=sheet.id, at=now, actor_id=actor_id, action=wf.REASSIGN, from_state=sheet.state,
            to_state=sheet.state, reason=reason,
            detail=json.dumps({"don_vi": [before[0], after[0]], "phong_ban": [before[1], after[1]],
                               "nguoi_nhan_xet": [before[2], after[2]], "nguoi_danh_gia": [before[3], after[3]]}),
        ))
        moved += 1
    session.flush()
    return moved


def _merge_departments(session, source: OrgUnit, target: OrgUnit) -> None:
    """The source's departments go under the target with their people; one named like a department the
    target already has (folded) merges into it: its people join that one, the old one stays with the old unit."""
    sync = {"synchronize_session": False}
    depts = session.execute(select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.name_key)
                            .where(OrgUnit.kind == "department", OrgUnit.unit_id == source.id)).all()
    existing = dict(session.execute(select(OrgUnit.name_key, OrgUnit.id).where(
        OrgUnit.kind == "department", OrgUnit.parent_id == target.id)).all())
    parent = {d.id: d.parent_id for d in depts}

    def top(dept_id):
        seen = set()
        while parent.get(dept_id) not in (source.id, None) and dept_id not in seen:
            seen.add(dept_id)
            dept_id = parent[dept_id]
        return dept_id

    moved, mapped = set(), {}
    for d in depts:
        if d.parent_id == source.id:
            if d.name_key in existing:
                mapped[d.id] = existing[d.name_key]
            else:
                moved.add(d.id)
    for d in depts:
        if d.parent_id != source.id:
            t = top(d.id)
            if t in moved:
                moved.add(d.id)
            else:
                mapped[d.id] = mapped.get(t)
    if moved:
        session.execute(update(OrgUnit).where(OrgUnit.id.in_(moved)).values(unit_id=target.id, block_id=target.block_id),
                        execution_options=sync)
        session.execute(update(OrgUnit).where(OrgUnit.id.in_(moved), OrgUnit.parent_id == source.id)
                        .values(parent_id=target.id), execution_options=sync)
    for old, new in mapped.items():
        session.execute(update(Staff).where(Staff.department_id == old).values(department_id=new), execution_options=sync)


class _Person(NamedTuple):
    id: int
    unit_id: Optional[int]
    department_id: Optional[int]
    reviewer_id: Optional[int]
    evaluator_id: Optional[int]


def merge_units(session, source_id, target_id, actor: Actor, actor_user=None) -> dict:
    """Merge the source unit into the target (both in the actor's reach); staged, the caller commits."""
    require_actor(actor)
    if not (actor.is_admin or actor.manage_level == LEVEL_BLOCK):
        raise PermissionDenied("scope", f"Chỉ quản trị khối hoặc {root().admin} mới được gộp đơn vị.")

    def unit(value, field):
        try:
            uid = int(value)
        except (TypeError, ValueError):
            raise ValidationError("unit", "Hãy chọn đơn vị.", field) from None
        found = session.scalar(select(OrgUnit).where(OrgUnit.id == uid, OrgUnit.kind == "unit",
                                                     org_clause(actor, "unit", manage=True)))
        if found is None:
            raise OutOfReach("unit", "Không tìm thấy đơn vị này trong phạm vi bạn quản lý.", field)
        return found

    source, target = unit(source_id, "source"), unit(target_id, "target")
    problems = rules.merge_problems(source, target)
    if problems:
        raise ValidationError("merge", " ".join(problems), "target")
    people = list(session.scalars(select(Staff.id).where(Staff.unit_id == source.id)))
    _merge_departments(session, source, target)
    session.execute(update(Staff).where(Staff.unit_id == source.id).values(unit_id=target.id),
                    execution_options={"synchronize_session": False})
    source.merged_into_id, source.merged_at = target.id, clock.now()
    session.flush()
    session.expire_all()
    sheets = follow_people(session, [(pid, source.id) for pid in people], actor_user)
    audit.record(session, "unit_merged", actor=actor_user, target=session.get(OrgUnit, source.id), unit_id=target.id,
                 detail={"gop_vao": target.name, "so_nguoi": len(people), "so_phieu": sheets})
    session.flush()
    return {"people": len(people), "sheets": sheets, "source": source.name, "target": target.name}
