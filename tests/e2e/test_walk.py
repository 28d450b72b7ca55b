"""The month in a real browser (Debian's Chromium through Playwright) against the app served on localhost.

Steps, each a screenshot in tests/e2e/artifacts/ (and in app/static/guides/ for the names the guides use):
1. the district admin signs in;
2. a unit admin signs in, downloads the blank Mẫu 01 of their unit, fills in a new person, uploads it, checks
   the preview, confirms, and downloads the credential sheet;
3. the new person signs in with the one-time password from that sheet, is sent to change it, changes it, and
   reaches the home page.
Any console error, uncaught page error or request to a host other than localhost fails the walk.
"""
from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from sqlalchemy import select

from tests.evaluation_fixtures import DEMO_PASSWORD

NEW_PERSON = "Đỗ Thị Kiểm Thử"
NEW_PASSWORD = "Hoa-sen-Hồ-Tây-nở-2026!"


def guide_names() -> set[str]:
    """Screenshot names the guides (app/guides.py, when present) show."""
    try:
        from app import guides
    except ImportError:
        return set()
    return set(getattr(guides, "SCREENSHOTS", ()) or ())


def sign_in(w, username: str, password: str, shot: str | None = None, guides=()):
    page = w.page
    page.goto("/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    if shot:
        w.shot(shot, guides)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")


def test_month_in_a_browser(app, demo, walk, tmp_path):
    from app.extensions import db
    from app.models import OrgUnit, Staff

    guides = guide_names()
    unit_admin = demo.user("unit_admin")
    with app.app_context():
        unit = db.session.get(OrgUnit, unit_admin["unit_id"])
        head = db.session.scalars(select(Staff).where(Staff.unit_id == unit.id, Staff.eval_role == "leader")
                                  .order_by(Staff.id)).first()
        unit_name, head_username = unit.name, head.username
        db.session.remove()

    # 1. The district admin signs in.
    admin = walk("quản trị quận")
    sign_in(admin, "admin", DEMO_PASSWORD, shot="dang-nhap", guides=guides)
    assert "/login" not in admin.page.url
    admin.page.get_by_text("Quản trị Quận").first.wait_for()
    admin.shot("trang-chu-quan-tri", guides)
    admin.check()

    # 2. A unit admin imports a Mẫu 01 and downloads the credentials.
    ua = walk("quản trị đơn vị")
    sign_in(ua, unit_admin["username"], DEMO_PASSWORD)
    ua.page.goto("/mau01/")
    ua.shot("mau01-tai-len", guides)
    with ua.page.expect_download() as got:
        ua.page.get_by_text("Tải Mẫu 01 trống").click()
    blank = got.value
    wb = openpyxl.load_workbook(io.BytesIO(Path(blank.path()).read_bytes()))
    ws = wb["Mẫu 01"]
    assert ws["G6"].value == unit_name  # the unit admin's own unit, filled in
    for col, value in zip("BCDEFGHIJK", [NEW_PERSON, "Chuyên viên", "", "kiemthu@example.invalid", "0912345678",
                                           unit_name, "Công chức, viên chức, lao động hợp đồng", "", "", head_username]):
        ws[f"{col}6"] = value
    filled = tmp_path / "mau01_cong_vi.xlsx"
    wb.save(filled)
    ua.page.set_input_files("#file", str(filled))
    ua.page.get_by_role("button", name="Tải lên và xem trước").click()
    ua.page.get_by_text(NEW_PERSON).first.wait_for()
    ua.shot("mau01-xem-truoc", guides)
    ua.page.get_by_role("button", name="Xác nhận nhập 1 tài khoản").click()
    ua.page.get_by_text("Đã nhập Mẫu 01").first.wait_for()
    ua.shot("mau01-da-nhap", guides)
    with ua.page.expect_download() as got:
        ua.page.get_by_text("Tải bảng tài khoản, mật khẩu").click()
    rows = list(openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes())).active.iter_rows(values_only=True))
    header = next(r for r in rows if r and "Mật khẩu" in r)
    person = next(r for r in rows if r and NEW_PERSON in r)
    username, one_time = person[header.index("Tài khoản")], person[header.index("Mật khẩu")]
    assert username.endswith("_badinh") and len(one_time) >= 12
    ua.check()

    # 3. The new person signs in with the one-time password and must change it first.
    new = walk("người mới")
    sign_in(new, username, one_time)
    assert "/password" in new.page.url, new.page.url
    new.shot("doi-mat-khau", guides)
    new.page.fill("#current", one_time)
    new.page.fill("#new", NEW_PASSWORD)
    new.page.fill("#confirm", NEW_PASSWORD)
    new.page.get_by_role("button", name="Đổi mật khẩu").click()
    new.page.wait_for_load_state("networkidle")
    assert "/password" not in new.page.url, new.page.url
    new.shot("trang-chu-nguoi-moi", guides)
    with app.app_context():
        person_row = db.session.scalar(select(Staff).where(Staff.username == username))
        assert person_row is not None and person_row.must_change_password is False
        assert person_row.evaluator.username == head_username
        db.session.remove()
    new.check()
    assert {h for w in (admin, ua, new) for h in w.hosts} == {"127.0.0.1"}
