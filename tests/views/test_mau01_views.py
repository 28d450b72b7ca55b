"""Mẫu 01 screens: template, upload → preview → confirm → credentials once; errors sheet; scope."""
from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import func, select

from tests.conftest import SAMPLES, flashes

SAMPLE = SAMPLES / "mau01_sample.xlsx"


def _count(app):
    from app.extensions import db
    from app.models import Staff

    with app.app_context():
        return db.session.scalar(select(func.count(Staff.id)))


def _upload(client, path_or_bytes, name="mau01.xlsx"):
    data = path_or_bytes.read_bytes() if hasattr(path_or_bytes, "read_bytes") else path_or_bytes
    return client.post("/mau01/upload", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _token(body, kind):
    m = re.search(rf"/mau01/{kind}/([A-Za-z0-9_-]+)", body)
    assert m, f"no {kind} link"
    return m.group(1)


def test_template_download_is_a_mau01(app, demo):
    client = app.test_client()
    demo.login(client, "unit_admin")
    resp = client.get("/mau01/template")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    ws = openpyxl.load_workbook(io.BytesIO(resp.data))["Mẫu 01"]
    assert ws["B5"].value == "Họ và tên" and ws["G6"].value == "UBND phường Cống Vị"


def test_admin_previews_confirms_and_downloads_credentials_once(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    before = _count(app)
    resp = _upload(client, SAMPLE, "mau01_sample.xlsx")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Xem trước" in body
    assert "vuminhquyen_badinh" in body and "tạo mới 38" in body
    assert _count(app) == before  # preview writes nothing
    token = _token(body, "confirm")
    done = client.post(f"/mau01/confirm/{token}").get_data(as_text=True)
    assert "Đã nhập Mẫu 01" in done and _count(app) == before + 38
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(["import_mau01", "user_created"]))).all()
        assert len(events) == 39 and {e.ip for e in events} == {"127.0.0.1"} and {e.actor_name for e in events} == {"Quản trị Quận (admin)"}
    cred = _token(done, "credentials")
    sheet = client.get(f"/mau01/credentials/{cred}")
    assert sheet.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and "Mật khẩu" in r)
    assert [h for h in header if h] [-4:] == ["Họ và tên", "Đơn vị", "Tài khoản", "Mật khẩu"]
    assert sum(1 for r in rows if r and r[3] and str(r[3]).endswith("_badinh")) == 38
    again = client.get(f"/mau01/credentials/{cred}", follow_redirects=True)
    assert "một lần" in again.get_data(as_text=True) or again.status_code == 404


def test_another_user_cannot_reach_someone_elses_upload(app, demo):
    admin = app.test_client()
    demo.login(admin, "admin")
    token = _token(_upload(admin, SAMPLE).get_data(as_text=True), "confirm")
    other = app.test_client()
    demo.login(other, "block_admin", "Khối xã, phường")
    before = _count(app)
    assert other.post(f"/mau01/confirm/{token}").status_code == 404
    assert other.get(f"/mau01/errors/{token}").status_code == 404
    assert _count(app) == before


def test_sheet_with_errors_shows_them_and_gives_the_error_sheet(app, demo):
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb.active
    ws["B7"] = None  # no name
    ws["H9"] = "Kế toán"  # not one of the four roles
    buf = io.BytesIO()
    wb.save(buf)
    client = app.test_client()
    demo.login(client, "admin")
    before = _count(app)
    body = _upload(client, buf.getvalue()).get_data(as_text=True)
    assert "chưa thể nhập" in body and "/mau01/confirm/" not in body
    token = _token(body, "errors")
    out = openpyxl.load_workbook(io.BytesIO(client.get(f"/mau01/errors/{token}").data)).active
    titles = [c.value for c in out[5]]
    col = titles.index("Lỗi cần sửa") + 1
    assert "Họ và tên" in out.cell(row=7, column=col).value and "Vai trò" in out.cell(row=9, column=col).value
    assert _count(app) == before


def test_unit_admin_cannot_import_into_other_units(app, demo):
    client = app.test_client()
    demo.login(client, "unit_admin")  # UBND phường Cống Vị; the sample also lists two other units
    before = _count(app)
    body = _upload(client, SAMPLE).get_data(as_text=True)
    assert "không có trong phạm vi bạn quản lý" in body and "/mau01/confirm/" not in body
    assert _count(app) == before


def test_unreadable_file_is_one_clear_message(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    resp = _upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "cu.xls")
    assert any(".xls" in m for m in flashes(client.get(resp.headers["Location"]).get_data(as_text=True)))


def test_staff_cannot_use_the_import(app, demo):
    client = app.test_client()
    demo.login(client, "staff")
    assert client.get("/mau01/").status_code == 403
    assert _upload(client, SAMPLE).status_code == 403


def test_stale_uploads_are_purged(app, demo):
    import os
    import time

    from app.views.mau01 import KEEP_SECONDS, _folder, _purge_old

    client = app.test_client()
    demo.login(client, "admin")
    token = _token(_upload(client, SAMPLE).get_data(as_text=True), "confirm")
    with app.app_context():
        path = _folder("uploads") / f"{token}.xlsx"
        assert path.exists()
        old = time.time() - KEEP_SECONDS - 10
        os.utime(path, (old, old))
        _purge_old(time.time())
        assert not path.exists()
    before = _count(app)
    gone = client.post(f"/mau01/confirm/{token}", follow_redirects=True).get_data(as_text=True)
    assert "không còn nữa" in " ".join(flashes(gone)) and _count(app) == before


# -- a preview is discarded, used once, and refused when empty -------------------------------------

def test_cancel_discards_the_preview_and_back_then_confirm_commits_nothing(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    before = _count(app)
    preview = _upload(client, SAMPLE)
    assert preview.headers.get("Cache-Control") == "no-store"
    body = preview.get_data(as_text=True)
    token = _token(body, "confirm")
    assert f"/mau01/discard/{token}" in body
    cancelled = client.post(f"/mau01/discard/{token}", follow_redirects=True).get_data(as_text=True)
    assert "Đã hủy bản xem trước" in " ".join(flashes(cancelled))
    # The browser's Back shows the old preview; its Confirm must find it gone and say so.
    again = client.post(f"/mau01/confirm/{token}", follow_redirects=True)
    assert again.status_code == 200 and "không còn nữa" in " ".join(flashes(again.get_data(as_text=True)))
    assert _count(app) == before


def test_confirm_is_single_use(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    before = _count(app)
    token = _token(_upload(client, SAMPLE).get_data(as_text=True), "confirm")
    assert "Đã nhập Mẫu 01" in client.post(f"/mau01/confirm/{token}").get_data(as_text=True)
    second = client.post(f"/mau01/confirm/{token}", follow_redirects=True).get_data(as_text=True)
    assert "không còn nữa" in " ".join(flashes(second))
    assert _count(app) == before + 38


def test_a_new_upload_supersedes_the_earlier_preview(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    before = _count(app)
    first = _token(_upload(client, SAMPLE).get_data(as_text=True), "confirm")
    _upload(client, SAMPLE)
    assert "không còn nữa" in " ".join(flashes(client.post(f"/mau01/confirm/{first}", follow_redirects=True).get_data(as_text=True)))
    assert _count(app) == before


def test_an_empty_sheet_cannot_be_confirmed(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    before = _count(app)
    blank = client.get("/mau01/template").data
    body = _upload(client, blank).get_data(as_text=True)
    assert "không có dòng dữ liệu" in body and "/mau01/confirm/" not in body
    token = _token(body, "discard")
    refused = client.post(f"/mau01/confirm/{token}", follow_redirects=True).get_data(as_text=True)
    assert "không có dòng dữ liệu" in " ".join(flashes(refused))
    assert _count(app) == before
    from app.extensions import db
    from app.models import AuditEvent

    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "import_mau01")) == 0


def test_someone_else_cannot_discard_an_upload(app, demo):
    admin = app.test_client()
    demo.login(admin, "admin")
    token = _token(_upload(admin, SAMPLE).get_data(as_text=True), "confirm")
    other = app.test_client()
    demo.login(other, "block_admin", "Khối xã, phường")
    assert other.post(f"/mau01/discard/{token}").status_code == 404
    assert "Đã nhập Mẫu 01" in admin.post(f"/mau01/confirm/{token}").get_data(as_text=True)


def test_an_xls_upload_previews_and_confirms(app, demo):
    client = app.test_client()
    demo.login(client, "admin")
    before = _count(app)
    body = _upload(client, SAMPLES / "mau01_sample.xls", "mau01_sample.xls").get_data(as_text=True)
    assert "/mau01/confirm/" in body and "vuminhquyen_badinh" in body
    done = client.post(f"/mau01/confirm/{_token(body, 'confirm')}")
    assert done.status_code == 200
    assert _count(app) == before + 38


def test_the_error_sheet_of_an_xls_upload_is_an_xlsx_with_the_report(app, demo):
    """openpyxl cannot open an .xls: its error sheet is rebuilt from the values the import read."""
    from openpyxl import load_workbook

    from app.excel.guard import OLE2_MAGIC

    data = (SAMPLES / "mau01_sample.xls").read_bytes()
    assert data.startswith(OLE2_MAGIC)
    client = app.test_client()
    demo.login(client, "unit_admin")  # Cống Vị: rows of the other units are out of reach, so errors
    body = _upload(client, data, "mau01_sample.xls").get_data(as_text=True)
    sheet = client.get(f"/mau01/errors/{_token(body, 'errors')}")
    assert sheet.status_code == 200 and sheet.data.startswith(b"PK")
    ws = load_workbook(io.BytesIO(sheet.data)).active
    assert ws.title == "Mẫu 01" and ws["L5"].value == "Lỗi cần sửa"
    assert ws["B6"].value == "Vũ Minh Quyên" and ws["F6"].value == "0933234300"
    reports = [ws.cell(row=r, column=12).value for r in range(6, 44)]
    assert any(r and "phạm vi bạn quản lý" in r for r in reports)


def test_the_error_sheet_download_goes_through_the_guard(app, demo, monkeypatch):
    """A stored upload is checked again before openpyxl may open it (the limits may have changed)."""
    from app.excel import guard

    client = app.test_client()
    demo.login(client, "unit_admin")
    body = _upload(client, SAMPLE).get_data(as_text=True)
    token = _token(body, "errors")
    seen = []
    real = guard.inspect
    monkeypatch.setattr(guard, "inspect", lambda data, limits, spans=False: seen.append(spans) or real(data, limits, spans))
    assert client.get(f"/mau01/errors/{token}").status_code == 200
    assert True in seen  # the error sheet's own check, counting what openpyxl would expand
