"""Activation follow-up: the numbers agree with counts taken here, one person at a time."""
from __future__ import annotations

import io
from collections import defaultdict

import pytest
from sqlalchemy import select

from tests.rollout.helpers import mau01_sheet, unit_named

OWN_BLOCK = "Khối xã, phường"


def _independent(session, unit_ids):
    """Per unit: [accounts, changed, locked, never signed in], counted person by person in Python."""
    from app.models import Staff

    out = defaultdict(lambda: [0, 0, 0, 0])
    for p in session.scalars(select(Staff)):
        if p.unit_id in unit_ids:
            c = out[p.unit_id]
            c[0] += 1
            c[1] += 0 if p.must_change_password else 1
            c[2] += 1 if p.locked_at is not None else 0
            c[3] += 1 if p.last_login is None else 0
    return out


def _stir(session):
    """Give the demo people varied states: some must change, some locked, some signed in."""
    from app.models import Staff
    from app.services import clock

    people = session.scalars(select(Staff).where(Staff.unit_id.isnot(None)).order_by(Staff.id)).all()
    now = clock.now()
    for i, p in enumerate(people):
        if i % 3 == 0:
            p.must_change_password = True
        if i % 7 == 0:
            p.locked_at, p.lock_reason = now, "manual"
        if i % 2 == 0:
            p.last_login = now.replace(tzinfo=None)
    session.commit()


def _import(session, rows):
    from app.domain.scope import SYSTEM
    from app.services.mau01 import run_import
    from app.services.uow import unit_of_work

    with unit_of_work(session):
        result = run_import(session, io.BytesIO(mau01_sheet(rows)), SYSTEM)
    assert result.committed, result.as_json()["errors"]
    return result


def test_the_report_agrees_with_counts_person_by_person(ctx):
    from app.models import OrgUnit
    from app.security.scope import actor_for
    from app.models import Staff
    from app.services.activation import activation_report

    _stir(ctx)
    cong_vi = unit_named(ctx, "UBND phường Cống Vị")
    kim_dong = unit_named(ctx, "Trường Tiểu học Kim Đồng")
    _import(ctx, [("Hà Văn Mới", cong_vi.name, None, "0912000001", None)])
    _import(ctx, [("Lê Thị Mới", kim_dong.name, None, "0912000002", None), ("Đỗ Văn Mới", cong_vi.name, None, "0912000003", None)])
    admin = actor_for(ctx.scalar(select(Staff).where(Staff.username == "admin")))
    report = activation_report(ctx, admin)
    all_units = set(ctx.scalars(select(OrgUnit.id).where(OrgUnit.kind == "unit")))
    assert {r.unit_id for r in report.units} == all_units
    expected = _independent(ctx, all_units)
    for r in report.units:
        c = r.counts
        assert [c.accounts, c.changed, c.locked, c.never_signed_in] == expected[r.unit_id], r.unit_name
    received = {r.unit_id for r in report.units if r.received}
    assert received == {cong_vi.id, kim_dong.id}
    # Units without a list first.
    flags = [r.received for r in report.units]
    assert flags == sorted(flags) and flags[-2:] == [True, True]
    # Totals per block and overall add up the units.
    for b in report.blocks:
        mine = [r for r in report.units if r.block_id == b.block_id]
        assert b.units == len(mine) and b.received == sum(r.received for r in mine)
        assert b.counts.accounts == sum(expected[r.unit_id][0] for r in mine)
        assert b.counts.locked == sum(expected[r.unit_id][2] for r in mine)
    assert report.total.units == len(all_units) and report.total.missing == len(all_units) - 2
    assert report.total.counts.never_signed_in == sum(v[3] for v in expected.values())


def test_a_block_admin_follows_only_the_block(ctx, demo):
    from app.models import OrgUnit, Staff
    from app.security.scope import actor_for
    from app.services.activation import activation_report

    person = ctx.get(Staff, demo.user("block_admin", OWN_BLOCK)["id"])
    report = activation_report(ctx, actor_for(person))
    block_units = set(ctx.scalars(select(OrgUnit.id).where(OrgUnit.kind == "unit", OrgUnit.block_id == person.managed_block_id)))
    assert {r.unit_id for r in report.units} == block_units and len(report.blocks) == 1
    assert report.blocks[0].block_name == OWN_BLOCK


@pytest.mark.parametrize("kind, status", [("admin", 200), ("block_admin", 200), ("unit_admin", 403), ("leader", 403),
                                          ("synthesis", 403), ("staff", 403)])
def test_who_opens_the_screen(app, client, demo, kind, status):
    demo.login(client, kind, OWN_BLOCK if kind == "block_admin" else "UBND phường Cống Vị")
    assert client.get("/activation/").status_code == status
    assert client.get("/activation/export").status_code == status


def test_the_screen_and_the_export(app, client, demo):
    import openpyxl

    demo.login(client, "block_admin", OWN_BLOCK)
    body = client.get("/activation/").get_data(as_text=True)
    assert "UBND phường Cống Vị" in body and "Trường Tiểu học Kim Đồng" not in body and "Chưa gửi" in body
    resp = client.get("/activation/export")
    ws = openpyxl.load_workbook(io.BytesIO(resp.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:3] == ["Khối", "Đơn vị", "Đã gửi danh sách"]
    units = [r for r in rows[1:] if r[1] and not str(r[1]).endswith("đơn vị")]
    assert {r[1] for r in units} == {"UBND phường Cống Vị", "UBND phường Kim Mã", "UBND phường Ngọc Hà"}
    total = rows[-1]
    assert total[0] == "Tổng cộng" and total[4] == sum(r[4] for r in units)
