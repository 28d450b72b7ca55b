"""The month in a real browser (Debian's Chromium through Playwright) against the app served on localhost.

The app's clock stands on 24/11/2026 10:00 (November's windows: self-assessment, comment and grading all open).
Steps, each a screenshot in tests/e2e/artifacts/ (and in app/static/guides/ for the names the guides use):
1. the district admin signs in;
2. a unit admin downloads the blank Mẫu 01 of their unit, fills in a new person (commented on by a deputy,
   graded by the head), uploads it, checks the preview, confirms, and downloads the credential sheet;
3. the district admin opens the month (Kỳ đánh giá → Mở kỳ): one sheet a person;
4. the new person signs in with the one-time password, is sent to change it, changes it;
5. from "Việc cần làm" the person opens the sheet, scores every criterion and submits it;
6. the deputy comments; the head returns it once with a reason; the deputy comments again; the head finalises;
7. the unit's synthesis person follows progress, opens the period summary and exports it to Excel;
8. the lists the guides show (people, departments, audit log; blocks, units, rule sets, roles).
Any console error, uncaught page error or request to a host other than localhost fails the walk.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from pathlib import Path

import openpyxl
from sqlalchemy import select

from tests.evaluation_fixtures import DEMO_PASSWORD, clock_at

NEW_PERSON = "Đỗ Thị Kiểm Thử"
TASK_TITLE = "Báo cáo tổng kết công tác cải cách hành chính tháng 11"
NEW_PASSWORD = "Hoa-sen-Hồ-Tây-nở-2026!"
PERIOD = "2026-11"
DAY = dt.date(2026, 11, 24)


def guide_names() -> set[str]:
    """Screenshot names the guides (app/guides.py, when present) show."""
    try:
        from app import guides
    except ImportError:
        return set()
    return set(getattr(guides, "GUIDE_SHOTS", ()) or ())


def served(app, path: str) -> bool:
    """The app has a screen at ``path``."""
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    try:
        app.url_map.bind("localhost").match(path)
    except NotFound:
        return False
    except MethodNotAllowed:
        return True
    return True


def sign_in(w, username: str, password: str, shot: str | None = None, guides=()):
    page = w.page
    page.goto("/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    if shot:
        w.shot(shot, guides)
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"{w.who} could not sign in"


def downloaded(page, click) -> bytes:
    with page.expect_download() as got:
        click()
    return Path(got.value.path()).read_bytes()


def act(w, button: str, done: str) -> None:
    """Press a sheet action button and wait for the flash that says it was done."""
    w.page.get_by_role("button", name=button, exact=True).click()
    w.page.wait_for_load_state("networkidle")
    flash = w.page.locator(".alert-success")
    assert done in flash.first.inner_text(), w.page.locator(".alert").all_inner_texts()


def sheet_state(w) -> str:
    return w.page.locator(".eval-sheet").get_attribute("data-state")


def test_month_in_a_browser(app, demo, walk, tmp_path):
    from app.extensions import db
    from app.models import OrgUnit, Period, Sheet, SheetEvent, Staff

    clock_at(DAY, 10)  # the served app shares this process's clock; the fixtures put the real one back
    guides = guide_names()
    unit_admin = demo.user("unit_admin")
    synthesis = demo.user("synthesis")
    with app.app_context():
        unit = db.session.get(OrgUnit, unit_admin["unit_id"])
        leaders = db.session.scalars(select(Staff).where(Staff.unit_id == unit.id, Staff.eval_role == "leader")
                                     .order_by(Staff.id)).all()
        head = next(p for p in leaders if p.evaluator_id is None or p.evaluator.unit_id != unit.id)
        deputy = next(p for p in leaders if p.id != head.id)
        unit_name, head_username, deputy_username = unit.name, head.username, deputy.username
        assert db.session.scalar(select(Period.id).where(Period.key == PERIOD)) is None
        db.session.remove()

    # 1. The district admin signs in.
    admin = walk("quản trị quận")
    sign_in(admin, "admin", DEMO_PASSWORD, shot="dang_nhap", guides=guides)
    admin.page.get_by_text("Quản trị Quận").first.wait_for()
    admin.shot("trang_chu_quan_tri", guides)

    # 2. A unit admin imports a Mẫu 01 and downloads the credentials.
    ua = walk("quản trị đơn vị")
    sign_in(ua, unit_admin["username"], DEMO_PASSWORD)
    ua.page.goto("/mau01/")
    ua.shot("mau01_tai_mau", guides)
    wb = openpyxl.load_workbook(io.BytesIO(downloaded(ua.page, lambda: ua.page.get_by_text("Tải Mẫu 01 trống").click())))
    ws = wb["Mẫu 01"]
    assert ws["G6"].value == unit_name  # the unit admin's own unit, filled in
    for col, value in zip("BCDEFGHIJK", [NEW_PERSON, "Chuyên viên", "", "kiemthu@example.invalid", "0912345678", unit_name,
                                           "Công chức, viên chức, lao động hợp đồng", "", deputy_username, head_username]):
        ws[f"{col}6"] = value
    filled = tmp_path / "mau01_cong_vi.xlsx"
    wb.save(filled)
    ua.page.set_input_files("#file", str(filled))
    ua.page.get_by_role("button", name="Tải lên và xem trước").click()
    ua.page.get_by_text(NEW_PERSON).first.wait_for()
    ua.shot("mau01_xem_truoc", guides)
    ua.page.get_by_role("button", name="Xác nhận nhập 1 tài khoản").click()
    ua.page.get_by_text("Đã nhập Mẫu 01").first.wait_for()
    ua.shot("mau01_xac_nhan", guides)
    sheet = openpyxl.load_workbook(io.BytesIO(downloaded(ua.page, lambda: ua.page.get_by_text("Tải bảng tài khoản, mật khẩu").click())))
    rows = list(sheet.active.iter_rows(values_only=True))
    header = next(r for r in rows if r and "Mật khẩu" in r)
    person = next(r for r in rows if r and NEW_PERSON in r)
    username, one_time = person[header.index("Tài khoản")], person[header.index("Mật khẩu")]
    assert username.endswith("_badinh") and len(one_time) >= 12
    # ... and gives the unit its catalogue of products (quy đổi), which tasks are registered against.
    ua.page.goto("/task-catalogue/")
    form = ua.page.locator("#product-form")
    form.locator("input[name=code]").fill("BC")
    form.locator("input[name=name]").fill("Báo cáo chuyên đề")
    form.locator("input[name=coefficient]").fill("2")
    form.get_by_role("button", name="Lưu").click()
    ua.page.wait_for_load_state("networkidle")
    assert "Báo cáo chuyên đề" in ua.page.locator("#catalogue").inner_text()
    ua.shot("danh_muc_san_pham", guides)

    # 3. The district admin opens the month.
    admin.page.goto("/periods/")
    admin.page.fill("#period", PERIOD)
    admin.shot("ky_danh_gia", guides)
    admin.page.get_by_role("button", name="Mở kỳ và tạo phiếu").click()
    admin.page.wait_for_load_state("networkidle")
    assert PERIOD in admin.page.locator("table").first.inner_text()
    admin.shot("ky_da_mo", guides)

    # 4. The new person signs in with the one-time password and must change it first.
    me = walk("người mới")
    sign_in(me, username, one_time)
    assert "/password" in me.page.url, me.page.url
    me.shot("doi_mat_khau", guides)
    me.page.fill("#current", one_time)
    me.page.fill("#new", NEW_PASSWORD)
    me.page.fill("#confirm", NEW_PASSWORD)
    me.page.get_by_role("button", name="Đổi mật khẩu").click()
    me.page.wait_for_load_state("networkidle")
    assert "/password" not in me.page.url, me.page.url

    # 5. The person registers a task of the month and sends the plan for approval.
    me.page.goto(f"/tasks/?period={PERIOD}")
    task = me.page.locator("#add-task")
    task.locator("#title").fill(TASK_TITLE)
    task.locator("#quantity").fill("2")
    task.get_by_role("button", name="Thêm nhiệm vụ").click()
    me.page.wait_for_load_state("networkidle")
    assert TASK_TITLE in me.page.locator("#tasks").inner_text()
    me.shot("ke_hoach", guides)
    me.page.get_by_role("button", name="Gửi kế hoạch để phê duyệt").click()
    me.page.wait_for_load_state("networkidle")
    me.page.goto("/")

    # 6. "Việc cần làm" → the sheet: every criterion scored, then submitted.
    me.page.locator(".eval-todo").wait_for()
    me.shot("viec_can_lam", guides)
    me.page.locator(".eval-todo").get_by_role("link", name="Tự đánh giá").click()
    me.page.wait_for_load_state("networkidle")
    assert sheet_state(me) == "draft"
    for box in me.page.locator("tr[data-kind=normal] input.score.self").all():
        box.fill(str(math.floor(float(box.get_attribute("data-max")) * 0.85)))
    days = re.search(r"trên (\d+) ngày làm việc", me.page.locator("label[for=worked_days]").inner_text()).group(1)
    me.page.fill("#worked_days", days)
    me.shot("phieu_tu_danh_gia", guides)
    act(me, "Gửi phiếu", "Đã gửi phiếu.")
    assert sheet_state(me) == "submitted"
    me.shot("phieu_gui", guides)
    sheet_url = me.page.url

    # 7. The deputy comments; the head returns it once; the deputy comments again; the head finalises.
    dep = walk("lãnh đạo nhận xét")
    sign_in(dep, deputy_username, DEMO_PASSWORD)
    dep.page.locator(".eval-todo").wait_for()
    dep.shot("viec_can_lam_lanh_dao", guides)
    dep.page.locator(".eval-todo").get_by_role("link", name=NEW_PERSON).click()
    dep.page.wait_for_load_state("networkidle")
    dep.page.fill("textarea[name=text]", "Hoàn thành tốt nhiệm vụ được giao, cần chủ động hơn.")
    dep.shot("phieu_nhan_xet", guides)
    act(dep, "Nhận xét và chuyển lãnh đạo đánh giá", "Đã nhận xét và chuyển phiếu.")
    assert sheet_state(dep) == "commented"
    dep.page.goto("/")
    dep.page.locator(".eval-todo").get_by_role("link", name="Tự đánh giá").click()  # the deputy's own sheet
    dep.page.wait_for_load_state("networkidle")
    assert sheet_state(dep) == "draft"
    dep.shot("phieu_tu_danh_gia_lanh_dao", guides)

    boss = walk("lãnh đạo đánh giá")
    sign_in(boss, head_username, DEMO_PASSWORD)
    boss.page.goto("/tasks/approvals")
    boss.page.get_by_text(NEW_PERSON).first.wait_for()  # the plan sent above waits for its evaluator
    boss.shot("duyet_ke_hoach", guides)
    boss.page.goto(f"/tasks/followup?period={PERIOD}")
    boss.page.wait_for_load_state("networkidle")
    boss.shot("theo_doi_nhiem_vu", guides)
    boss.page.goto("/")
    boss.page.locator(".eval-todo").get_by_role("link", name=NEW_PERSON).click()
    boss.page.wait_for_load_state("networkidle")
    boss.page.fill("#reason", "Đề nghị nhận xét cụ thể kết quả công việc trong tháng.")
    boss.shot("tra_lai", guides)
    act(boss, "Trả lại", "Đã trả lại phiếu.")
    assert sheet_state(boss) == "submitted"  # back to the commenter

    dep.page.goto(sheet_url)
    dep.page.fill("textarea[name=text]", "Đã hoàn thành đúng hạn các văn bản được giao trong tháng.")
    act(dep, "Nhận xét và chuyển lãnh đạo đánh giá", "Đã nhận xét và chuyển phiếu.")

    boss.page.goto(sheet_url)
    boss.shot("phieu_xep_loai", guides)
    act(boss, "Hoàn thành đánh giá, xếp loại", "Đã hoàn thành đánh giá, xếp loại.")
    assert sheet_state(boss) == "finalised"
    grade = boss.page.locator(".eval-sheet").get_attribute("data-grade")
    assert grade == "B"  # 85 % of every criterion
    boss.shot("da_xep_loai", guides)

    me.page.goto("/sheet/history")
    me.page.get_by_text("Hoàn thành tốt nhiệm vụ").first.wait_for()
    me.shot("lich_su", guides)

    # 8. The unit's synthesis person follows progress and exports the period summary.
    syn = walk("tổng hợp")
    sign_in(syn, synthesis["username"], DEMO_PASSWORD)
    syn.shot("viec_can_lam_tong_hop", guides)
    syn.page.goto(f"/synthesis/board?period={PERIOD}")
    syn.page.wait_for_load_state("networkidle")
    syn.shot("tien_do", guides)
    syn.page.goto(f"/synthesis/summary?period={PERIOD}")
    syn.page.wait_for_load_state("networkidle")
    syn.shot("tong_hop_thang", guides)
    book = openpyxl.load_workbook(io.BytesIO(downloaded(
        syn.page, lambda: syn.page.get_by_role("link", name="Xuất bảng tổng hợp (Excel)").click())))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert any(unit_name in c for c in cells), cells[:40]
    syn.shot("tong_hop_xuat", guides)

    # Screens the guides show that the walk passed by: the unit admin's and the district admin's lists.
    for url, name in (("/staff/list/", "can_bo_danh_sach"), ("/departments/list/", "phong_ban"), ("/audit/list/", "nhat_ky")):
        ua.page.goto(url)
        ua.page.wait_for_load_state("networkidle")
        ua.shot(name, guides)
    for url, name in (("/blocks/list/", "khoi"), ("/units/list/", "don_vi"), ("/staff/list/", "giao_quan_tri"),
                      ("/mau01/", "mau01_quan_tri"), ("/rule-sets/", "bo_tieu_chi"), ("/roles-overview/", "vai_tro")):
        admin.page.goto(url)
        admin.page.wait_for_load_state("networkidle")
        admin.shot(name, guides)
    # Screens of other branches, when this build has them (branch rollout: activation follow-up, unit merges).
    for url, name in (("/activation/", "theo_doi_trien_khai"), ("/unit-merge/", "gop_don_vi")):
        if served(app, url):
            admin.page.goto(url)
            admin.page.wait_for_load_state("networkidle")
            admin.shot(name, guides)
    ua.page.goto("/mau01/")
    if ua.page.get_by_text("Danh sách cán bộ hiện có").count():
        ua.page.get_by_text("Danh sách cán bộ hiện có").first.scroll_into_view_if_needed()
        ua.shot("mau01_danh_sach_hien_co", guides)

    # What the screens did is in the database, once.
    with app.app_context():
        me_row = db.session.scalar(select(Staff).where(Staff.username == username))
        assert me_row.must_change_password is False and me_row.evaluator.username == head_username
        s = db.session.scalar(select(Sheet).join(Period).where(Sheet.person_id == me_row.id, Period.key == PERIOD))
        assert s.state == "finalised" and s.grade == grade
        actions = [e.action for e in db.session.scalars(select(SheetEvent).where(SheetEvent.sheet_id == s.id)
                                                        .order_by(SheetEvent.id))]
        assert actions == ["submit", "comment", "return", "comment", "finalise"], actions
        from app.models import Task, TaskPlan

        tasks = db.session.scalars(select(Task).where(Task.person_id == me_row.id)).all()
        assert [(t.title, t.quantity) for t in tasks] == [(TASK_TITLE, 2)]
        plan = db.session.scalar(select(TaskPlan).where(TaskPlan.person_id == me_row.id))
        assert plan.state == "submitted"
        db.session.remove()
    walks = (admin, ua, me, dep, boss, syn)
    for w in walks:
        w.check()
    assert {h for w in walks for h in w.hosts} == {"127.0.0.1"}
