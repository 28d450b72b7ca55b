"""Mẫu 01 import through the service: the sample, re-import, slips, errors, scope."""
from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from app.domain.text import fold
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "mau01_sample.xlsx"
HEADER = ["STT", "Họ và tên", "Chức vụ", "Tài khoản", "Email", "SĐT liên hệ", "Đơn vị", "Vai trò",
          "Là quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"]
STAFF_TEXT = "Công chức, viên chức, lao động hợp đồng"
LEADER_TEXT = "Lãnh đạo cấp trưởng, phó cơ quan đơn vị"


def workbook(rows, header_at=5):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÁN BỘ …"])
    ws.append(["1 - Loại hình của cơ quan đơn vị: Đơn vị hành chính"])
    ws.append([f"2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: {len(rows)} người"])
    for _ in range(header_at - 4):
        ws.append([None])
    ws.append(HEADER)
    for i, r in enumerate(rows, 1):
        ws.append([i] + list(r))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def run(ctx, source, actor=None, dry_run=False, **kw):
    """The import as the command runs it (the system actor) unless an actor is given."""
    from app.domain.scope import SYSTEM
    from app.services.mau01 import run_import

    return run_import(ctx, source, actor or SYSTEM, dry_run=dry_run, **kw)


def count_staff(ctx):
    from app.models import Staff

    ctx.expire_all()
    return ctx.scalar(select(func.count(Staff.id)))


def test_clean_sample_imports_and_reimport_changes_nothing(ctx):
    from app.models import Staff

    before = count_staff(ctx)
    result = run(ctx, SAMPLE)
    out = result.as_json()
    assert out["errors"] == [], out["errors"]
    assert result.committed and out["rows"] == 38 and out["created"] == 38
    assert count_staff(ctx) == before + 38
    quyen = ctx.scalar(select(Staff).where(Staff.username == "vuminhquyen_badinh"))
    yen = ctx.scalar(select(Staff).where(Staff.username == "nguyenthiyen_badinh"))
    assert quyen.eval_role == "leader" and yen.evaluator_id == quyen.id
    assert {r.name for r in ctx.scalar(select(Staff).where(Staff.username == "nguyenthubao_badinh")).roles} == {"staff", "unit_admin"}
    thu = ctx.scalar(select(Staff).where(Staff.username == "lequangthu_badinh"))
    assert thu.reviewer.username == "ngohuubao_badinh" and thu.evaluator.username == "ngovandong_badinh"
    assert thu.must_change_password and thu.password_change_due is not None
    assert {c["username"] for c in result.credentials} >= {"vuminhquyen_badinh", "lequangthu_badinh"}

    again = run(ctx, SAMPLE).as_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 38)
    assert count_staff(ctx) == before + 38


def test_passwords_are_one_time_and_checkable(ctx):
    from werkzeug.security import check_password_hash

    from app.models import Staff

    result = run(ctx, SAMPLE)
    cred = result.credentials[0]
    person = ctx.scalar(select(Staff).where(Staff.username == cred["username"]))
    assert cred["password"] not in person.password
    assert check_password_hash(person.password, cred["password"])
    assert not check_password_hash(person.password, cred["password"] + "x")


def test_changed_row_updates_the_person(ctx):
    from app.models import Staff

    run(ctx, SAMPLE)
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb.active
    ws["C10"] = "Chuyên viên chính"  # Trần Hữu Thư
    ws["F10"] = 912000111  # Excel lost the leading zero
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = run(ctx, buf).as_json()
    assert (out["created"], out["updated"], out["unchanged"]) == (0, 1, 37)
    person = ctx.scalar(select(Staff).where(Staff.username == "tranhuuthu_badinh"))
    assert person.position == "Chuyên viên chính" and person.phone == "0912000111"


def test_slips_import_with_the_right_usernames(ctx):
    from app.models import Staff

    rows = [
        ("  Nguyễn   Văn  Nam ", "Chủ tịch", None, "mailto:nam@hanoi.gov.vn", "+84 912 345 678", "UBND phường Cống Vị", "lãnh đạo cấp trưởng, phó cơ quan đơn vị", None, None, None),
        ("Nguyễn Văn Nam", "Chuyên viên", None, None, 988777666, "UBND phường Cống Vị", "Cong chuc, vien chuc, lao dong hop dong", "x", None, "nguyenvannam_badinh"),
        ("Đỗ Thị Đào", "Chuyên viên", "", "", "", "UBND phường Cống Vị", STAFF_TEXT, "", None, "nguyenvannam_badinh"),
    ]
    result = run(ctx, workbook(rows))
    out = result.as_json()
    assert out["errors"] == [], out["errors"]
    names = [a["username"] for a in out["accounts"]]
    assert names[0] == "nguyenvannam_badinh" and names[1] == "nguyenvannam2_badinh" and names[2] == "dothidao_badinh"
    first = out["accounts"][0]
    assert first["phone"] == "0912345678" and first["email"] == "nam@hanoi.gov.vn" and first["role"] == "leader"
    assert out["accounts"][1]["unit_admin"] is True and out["accounts"][1]["phone"] == "0988777666"
    assert out["accounts"][2]["evaluator"] == "nguyenvannam_badinh"
    assert any(w["row"] == 8 and w["column"] == "SĐT liên hệ" for w in out["warnings"])  # empty phone
    assert result.committed
    person = ctx.scalar(select(Staff).where(Staff.username == "dothidao_badinh"))
    assert person.evaluator.username == "nguyenvannam_badinh" and person.evaluator.full_name == "Nguyễn Văn Nam"


def test_ambiguous_leader_is_an_error_and_nothing_is_written(ctx):
    before = count_staff(ctx)
    rows = [
        ("Nguyễn Văn Nam", "Chủ tịch", None, None, "0912345678", "UBND phường Cống Vị", LEADER_TEXT, None, None, None),
        ("Nguyễn Văn Nam", "Phó Chủ tịch", None, None, "0912345679", "UBND phường Cống Vị", LEADER_TEXT, None, None, None),
        ("Đỗ Thị Đào", "Chuyên viên", None, "not-an-email", "12345", "UBND phường Cống Vị", "Kế toán", None, None, "Nguyễn Văn Nam"),
        (None, "Chuyên viên", None, None, "0912345670", "UBND phường Cống Vị", STAFF_TEXT, None, None, None),
    ]
    result = run(ctx, workbook(rows))
    out = result.as_json()
    assert not result.committed
    where = {(e["row"], e["column"]) for e in out["errors"]}
    assert (8, "Lãnh đạo đánh giá") in where  # ambiguous
    assert (8, "Email") in where and (8, "SĐT liên hệ") in where and (8, "Vai trò") in where
    assert (9, "Họ và tên") in where
    assert count_staff(ctx) == before


def test_unit_admin_imports_only_into_their_unit(ctx, demo):
    from app.models import Staff
    from app.security.scope import actor_for

    me = demo.user("unit_admin", "UBND phường Cống Vị")
    actor = actor_for(ctx.get(Staff, me["id"]))
    before = count_staff(ctx)
    rows = [
        ("Phạm Thị Lan", "Công chức", None, None, "0912345678", "UBND phường Cống Vị", STAFF_TEXT, None, None, None),
        ("Lê Văn Hùng", "Công chức", None, None, "0912345679", "UBND phường Kim Mã", STAFF_TEXT, None, None, None),
        ("Lê Văn Mới", "Công chức", None, None, "0912345670", "UBND phường Không Có", STAFF_TEXT, None, None, None),
    ]
    out = run(ctx, workbook(rows), actor=actor).as_json()
    assert {e["row"] for e in out["errors"] if e["column"] == "Đơn vị"} == {7, 8}
    assert count_staff(ctx) == before


def test_new_unit_is_listed_then_created(ctx):
    from app.models import OrgUnit

    rows = [("Phạm Thị Lan", "Chuyên viên", None, None, "0912345678", "Phòng Quản lý đô thị", STAFF_TEXT, None, None, None)]
    dry = run(ctx, workbook(rows), dry_run=True).as_json()
    assert dry["committed"] is False and dry["units_created"] == ["Phòng Quản lý đô thị"]
    assert ctx.scalar(select(OrgUnit).where(OrgUnit.name_key == fold("Phòng Quản lý đô thị"))) is None
    assert dry["accounts"][0]["username"] == "phamthilan_badinh"
    out = run(ctx, workbook(rows)).as_json()
    assert out["committed"] and out["units_created"] == ["Phòng Quản lý đô thị"]
    unit = ctx.scalar(select(OrgUnit).where(OrgUnit.name_key == fold("Phòng Quản lý đô thị")))
    assert unit.kind == "unit" and unit.unit_id == unit.id and unit.block_id is not None and unit.unit_type == "Đơn vị hành chính"


@pytest.mark.parametrize("content,message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    (b"not a spreadsheet at all", "không phải là bảng tính"),
])
def test_unreadable_files_give_one_clear_error(ctx, content, message):
    from app.domain.errors import DomainError

    with pytest.raises(DomainError) as exc:
        run(ctx, io.BytesIO(content))
    assert message in str(exc.value)


def test_sheet_without_header_gives_one_clear_error(ctx):
    from app.domain.errors import DomainError

    wb = openpyxl.Workbook()
    wb.active.append(["Danh sách", "gì đó"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    with pytest.raises(DomainError) as exc:
        run(ctx, buf)
    assert "tiêu đề" in str(exc.value)


def test_legacy_encoded_names_are_converted_never_imported_garbled(ctx):
    from app.models import Staff

    rows = [
        ("NguyÔn V¨n An", "Chuyªn viªn", None, None, "0912345678", "UBND phường Cống Vị", STAFF_TEXT, None, None, None),  # TCVN3
        ("Nguyeãn Vaên Bình", "Chuyeân vieân", None, None, "0912345679", "UBND phường Cống Vị", STAFF_TEXT, None, None, None),  # VNI
    ]
    result = run(ctx, workbook(rows))
    out = result.as_json()
    assert out["errors"] == [], out["errors"]
    assert [a["full_name"] for a in out["accounts"]] == ["Nguyễn Văn An", "Nguyễn Văn Bình"]
    assert [a["username"] for a in out["accounts"]] == ["nguyenvanan_badinh", "nguyenvanbinh_badinh"]
    assert sum("bảng mã" in w["message"] for w in out["warnings"]) >= 2
    assert ctx.scalar(select(Staff).where(Staff.username == "nguyenvanan_badinh")).position == "Chuyên viên"


def test_import_draws_the_passwords_in_one_batch(ctx, monkeypatch):
    from app.domain.accounts import INITIAL_PASSWORD_ALPHABET
    from app.services import mau01

    calls = []
    real = mau01.generate_initial_passwords

    def spy(n, *args, **kwargs):
        calls.append(n)
        return real(n, *args, **kwargs)

    monkeypatch.setattr(mau01, "generate_initial_passwords", spy)
    result = run(ctx, SAMPLE)
    assert calls == [38] and len(result.credentials) == 38
    passwords = [c["password"] for c in result.credentials]
    assert len(set(passwords)) == 38
    assert all(len(p) == 12 and set(p) <= set(INITIAL_PASSWORD_ALPHABET) for p in passwords)


def test_bulk_inserts_store_what_sqlalchemy_would(ctx):
    """The DBAPI-level inserts: driver-form datetimes and booleans, ids from the sequences on PostgreSQL."""
    from datetime import datetime

    from flask_appbuilder.security.sqla.models import Role
    from sqlalchemy import text

    from app.models import AuditEvent, Staff
    from app.services import clock

    from app.domain.dates import TZ

    now = datetime(2025, 3, 3, 9, 0, 0, 123456, tzinfo=TZ)
    clock.set_clock(lambda: now)
    rows = [
        ("Phạm Thị Lan", "Chủ tịch", None, None, "0912345678", "UBND phường Cống Vị", LEADER_TEXT, "x", None, None),
        ("Lê Văn Hùng", "Công chức", None, None, "0912345679", "UBND phường Cống Vị", STAFF_TEXT, None, None, "Phạm Thị Lan"),
    ]
    result = run(ctx, workbook(rows), source_name="dot1.xlsx")
    assert result.committed
    ctx.expire_all()
    lan = ctx.scalar(select(Staff).where(Staff.username == "phamthilan_badinh"))
    hung = ctx.scalar(select(Staff).where(Staff.username == "levanhung_badinh"))
    naive = now.replace(tzinfo=None)  # FAB's own columns hold naive Hà Nội time
    assert lan.password_issued_at == now and lan.created_on == naive and lan.changed_on == naive
    assert lan.password_change_due > now and lan.must_change_password is True and lan.active is True
    assert lan.is_unit_admin is True and hung.is_unit_admin is False and hung.evaluator_id == lan.id
    assert (lan.session_version, lan.login_count, lan.fail_login_count, lan.locked_at, lan.lock_reason) == (0, 0, 0, None, None)
    assert {r.name for r in lan.roles} >= {"unit_admin"} and hung.roles
    events = ctx.scalars(select(AuditEvent).where(AuditEvent.at == now).order_by(AuditEvent.id)).all()
    assert [(e.action, e.target_id) for e in events] == [("user_created", lan.id), ("user_created", hung.id), ("import_mau01", None)]
    assert events[-1].target_label == "dot1.xlsx"
    raw = ctx.execute(text("SELECT password_issued_at, is_unit_admin, must_change_password FROM ab_user WHERE username = 'phamthilan_badinh'")).one()
    raw_at = ctx.execute(text("SELECT at FROM audit_event WHERE id = :id"), {"id": events[0].id}).scalar()
    if ctx.get_bind().dialect.name == "sqlite":
        # exactly what SQLAlchemy's SQLite DateTime and Boolean store
        assert tuple(raw) == ("2025-03-03 09:00:00.123456", 1, 1) and raw_at == "2025-03-03 09:00:00.123456"
    else:
        assert tuple(raw) == (naive, True, True) and raw_at == naive
    # The sequences moved on with the bulk inserts: the ORM can still add people and role links.
    extra = Staff(username="someone_new_badinh", first_name="A", last_name="B", email="someone_new@example.invalid")
    extra.roles = [ctx.scalar(select(Role).where(Role.name == "staff"))]
    ctx.add(extra)
    hung.roles = list(hung.roles) + [ctx.scalar(select(Role).where(Role.name == "unit_admin"))]
    ctx.flush()
    assert extra.id > max(lan.id, hung.id)
    ctx.rollback()


def test_bulk_insert_columns_leave_nothing_to_python_defaults():
    """Columns the bulk inserts leave out must not need SQLAlchemy's Python-side defaults."""
    from flask_appbuilder.security.sqla.models import assoc_user_role

    from app.models import AuditEvent, Staff
    from app.services.mau01 import AUDIT_INSERT_COLUMNS, STAFF_INSERT_COLUMNS, USER_ROLE_INSERT_COLUMNS

    for table, columns in ((Staff.__table__, STAFF_INSERT_COLUMNS), (assoc_user_role, USER_ROLE_INSERT_COLUMNS),
                           (AuditEvent.__table__, AUDIT_INSERT_COLUMNS)):
        assert set(columns) <= set(table.c.keys())
        left_out = [c for c in table.c if c.name not in columns and not c.primary_key]
        assert [c.name for c in left_out if c.default is not None] == [], table.name


def test_new_units_only_go_into_a_block_the_actor_manages(ctx, demo):
    from app.models import OrgUnit, Staff
    from app.security.scope import actor_for
    from app.domain.errors import DomainError

    me = demo.user("block_admin", "Khối xã, phường")
    actor = actor_for(ctx.get(Staff, me["id"]))
    other_block = ctx.scalar(select(OrgUnit.id).where(OrgUnit.kind == "block", OrgUnit.name_key == fold("Khối Giáo dục")))
    rows = [("Phạm Thị Lan", "Công chức", None, None, "0912345678", "UBND phường Mới", STAFF_TEXT, None, None, None)]
    with pytest.raises(DomainError, match="không thuộc phạm vi"):
        run(ctx, workbook(rows), actor=actor, new_unit_block_id=other_block)
    out = run(ctx, workbook(rows), actor=actor, new_unit_block_id=actor.scope_block_id).as_json()
    assert out["committed"] and out["units_created"] == ["UBND phường Mới"]
    unit = ctx.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold("UBND phường Mới")))
    assert unit.block_id == actor.scope_block_id
