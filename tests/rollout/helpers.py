"""Helpers of the rollout tests: a Mẫu 01 sheet in memory, the demo's units by name."""
from __future__ import annotations

import io

from sqlalchemy import select

STAFF_TEXT = "Công chức, viên chức, lao động hợp đồng"


def mau01_sheet(rows, unit_type="Đơn vị hành chính") -> bytes:
    """rows: (full_name, unit, account, phone, evaluator)."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÁN BỘ …"])
    ws.append([f"1 - Loại hình của cơ quan đơn vị: {unit_type}"])
    ws.append([f"2- Tổng số CBCCCVC và LĐHD hiện có của cơ quan, đơn vị: {len(rows)} người"])
    ws.append([None])
    ws.append(["STT", "Họ và tên", "Chức vụ", "Tài khoản", "Email", "SĐT liên hệ", "Đơn vị", "Vai trò",
               "Là quản trị đơn vị", "Lãnh đạo phụ trách nhận xét", "Lãnh đạo đánh giá"])
    for i, (name, unit, account, phone, evaluator) in enumerate(rows, 1):
        ws.append([i, name, "Chuyên viên", account, None, phone, unit, STAFF_TEXT, None, None, evaluator])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def unit_named(session, name):
    from app.domain.text import fold
    from app.models import OrgUnit

    return session.scalar(select(OrgUnit).where(OrgUnit.kind == "unit", OrgUnit.name_key == fold(name)).order_by(OrgUnit.id))
