"""The Mẫu 01 import under the one reach rule: units, people, leaders resolved by id within the importer's reach."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.text import fold
from tests.services.test_mau01_import import LEADER_TEXT, STAFF_TEXT, workbook

OWN_UNIT = "UBND phường Cống Vị"
SAME_BLOCK_UNIT = "UBND phường Kim Mã"
OTHER_BLOCK_UNIT = "Trường Tiểu học Kim Đồng"
OWN_BLOCK = "Khối xã, phường"
OTHER_BLOCK = "Khối Giáo dục"


def _actor(ctx, demo, kind, where=OWN_UNIT):
    from app.domain.scope import SYSTEM
    from app.models import Staff
    from app.security.scope import actor_for

    if kind == "system":
        return SYSTEM
    return actor_for(ctx.get(Staff, demo.user(kind, where)["id"]))


def _unit(ctx, name, block=None):
    from app.models import OrgUnit

    q = select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(name))
    if block is not None:
        q = q.where(OrgUnit.block_id == _block(ctx, block).id)
    return ctx.scalar(q.order_by(OrgUnit.id))


def _block(ctx, name):
    from app.models import OrgUnit

    return ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "block", OrgUnit.name_key == fold(name)))


def _staff_of(ctx, unit_name, role="staff"):
    from app.models import Staff

    return ctx.scalar(select(Staff).where(Staff.unit_id == _unit(ctx, unit_name).id, Staff.eval_role == role,
                                          Staff.is_unit_admin.is_(False), Staff.managed_block_id.is_(None))
                      .order_by(Staff.id))


def _state(ctx, person_id):
    from app.models import Staff

    ctx.expire_all()
    p = ctx.get(Staff, person_id)
    return (p.full_name, p.position, p.phone, p.unit_id, p.department_id, p.eval_role, p.is_unit_admin,
            p.reviewer_id, p.evaluator_id, p.managed_block_id, p.active, sorted(r.name for r in p.roles))


def _run(ctx, rows, actor, **kw):
    from app.services.mau01 import run_import

    return run_import(ctx, workbook(rows), actor, **kw)


def _count(ctx, model=None):
    from app.models import Staff

    model = model or Staff
    ctx.expire_all()
    return ctx.scalar(select(func.count(model.id)))


def _row(full_name, unit, role=STAFF_TEXT, account=None, position="Chuyên viên", reviewer=None, evaluator=None,
         phone="0912345678", unit_admin=None):
    return (full_name, position, account, None, phone, unit, role, unit_admin, reviewer, evaluator)


def _messages(out, column=None):
    return " ".join(i["message"] for i in out["errors"] if column is None or i["column"] == column)


# --- the actor is always explicit ----------------------------------------------------------------------


def test_no_service_takes_none_for_all_rights(ctx, demo):
    from app.domain.scope import MissingActor
    from app.models import OrgUnit, Staff
    from app.services import accounts, mau01, org, staff

    person = _staff_of(ctx, OWN_UNIT)
    unit = _unit(ctx, OWN_UNIT)
    sheet = mau01.read_sheet(workbook([_row("Phạm Thị Lan", OWN_UNIT)]), "badinh")
    calls = [
        lambda: mau01.run_import(ctx, workbook([_row("Phạm Thị Lan", OWN_UNIT)]), None),
        lambda: mau01.plan_import(ctx, sheet, None),
        lambda: staff.prepare(ctx, person, None),
        lambda: staff.check_delete(ctx, person, None),
        lambda: accounts.reset_password(ctx, person, None),
        lambda: accounts.lock_account(ctx, person, None),
        lambda: org.save(ctx, unit, None),
        lambda: org.check_delete(ctx, OrgUnit(name="X", kind="department", parent=unit), None),
        lambda: org.create(ctx, "Tổ mới", "department", unit, actor=None),
        lambda: staff.create_district_admin(ctx, "quantri2", "Quản trị Hai", "Mat-khau-dai-2026!", actor=None),
    ]
    for call in calls:
        with pytest.raises(MissingActor):
            call()
    ctx.rollback()


def test_a_plan_is_committed_only_by_the_actor_it_was_made_for(ctx, demo):
    from app.domain.errors import PermissionDenied
    from app.services import mau01

    unit_admin = _actor(ctx, demo, "unit_admin")
    sheet = mau01.read_sheet(workbook([_row("Phạm Thị Lan", OWN_UNIT)]), "badinh")
    plan = mau01.plan_import(ctx, sheet, unit_admin)
    assert plan.errors == []
    before = _count(ctx)
    with pytest.raises(PermissionDenied):
        mau01.commit_plan(ctx, plan, _actor(ctx, demo, "unit_admin", SAME_BLOCK_UNIT))
    assert _count(ctx) == before


# --- existing people are matched and checked by id ---------------------------------------------------------


def test_a_same_named_unit_does_not_give_a_block_admin_another_blocks_people(ctx, demo):
    """The old import looked an existing person's unit up by its name: a block admin who made a unit named
    like another block's unit then "owned" that unit's people."""
    from app.models import Staff
    from app.services import org

    block_admin = _actor(ctx, demo, "block_admin", OWN_BLOCK)
    me = ctx.get(Staff, block_admin.id)
    org.create(ctx, OTHER_BLOCK_UNIT, "unit", _block(ctx, OWN_BLOCK), actor=block_admin, actor_user=me)
    ctx.flush()
    victim = _staff_of(ctx, OTHER_BLOCK_UNIT)
    before = _state(ctx, victim.id)
    out = _run(ctx, [_row(victim.full_name, OWN_UNIT, account=victim.username, position="Bị chuyển")], block_admin).as_json()
    assert not out["committed"]
    assert "ngoài phạm vi bạn quản lý" in _messages(out, "Tài khoản"), out["errors"]
    # By name in the same-named unit: the block admin's own (empty) unit, so a new person, never the victim.
    out = _run(ctx, [_row(victim.full_name, OTHER_BLOCK_UNIT, phone=victim.phone)], block_admin, dry_run=True).as_json()
    assert out["errors"] == [], out["errors"]
    assert [a["username"] for a in out["accounts"]] != [victim.username]
    assert out["created"] == 1 and out["updated"] == 0
    assert _state(ctx, victim.id) == before


@pytest.mark.parametrize("kind,where", [("unit_admin", OWN_UNIT), ("block_admin", OWN_BLOCK)])
def test_people_without_a_unit_are_within_reach_of_the_district_admin_only(ctx, demo, kind, where):
    from app.models import Staff

    admin = ctx.scalar(select(Staff).where(Staff.username == "admin"))
    before = _state(ctx, admin.id)
    out = _run(ctx, [_row("Quản trị Quận", OWN_UNIT, account="admin", position="Bị sửa")], _actor(ctx, demo, kind, where)).as_json()
    assert not out["committed"] and "ngoài phạm vi bạn quản lý" in _messages(out, "Tài khoản")
    assert _state(ctx, admin.id) == before
    # a person whose unit was cleared: the same
    cleared = _staff_of(ctx, OWN_UNIT)
    cleared.unit_id, cleared.department_id = None, None
    ctx.flush()
    before = _state(ctx, cleared.id)
    out = _run(ctx, [_row(cleared.full_name, OWN_UNIT, account=cleared.username)], _actor(ctx, demo, kind, where)).as_json()
    assert not out["committed"] and "ngoài phạm vi bạn quản lý" in _messages(out, "Tài khoản")
    assert _state(ctx, cleared.id) == before


def test_block_admins_are_changed_by_the_district_only_but_may_be_listed_unchanged(ctx, demo):
    """A block admin sitting in a unit (Phòng Nội vụ) is on that unit's Mẫu 01: listing them as they are is
    fine; changing them is for the district admin."""
    from app.models import Staff

    unit_admin = _actor(ctx, demo, "unit_admin", "Phòng Nội vụ")
    holder = ctx.scalar(select(Staff).where(Staff.managed_block_id == _block(ctx, OWN_BLOCK).id))
    assert holder.unit_id == unit_admin.unit_id
    before = _state(ctx, holder.id)
    same = _row(holder.full_name, "Phòng Nội vụ", account=holder.username, position=holder.position, phone=holder.phone,
                evaluator=holder.evaluator.username)
    out = _run(ctx, [same], unit_admin, dry_run=True).as_json()
    assert out["errors"] == [] and out["unchanged"] == 1, out["errors"]
    changed = _row(holder.full_name, "Phòng Nội vụ", account=holder.username, position="Chuyên viên chính",
                   phone=holder.phone, evaluator=holder.evaluator.username)
    out = _run(ctx, [changed], unit_admin).as_json()
    assert not out["committed"] and "Chỉ quản trị cấp quận" in _messages(out), out["errors"]
    assert _state(ctx, holder.id) == before
    out = _run(ctx, [changed], _actor(ctx, demo, "system")).as_json()
    assert out["committed"] and _state(ctx, holder.id)[1] == "Chuyên viên chính"


def test_nobody_changes_their_own_rights_through_the_sheet(ctx, demo):
    from app.models import Staff

    actor = _actor(ctx, demo, "unit_admin")
    me = ctx.get(Staff, actor.id)
    before = _state(ctx, me.id)
    out = _run(ctx, [_row(me.full_name, OWN_UNIT, role=LEADER_TEXT, account=me.username, unit_admin="X")], actor).as_json()
    assert not out["committed"] and "chính mình" in _messages(out), out["errors"]
    assert _state(ctx, me.id) == before
    # contact details are one's own to keep up to date
    out = _run(ctx, [_row(me.full_name, OWN_UNIT, role=STAFF_TEXT, account=me.username, unit_admin="X",
                          position="Chuyên viên chính", phone=me.phone, evaluator=me.evaluator.username)], actor).as_json()
    assert out["committed"], out["errors"]


# --- unit names only within reach ------------------------------------------------------------------------


def test_a_name_only_outside_reach_is_not_in_reach_and_not_revealed(ctx, demo):
    from app.models import OrgUnit

    for kind, where in (("unit_admin", OWN_UNIT), ("block_admin", OWN_BLOCK)):
        units = _count(ctx, OrgUnit)
        out = _run(ctx, [_row("Phạm Thị Lan", OTHER_BLOCK_UNIT)], _actor(ctx, demo, kind, where)).as_json()
        message = _messages(out, "Đơn vị")
        assert "không có trong phạm vi bạn quản lý" in message and OTHER_BLOCK not in message
        assert not out["committed"] and out["units_created"] == [] and _count(ctx, OrgUnit) == units


def test_a_name_repeated_within_reach_is_refused_with_where_it_exists(ctx, demo):
    """A city-wide instance has a "Văn phòng HĐND và UBND" in every ward."""
    from app.domain.scope import SYSTEM
    from app.services import org

    name = "Văn phòng HĐND và UBND"
    a = org.create(ctx, name, "unit", _block(ctx, OWN_BLOCK), actor=SYSTEM)
    b = org.create(ctx, name, "unit", _block(ctx, OTHER_BLOCK), actor=SYSTEM)
    ctx.flush()
    out = _run(ctx, [_row("Phạm Thị Lan", name)], SYSTEM).as_json()
    message = _messages(out, "Đơn vị")
    assert not out["committed"] and "có ở: " in message, message
    assert sorted(message.split("có ở: ", 1)[1].split(".")[0].split("; ")) == sorted([OWN_BLOCK, OTHER_BLOCK])
    # The block chosen for the import settles it; a block admin sees only their own.
    out = _run(ctx, [_row("Phạm Thị Lan", name)], SYSTEM, dry_run=True, new_unit_block_id=b.block_id).as_json()
    assert out["errors"] == [] and out["units_created"] == []
    result = _run(ctx, [_row("Phạm Thị Lan", name)], _actor(ctx, demo, "block_admin", OWN_BLOCK))
    assert result.committed, result.as_json()["errors"]
    from app.models import Staff

    lan = ctx.scalar(select(Staff).where(Staff.username == "phamthilan_badinh"))
    assert lan.unit_id == a.id


def test_a_department_name_in_the_unit_column_puts_the_person_in_that_department(ctx, demo):
    """The template's guide says the Đơn vị column may hold a department: the import agrees (§3.7)."""
    from app.models import OrgUnit, Staff

    own = _unit(ctx, OWN_UNIT)
    dept = ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "department", OrgUnit.unit_id == own.id).order_by(OrgUnit.id))
    result = _run(ctx, [_row("Phạm Thị Lan", dept.name)], _actor(ctx, demo, "unit_admin"))
    assert result.committed, result.as_json()["errors"]
    lan = ctx.scalar(select(Staff).where(Staff.username == "phamthilan_badinh"))
    assert (lan.unit_id, lan.department_id) == (own.id, dept.id)


def test_a_department_name_of_several_units_is_settled_by_the_sheet_or_refused(ctx, demo):
    from app.models import OrgUnit, Staff

    block_admin = _actor(ctx, demo, "block_admin", OWN_BLOCK)
    name = "Văn phòng - Thống kê"  # in Cống Vị, Kim Mã and Ngọc Hà
    out = _run(ctx, [_row("Phạm Thị Lan", name)], block_admin).as_json()
    message = _messages(out, "Đơn vị")
    assert not out["committed"] and "có ở:" in message and OWN_UNIT in message and SAME_BLOCK_UNIT in message
    assert OTHER_BLOCK_UNIT not in message
    result = _run(ctx, [_row("Lê Văn Hùng", SAME_BLOCK_UNIT), _row("Phạm Thị Lan", name)], block_admin)
    assert result.committed, result.as_json()["errors"]
    kim_ma = _unit(ctx, SAME_BLOCK_UNIT)
    lan = ctx.scalar(select(Staff).where(Staff.username == "phamthilan_badinh"))
    dept = ctx.get(OrgUnit, lan.department_id)
    assert lan.unit_id == kim_ma.id and dept.unit_id == kim_ma.id and dept.name == name


def test_a_move_to_another_unit_leaves_the_old_units_department(ctx, demo):
    from app.models import Staff

    person = ctx.scalar(select(Staff).where(Staff.unit_id == _unit(ctx, OWN_UNIT).id, Staff.department_id.isnot(None),
                                            Staff.eval_role == "staff", Staff.is_unit_admin.is_(False)))
    result = _run(ctx, [_row(person.full_name, SAME_BLOCK_UNIT, account=person.username, phone=person.phone)],
                  _actor(ctx, demo, "block_admin", OWN_BLOCK))
    assert result.committed, result.as_json()["errors"]
    state = _state(ctx, person.id)
    assert state[3] == _unit(ctx, SAME_BLOCK_UNIT).id and state[4] is None


# --- reviewers and evaluators within reach -----------------------------------------------------------------


def test_leaders_outside_reach_are_never_named_or_linked(ctx, demo):
    unit_admin = _actor(ctx, demo, "unit_admin")
    foreign = _staff_of(ctx, SAME_BLOCK_UNIT, "leader")
    rows = [_row("Phạm Thị Lan", OWN_UNIT, evaluator=foreign.username),
            _row("Lê Văn Hùng", OWN_UNIT, evaluator=foreign.full_name)]
    out = _run(ctx, rows, unit_admin).as_json()
    assert not out["committed"]
    assert {e["row"] for e in out["errors"] if e["column"] == "Lãnh đạo đánh giá"} == {6, 7}, out["errors"]
    text = str(out)
    assert foreign.username not in text.replace(f"“{foreign.username}”", "") and SAME_BLOCK_UNIT not in text
    assert all(a["evaluator"] is None for a in out["accounts"])


def test_a_unit_heads_evaluator_outside_the_unit_is_a_warning_for_a_unit_admin_and_a_link_for_the_district(ctx, demo):
    from app.models import Staff

    district_leader = _staff_of(ctx, "Ban Tổ chức Quận ủy", "leader")
    row = _row("Phạm Thị Lan", OWN_UNIT, role=LEADER_TEXT, evaluator=district_leader.full_name)
    result = _run(ctx, [row], _actor(ctx, demo, "unit_admin"))
    out = result.as_json()
    assert result.committed, out["errors"]
    warning = " ".join(w["message"] for w in out["warnings"] if w["column"] == "Lãnh đạo đánh giá")
    assert "quản trị cấp quận" in warning and district_leader.username not in warning
    assert out["accounts"][0]["evaluator"] is None
    lan = ctx.scalar(select(Staff).where(Staff.username == "phamthilan_badinh"))
    assert lan.evaluator_id is None
    result = _run(ctx, [_row("Phạm Thị Lan", OWN_UNIT, role=LEADER_TEXT, evaluator=district_leader.username,
                             account="phamthilan_badinh")], _actor(ctx, demo, "system"))
    assert result.committed, result.as_json()["errors"]
    ctx.expire_all()
    assert ctx.get(Staff, lan.id).evaluator_id == district_leader.id


def test_the_preview_names_nobody_outside_reach(app, demo, ctx):
    """The screen path: upload as a unit admin naming a foreign leader; the page shows neither them nor a link."""
    import io

    foreign = _staff_of(ctx, OTHER_BLOCK_UNIT, "leader")
    data = workbook([_row("Phạm Thị Lan", OWN_UNIT, role=LEADER_TEXT, evaluator=foreign.full_name),
                     _row("Lê Văn Hùng", OWN_UNIT, evaluator="Phạm Thị Lan")]).getvalue()
    client = app.test_client()
    demo.login(client, "unit_admin")
    body = client.post("/mau01/upload", data={"file": (io.BytesIO(data), "ds.xlsx")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Xem trước" in body and "phamthilan_badinh" in body
    assert foreign.username not in body and OTHER_BLOCK_UNIT not in body
    assert f"/staff/show/{foreign.id}" not in body


# --- warnings state their numbers ------------------------------------------------------------------------


def test_the_commenter_warning_states_the_units_size(ctx, demo):
    from app.models import Staff

    own = _unit(ctx, OWN_UNIT)
    existing = ctx.scalar(select(func.count(Staff.id)).where(Staff.unit_id == own.id))
    rows = [_row(f"Người Thứ {n}", OWN_UNIT, phone=f"09123456{n:02d}") for n in range(3)]
    out = _run(ctx, rows, _actor(ctx, demo, "unit_admin"), dry_run=True).as_json()
    messages = {w["message"] for w in out["warnings"] if w["column"] == "Lãnh đạo phụ trách nhận xét"}
    assert messages == {f"Đơn vị có {existing + 3} người: nên có lãnh đạo phụ trách nhận xét."}, out["warnings"]
