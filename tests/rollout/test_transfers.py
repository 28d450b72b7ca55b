"""Transfers and merges: an open sheet follows its person to the new unit's routing, with the move recorded;
finalised and past sheets stay where they were earned; a merged unit is kept for history."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.evaluation_fixtures import admin_actor, open_period
from tests.rollout.helpers import mau01_sheet, unit_named

FROM, TO, THIRD = "UBND phường Cống Vị", "UBND phường Kim Mã", "UBND phường Ngọc Hà"


def _head(session, unit):
    from app.services.transfers import unit_head

    return unit_head(session, unit.id)


def _past_finalised(session, key="2026-10"):
    """A closed period whose sheets are all finalised (B, 80 points): results earned in the old units."""
    from app.domain.evaluation import workflow as wf
    from app.models import Period, Sheet

    period = open_period(session, key)
    for s in session.scalars(select(Sheet).where(Sheet.period_id == period.id)):
        s.state, s.grade, s.final_total = wf.FINALISED, "B", 80
    period.state = Period.CLOSED
    session.commit()
    return period


def _sheets_of(session, person_id):
    from app.models import Period, Sheet

    return {p.key: (s.id, s.unit_id, s.department_id, s.commenter_id, s.evaluator_id, s.state, s.grade)
            for s, p in session.execute(select(Sheet, Period).join(Period).where(Sheet.person_id == person_id))}


def _staff_member(session, unit):
    from app.models import Staff

    return session.scalars(select(Staff).where(Staff.unit_id == unit.id, Staff.eval_role == "staff",
                                               Staff.is_unit_admin.is_(False), Staff.department_id.isnot(None))
                           .order_by(Staff.id)).first()


def test_a_move_on_the_staff_screen_takes_the_open_sheet_along(ctx):
    from app.domain.evaluation import workflow as wf
    from app.models import SheetEvent, Staff
    from app.services import staff as staff_service
    from app.services.uow import unit_of_work

    past = _past_finalised(ctx)
    open_period(ctx, "2026-11")
    old, new = unit_named(ctx, FROM), unit_named(ctx, TO)
    person = _staff_member(ctx, old)
    before = _sheets_of(ctx, person.id)
    assert before["2026-11"][1] == old.id and before["2026-11"][4] == person.evaluator_id
    admin = ctx.scalar(select(Staff).where(Staff.username == "admin"))
    actor = admin_actor(ctx)  # before the edit: a query would flush it
    with unit_of_work(ctx):
        person.unit, person.department = new, None
        staff_service.prepare(ctx, person, actor, admin)
    ctx.expire_all()
    person = ctx.get(Staff, person.id)
    head = _head(ctx, new)
    assert (person.unit_id, person.reviewer_id, person.evaluator_id) == (new.id, None, head)
    after = _sheets_of(ctx, person.id)
    assert set(after) == set(before) == {"2026-10", "2026-11"}
    assert after["2026-11"] == (before["2026-11"][0], new.id, None, None, head, wf.DRAFT, None)
    assert after["2026-10"] == before["2026-10"] and after["2026-10"][1] == old.id and after["2026-10"][6] == "B"
    event = ctx.scalars(select(SheetEvent).where(SheetEvent.sheet_id == after["2026-11"][0])).all()[-1]
    assert event.action == wf.REASSIGN and event.reason == f"Chuyển đơn vị: {FROM} → {TO}." and event.actor_id == admin.id
    assert past.is_closed


def test_a_finalised_sheet_of_the_open_period_stays(ctx):
    from app.domain.evaluation import workflow as wf
    from app.models import Sheet, Staff
    from app.services import staff as staff_service
    from app.services.uow import unit_of_work

    period = open_period(ctx, "2026-11")
    old, new = unit_named(ctx, FROM), unit_named(ctx, TO)
    person = _staff_member(ctx, old)
    sheet = ctx.scalar(select(Sheet).where(Sheet.person_id == person.id, Sheet.period_id == period.id))
    sheet.state, sheet.grade = wf.FINALISED, "A"
    ctx.commit()
    actor = admin_actor(ctx)
    with unit_of_work(ctx):
        person.unit, person.department = new, None
        staff_service.prepare(ctx, person, actor, None)
    ctx.expire_all()
    assert ctx.get(Sheet, sheet.id).unit_id == old.id and ctx.get(Staff, person.id).unit_id == new.id


def test_a_move_through_mau01_takes_the_sheet_to_the_leaders_the_row_names(ctx):
    from app.domain.evaluation import workflow as wf
    from app.domain.scope import SYSTEM
    from app.models import SheetEvent, Staff
    from app.services.mau01 import run_import
    from app.services.uow import unit_of_work

    open_period(ctx, "2026-11")
    old, new = unit_named(ctx, FROM), unit_named(ctx, TO)
    person = _staff_member(ctx, old)
    new_head = ctx.get(Staff, _head(ctx, new))
    deputy = ctx.scalars(select(Staff).where(Staff.unit_id == new.id, Staff.eval_role == "leader", Staff.id != new_head.id)
                         .order_by(Staff.id)).first()
    data = mau01_sheet([(person.full_name, new.name, person.username, None, new_head.username)])
    with unit_of_work(ctx):
        out = run_import(ctx, io.BytesIO(data), SYSTEM).as_json()
    assert out["committed"] and out["updated"] == 1, out
    ctx.expire_all()
    person = ctx.get(Staff, person.id)
    assert person.unit_id == new.id and person.evaluator_id == new_head.id and person.department_id is None
    assert person.reviewer_id is None  # the old unit's commenter gave way
    sheet = _sheets_of(ctx, person.id)["2026-11"]
    assert sheet[1:5] == (new.id, None, None, new_head.id) and sheet[5] == wf.DRAFT
    events = ctx.scalars(select(SheetEvent).where(SheetEvent.sheet_id == sheet[0])).all()
    assert [e.reason for e in events] == [f"Chuyển đơn vị: {FROM} → {TO}."]
    assert deputy is not None


def test_merging_units_moves_people_and_open_sheets_and_keeps_history(ctx, demo):
    from app.domain.evaluation import workflow as wf
    from app.models import AuditEvent, OrgUnit, Sheet, SheetEvent, Staff
    from app.security.scope import actor_for
    from app.services.activation import activation_report
    from app.services.transfers import merge_units
    from app.services.uow import unit_of_work

    past = _past_finalised(ctx)
    current = open_period(ctx, "2026-11")
    source, target = unit_named(ctx, THIRD), unit_named(ctx, TO)
    people = set(ctx.scalars(select(Staff.id).where(Staff.unit_id == source.id)))
    departments = set(ctx.scalars(select(OrgUnit.id).where(OrgUnit.kind == "department", OrgUnit.unit_id == source.id)))
    routing = {p.id: (p.reviewer_id, p.evaluator_id) for p in ctx.scalars(select(Staff).where(Staff.id.in_(people)))}
    block_admin = ctx.get(Staff, demo.user("block_admin", "Khối xã, phường")["id"])
    with unit_of_work(ctx):
        done = merge_units(ctx, source.id, target.id, actor_for(block_admin), block_admin)
    assert done["people"] == len(people) and done["sheets"] == len(people)
    ctx.expire_all()
    assert set(ctx.scalars(select(Staff.id).where(Staff.unit_id == target.id))) >= people
    assert not ctx.scalar(select(func.count(Staff.id)).where(Staff.unit_id == source.id))
    # Every moved person sits in a department of the target (or none); a department named like one the target
    # has merged into it, the others moved under the target.
    target_departments = set(ctx.scalars(select(OrgUnit.id).where(OrgUnit.kind == "department", OrgUnit.unit_id == target.id)))
    assert {p.department_id for p in ctx.scalars(select(Staff).where(Staff.id.in_(people)))} <= target_departments | {None}
    names = lambda ids: {ctx.get(OrgUnit, i).name_key for i in ids}  # noqa: E731
    assert names(departments) <= names(target_departments)
    # Routing inside the merged unit stays: its leaders moved too.
    assert {p.id: (p.reviewer_id, p.evaluator_id) for p in ctx.scalars(select(Staff).where(Staff.id.in_(people)))} == routing
    now = ctx.scalars(select(Sheet).where(Sheet.period_id == current.id, Sheet.person_id.in_(people))).all()
    assert len(now) == len(people) and {s.unit_id for s in now} == {target.id}
    assert ctx.scalar(select(func.count(SheetEvent.id)).where(SheetEvent.sheet_id.in_([s.id for s in now]),
                                                               SheetEvent.action == wf.REASSIGN)) == len(people)
    earned = ctx.scalars(select(Sheet).where(Sheet.period_id == past.id, Sheet.person_id.in_(people))).all()
    assert len(earned) == len(people) and {s.unit_id for s in earned} == {source.id} and {s.grade for s in earned} == {"B"}
    old = ctx.get(OrgUnit, source.id)
    assert old.merged_into_id == target.id and not old.is_active and old.merged_at is not None
    assert source.id not in {r.unit_id for r in activation_report(ctx, actor_for(block_admin)).units}
    assert ctx.scalar(select(AuditEvent).where(AuditEvent.action == "unit_merged")).target_label == THIRD
    # Twice: refused, nothing changes.
    from app.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="đã được gộp trước đó"):
        merge_units(ctx, source.id, target.id, actor_for(block_admin), block_admin)


def test_a_merge_outside_reach_is_refused(ctx, demo):
    from app.domain.errors import OutOfReach, PermissionDenied
    from app.models import Staff
    from app.security.scope import actor_for
    from app.services.transfers import merge_units

    block_admin = ctx.get(Staff, demo.user("block_admin", "Khối xã, phường")["id"])
    foreign = unit_named(ctx, "Trường Tiểu học Kim Đồng")
    with pytest.raises(OutOfReach):
        merge_units(ctx, foreign.id, unit_named(ctx, TO).id, actor_for(block_admin), block_admin)
    with pytest.raises(OutOfReach):
        merge_units(ctx, unit_named(ctx, TO).id, foreign.id, actor_for(block_admin), block_admin)
    unit_admin = ctx.get(Staff, demo.user("unit_admin", FROM)["id"])
    with pytest.raises(PermissionDenied):
        merge_units(ctx, unit_named(ctx, FROM).id, unit_named(ctx, TO).id, actor_for(unit_admin), unit_admin)


def test_the_merge_screen(app, client, demo):
    from app.extensions import db
    from app.models import OrgUnit

    with app.app_context():
        source, target = unit_named(db.session, THIRD).id, unit_named(db.session, TO).id
        db.session.remove()
    other = app.test_client()
    demo.login(other, "unit_admin", FROM)
    assert other.get("/unit-merge/").status_code == 403
    assert other.post("/unit-merge/merge", data={"source": source, "target": target}).status_code == 403
    demo.login(client, "block_admin", "Khối xã, phường")
    page = client.get("/unit-merge/").get_data(as_text=True)
    assert THIRD in page and "Trường Tiểu học Kim Đồng" not in page
    bad = client.post("/unit-merge/merge", data={"source": source, "target": source})
    assert bad.status_code == 400 and "Không thể gộp một đơn vị vào chính nó." in bad.get_data(as_text=True)
    resp = client.post("/unit-merge/merge", data={"source": source, "target": target}, follow_redirects=True)
    assert resp.status_code == 200 and f"Đã gộp “{THIRD}” vào “{TO}”" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OrgUnit, source).merged_into_id == target
        db.session.remove()


def test_an_import_naming_a_merged_unit_is_refused_with_the_new_name(ctx):
    from app.domain.scope import SYSTEM
    from app.models import Staff
    from app.services.mau01 import run_import
    from app.services.transfers import merge_units
    from app.services.uow import unit_of_work

    source, target = unit_named(ctx, THIRD), unit_named(ctx, TO)
    with unit_of_work(ctx):
        merge_units(ctx, source.id, target.id, SYSTEM)
    count = ctx.scalar(select(func.count(Staff.id)))
    with unit_of_work(ctx):
        out = run_import(ctx, io.BytesIO(mau01_sheet([("Hà Văn Mới", THIRD, None, "0912000001", None)])), SYSTEM).as_json()
    assert not out["committed"] and [e["message"] for e in out["errors"]] == [
        f"Đơn vị “{THIRD}” đã được gộp vào “{TO}”; hãy ghi tên đơn vị “{TO}”."]
    assert ctx.scalar(select(func.count(Staff.id))) == count


def test_a_move_through_the_staff_edit_form(app, client, demo, ctx):
    from app.domain.evaluation import workflow as wf
    from app.models import Sheet, SheetEvent, Staff

    open_period(ctx, "2026-11")
    old, new = unit_named(ctx, FROM), unit_named(ctx, TO)
    person = _staff_member(ctx, old)
    head = _head(ctx, new)
    demo.login(client, "block_admin", "Khối xã, phường")
    resp = client.post(f"/staff/edit/{person.id}", data={
        "full_name": person.full_name, "position": person.position or "", "unit": new.id, "department": "__None",
        "eval_role": person.eval_role, "reviewer": str(person.reviewer_id), "evaluator": str(person.evaluator_id),
        "phone": person.phone or "",
    })
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    ctx.expire_all()
    moved = ctx.get(Staff, person.id)
    assert (moved.unit_id, moved.department_id, moved.reviewer_id, moved.evaluator_id) == (new.id, None, None, head)
    sheet = ctx.scalar(select(Sheet).where(Sheet.person_id == person.id))
    assert (sheet.unit_id, sheet.commenter_id, sheet.evaluator_id, sheet.state) == (new.id, None, head, wf.DRAFT)
    assert [e.reason for e in ctx.scalars(select(SheetEvent).where(SheetEvent.sheet_id == sheet.id))] == [
        f"Chuyển đơn vị: {FROM} → {TO}."]


def test_nobody_is_put_into_a_merged_unit(app, client, demo, ctx):
    from app.domain.errors import ValidationError
    from app.domain.scope import SYSTEM
    from app.models import Staff
    from app.services import staff as staff_service
    from app.services.transfers import merge_units
    from app.services.uow import unit_of_work

    source, target = unit_named(ctx, THIRD), unit_named(ctx, TO)
    with unit_of_work(ctx):
        merge_units(ctx, source.id, target.id, SYSTEM)
    demo.login(client, "block_admin", "Khối xã, phường")
    form = client.get("/staff/add").get_data(as_text=True)
    assert f'value="{target.id}"' in form and f'value="{source.id}"' not in form
    person = _staff_member(ctx, unit_named(ctx, FROM))
    with pytest.raises(ValidationError, match=f"đã được gộp vào “{TO}”"):
        person.unit, person.department = ctx.get(type(source), source.id), None
        staff_service.prepare(ctx, person, SYSTEM)
    ctx.rollback()
    assert ctx.get(Staff, person.id).unit_id == unit_named(ctx, FROM).id


def test_the_units_list_says_which_unit_was_merged_where(app, client, demo, ctx):
    from app.domain.scope import SYSTEM
    from app.services.transfers import merge_units
    from app.services.uow import unit_of_work

    source, target = unit_named(ctx, THIRD), unit_named(ctx, TO)
    with unit_of_work(ctx):
        merge_units(ctx, source.id, target.id, SYSTEM)
    demo.login(client, "block_admin", "Khối xã, phường")
    body = client.get("/units/list/").get_data(as_text=True)
    assert f"Đã gộp vào {TO}" in body and body.count("Đang hoạt động") >= 2
    assert f"Đã gộp vào {TO}" in client.get(f"/units/show/{source.id}").get_data(as_text=True)
