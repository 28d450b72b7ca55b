"""Staff list round trip: a unit's people exported in the Mẫu 01 layout, imported again.

Unchanged, the import reports every row "Không đổi" and writes nothing; edited in Excel, it applies exactly
the cells that were edited.
"""
from __future__ import annotations

import io
import json

import openpyxl
import pytest
from sqlalchemy import select

from tests.rollout.helpers import unit_named

UNIT = "UBND phường Cống Vị"
HEADER_ROW = 5
COLUMNS = {"full_name": 2, "position": 3, "account": 4, "email": 5, "phone": 6, "unit": 7, "role": 8,
           "unit_admin": 9, "reviewer": 10, "evaluator": 11}


def _everybody(session):
    """Every person's stored fields the import may change (the whole table, not only the unit)."""
    from app.models import Staff

    session.expire_all()
    return {p.id: (p.full_name, p.position, p.phone, p.contact_email, p.eval_role, bool(p.is_unit_admin), p.unit_id,
                   p.department_id, p.reviewer_id, p.evaluator_id, p.active, sorted(r.name for r in p.roles))
            for p in session.scalars(select(Staff))}


def _import(session, data, actor=None, dry_run=False):
    from app.domain.scope import SYSTEM
    from app.services.mau01 import run_import
    from app.services.uow import unit_of_work

    with unit_of_work(session):
        return run_import(session, io.BytesIO(data), actor or SYSTEM, dry_run=dry_run).as_json()


def _export(session, name=UNIT):
    from app.domain.scope import SYSTEM
    from app.services import staff_list

    return staff_list.export_unit(session, SYSTEM, unit_named(session, name))


@pytest.mark.parametrize("name", [UNIT, "Trường Tiểu học Kim Đồng", "Ban Tổ chức Quận ủy", "Phòng Nội vụ"])
def test_exported_and_imported_unchanged_changes_nothing(ctx, name):
    from app.models import AuditEvent, Staff

    unit = unit_named(ctx, name)
    people = ctx.scalar(select(Staff.id).where(Staff.unit_id == unit.id).with_only_columns(__import__("sqlalchemy").func.count()))
    before = _everybody(ctx)
    data = _export(ctx, name)
    out = _import(ctx, data)
    assert out["committed"] and not out["errors"], out["errors"]
    assert (out["rows"], out["created"], out["updated"], out["unchanged"]) == (people, 0, 0, people)
    assert _everybody(ctx) == before
    assert ctx.scalar(select(AuditEvent).where(AuditEvent.action == "user_updated").limit(1)) is None


def test_edited_cells_apply_exactly_those_edits(ctx):
    from app.models import Staff

    unit = unit_named(ctx, UNIT)
    before = _everybody(ctx)
    wb = openpyxl.load_workbook(io.BytesIO(_export(ctx)))
    ws = wb["Mẫu 01"]
    rows = {ws.cell(r, COLUMNS["account"]).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, COLUMNS["account"]).value}
    by_username = {p.username: p for p in ctx.scalars(select(Staff).where(Staff.unit_id == unit.id))}
    staff = sorted((p for p in by_username.values() if p.eval_role == "staff" and not p.is_unit_admin), key=lambda p: p.id)
    leaders = sorted((p for p in by_username.values() if p.eval_role == "leader"), key=lambda p: p.id)
    a, b, c = staff[0], staff[1], staff[2]
    ws.cell(rows[a.username], COLUMNS["position"]).value = "Chuyên viên chính"
    ws.cell(rows[b.username], COLUMNS["phone"]).value = "0987654321"
    ws.cell(rows[c.username], COLUMNS["unit_admin"]).value = "X"
    new_reviewer = next(l for l in leaders if l.id != a.reviewer_id)
    ws.cell(rows[a.username], COLUMNS["reviewer"]).value = new_reviewer.full_name
    buf = io.BytesIO()
    wb.save(buf)
    out = _import(ctx, buf.getvalue())
    assert out["committed"] and not out["errors"], out["errors"]
    assert (out["created"], out["updated"], out["unchanged"]) == (0, 3, len(rows) - 3)
    after = _everybody(ctx)
    changed = {pid for pid in before if before[pid] != after[pid]}
    assert changed == {a.id, b.id, c.id}
    # field by field: position 1, phone 2, is_unit_admin 5, reviewer 8, roles 11
    assert after[a.id][1] == "Chuyên viên chính" and after[a.id][8] == new_reviewer.id
    assert [i for i in range(12) if before[a.id][i] != after[a.id][i]] == [1, 8]
    assert [i for i in range(12) if before[b.id][i] != after[b.id][i]] == [2] and after[b.id][2] == "0987654321"
    assert [i for i in range(12) if before[c.id][i] != after[c.id][i]] == [5, 11] and "unit_admin" in after[c.id][11]


def test_the_export_is_the_mau01_layout(ctx):
    from app.domain.mau01 import COLUMNS as MAU01_COLUMNS

    ws = openpyxl.load_workbook(io.BytesIO(_export(ctx)))["Mẫu 01"]
    assert [ws.cell(HEADER_ROW, i + 1).value for i in range(len(MAU01_COLUMNS))] == [c.title for c in MAU01_COLUMNS]
    assert str(ws.cell(3, 1).value).endswith("40 người") and "Đơn vị hành chính" in str(ws.cell(2, 1).value)
    assert ws.cell(HEADER_ROW + 1, 8).value == "Lãnh đạo cấp trưởng, phó cơ quan đơn vị"


def test_the_screen_exports_own_unit_only(app, client, demo):
    demo.login(client, "unit_admin", UNIT)
    with app.app_context():
        from app.extensions import db

        own = unit_named(db.session, UNIT).id
        foreign = unit_named(db.session, "Trường Tiểu học Kim Đồng").id
        db.session.remove()
    page = client.get("/mau01/").get_data(as_text=True)
    assert f"/mau01/export/{own}" in page and f"/mau01/export/{foreign}" not in page
    resp = client.get(f"/mau01/export/{own}")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert client.get(f"/mau01/export/{foreign}").status_code == 404
    assert client.get("/mau01/export/999999").status_code == 404


def test_the_screens_file_uploads_as_all_unchanged(app, client, demo):
    import re

    person = demo.login(client, "unit_admin", UNIT)
    data = client.get(f"/mau01/export/{person['unit_id']}").data
    resp = client.post("/mau01/upload", data={"file": (io.BytesIO(data), "ds.xlsx")}, content_type="multipart/form-data",
                       follow_redirects=True)
    text = re.sub(r"<[^>]+>", "", resp.get_data(as_text=True))
    assert resp.status_code == 200
    assert "Sẽ tạo mới 0, cập nhật 0, không đổi 40 tài khoản." in " ".join(text.split())


def test_the_command_exports_and_the_file_imports_unchanged(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "cong_vi.xlsx"
    result = runner.invoke(args=["mau01", "export", str(out), "--unit", "ubnd phuong cong vi"])
    assert result.exit_code == 0, result.output
    assert "40 người" in result.output and out.read_bytes()[:2] == b"PK"
    again = runner.invoke(args=["mau01", "import", str(out), "--json"])
    report = json.loads(again.stdout)
    assert report["committed"] and (report["created"], report["updated"], report["unchanged"]) == (0, 0, 40)
    missing = runner.invoke(args=["mau01", "export", str(tmp_path / "x.xlsx"), "--unit", "Không Có"])
    assert missing.exit_code == 1 and "Không có đơn vị “Không Có”" in missing.stderr
