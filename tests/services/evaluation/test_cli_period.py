"""``flask period open|close|list|auto-forward``: Vietnamese output, exit status, nothing written on failure."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args):
    return runner.invoke(args=["period", *map(str, args)])


def count(app, model, *where) -> int:
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def people_with_a_unit(app) -> int:
    from app.models import Staff

    return count(app, Staff, Staff.unit_id.isnot(None))


def test_open(app, runner):
    from app.models import Period, Sheet

    result = invoke(runner, "open", "2026-11")
    assert result.exit_code == 0, result.output
    n = people_with_a_unit(app)
    lines = result.stdout.splitlines()
    assert lines[0] == f"Đã mở kỳ đánh giá 2026-11 (tháng 11/2026): 20 ngày làm việc, {n} phiếu."
    assert lines[1:] == [
        "  Tự đánh giá:         20/11/2026 – 25/11/2026",
        "  Nhận xét:            20/11/2026 – 28/11/2026",
        "  Đánh giá, xếp loại:  20/11/2026 – 04/12/2026",
    ]
    assert count(app, Period) == 1 and count(app, Sheet) == n  # committed


def test_open_a_trial_quarter_with_working_days(app, runner):
    result = invoke(runner, "open", "2026-Q4", "--trial", "--working-days", "62")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Đã mở kỳ đánh giá 2026-Q4 (quý IV/2026, vận hành thử): 62 ngày làm việc,")


@pytest.mark.parametrize("args,message", [
    (("open", "2026-13"), "Lỗi: Kỳ đánh giá phải có dạng YYYY-MM (tháng) hoặc YYYY-Qn (quý), ví dụ 2026-11 hoặc 2026-Q4."),
    (("open", "2026-11", "--working-days", "abc"), "Lỗi: Số ngày làm việc phải là số nguyên từ 1 đến 30."),
    (("close", "2026-11"), "Lỗi: Chưa có kỳ đánh giá 2026-11."),
    (("close", "tháng 11"), "Lỗi: Kỳ đánh giá phải có dạng YYYY-MM (tháng) hoặc YYYY-Qn (quý), ví dụ 2026-11 hoặc 2026-Q4."),
])
def test_refusals_exit_1_in_vietnamese_and_write_nothing(app, runner, args, message):
    from app.models import Period, Sheet

    result = invoke(runner, *args)
    assert result.exit_code == 1
    assert result.stderr.strip() == message and result.stdout == ""
    assert count(app, Period) == 0 and count(app, Sheet) == 0


def test_opening_twice_is_refused(app, runner):
    from app.models import Sheet

    assert invoke(runner, "open", "2026-11").exit_code == 0
    n = count(app, Sheet)
    result = invoke(runner, "open", "2026-11")
    assert result.exit_code == 1 and result.stderr.strip() == "Lỗi: Kỳ đánh giá 2026-11 (tháng 11/2026) đã được mở."
    assert count(app, Sheet) == n


def test_list(app, runner):
    assert invoke(runner, "list").stdout == "Chưa có kỳ đánh giá nào.\n"
    invoke(runner, "open", "2026-10")
    invoke(runner, "open", "2026-11", "--trial")
    invoke(runner, "close", "2026-10")
    n = people_with_a_unit(app)
    lines = invoke(runner, "list").stdout.splitlines()
    assert lines[0].split() == ["Kỳ", "Trạng", "thái", "Ngày", "làm", "việc", "Phiếu", "Đã", "xếp", "loại", "Ghi", "chú"]
    assert lines[1].split() == ["2026-11", "Đang", "mở", "20", str(n), "0", "Vận", "hành", "thử"]
    assert lines[2].split() == ["2026-10", "Đã", "khóa", "22", str(n), "0"]


def test_auto_forward_and_close(app, runner):
    from app.domain.dates import TZ
    from app.domain.evaluation import workflow as wf
    from app.models import AuditEvent, Sheet
    from app.services import clock

    invoke(runner, "open", "2026-11")
    n = people_with_a_unit(app)
    clock.set_clock(lambda: dt.datetime(2026, 11, 24, 8, tzinfo=TZ))
    assert invoke(runner, "auto-forward").stdout == "Không có phiếu nào quá hạn tự đánh giá.\n"
    clock.set_clock(lambda: dt.datetime(2026, 11, 26, 6, tzinfo=TZ))
    result = invoke(runner, "auto-forward")
    assert result.exit_code == 0
    assert result.stdout == f"Đã chuyển {n} phiếu quá hạn tự đánh giá đến lãnh đạo đánh giá (không tự đánh giá).\n"
    assert count(app, Sheet, Sheet.state == wf.DRAFT) == 0 and count(app, Sheet, Sheet.self_assessed.is_(False)) == n
    result = invoke(runner, "close", "2026-11")
    assert result.exit_code == 0
    assert result.stdout == f"Đã khóa kỳ đánh giá 2026-11: {n} phiếu, 0 phiếu đã xếp loại.\n"
    assert count(app, AuditEvent, AuditEvent.action == "period_closed") == 1
    result = invoke(runner, "close", "2026-11")
    assert result.exit_code == 1 and result.stderr.strip() == "Lỗi: Kỳ đánh giá 2026-11 đã khóa."


def test_close_forwards_remaining_drafts(app, runner):
    invoke(runner, "open", "2026-11")
    n = people_with_a_unit(app)
    result = invoke(runner, "close", "2026-11")
    assert result.stdout.splitlines() == [
        f"Đã khóa kỳ đánh giá 2026-11: {n} phiếu, 0 phiếu đã xếp loại.",
        f"  {n} phiếu chưa tự đánh giá đã được chuyển tự động đến lãnh đạo đánh giá.",
    ]


def test_help_is_vietnamese(runner):
    result = invoke(runner, "--help")
    assert "Kỳ đánh giá: mở, khóa, liệt kê" in result.stdout
    assert "Chuyển phiếu quá hạn tự đánh giá" in result.stdout
