"""The summary of a period as an official .xlsx (``excel.writer.official_bytes``): for one unit its people
(leaders first) and its grade counts; for a block or the organisation a row per unit with totals.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterator, Optional

from sqlalchemy import case, select

from app.domain import rollup as R
from app.domain.dates import fmt_date
from app.domain.evaluation import workflow as wf
from app.domain.roles import LEADER
from app.domain.scope import Actor
from app.domain.text import fold
from app.excel.writer import Emphasis, OfficialLayout, Section, official_bytes
from app.models import OrgUnit, Sheet, Staff
from app.services import clock
from app.services.evaluation.inbox import resolve_period
from app.services.synthesis.reach import scope_of
from app.services.synthesis.summary import Summary, summary

TITLE = "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC"
PEOPLE_TITLE = "DANH SÁCH KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CÁN BỘ, CÔNG CHỨC, VIÊN CHỨC"
PLACE = "Hà Nội"
PEOPLE_HEADERS = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Điểm tự đánh giá", "Điểm đánh giá", "Xếp loại", "Mức xếp loại"]
PEOPLE_WIDTHS = [6, 28, 22, 30, 12, 12, 9, 30]


def unit_headers() -> list[str]:
    out = ["STT", "Đơn vị", "Tổng số"]
    for g in R.GRADES:
        out += [f"{g} – {R.GRADE_NAMES[g]}", "Tỷ lệ (%)"]
    return out + [R.NOT_GRADED, "Tỷ lệ (%)", "Chỉ tiêu loại A"]


def _unit_values(i, u) -> list:
    values = [i, u.unit_name, u.total]
    for g in R.GRADES:
        values += [u.count(g), float(u.share(g))]
    return values + [u.not_graded, float(u.share(None)), u.quota_text if u.unit_id else ""]


def _layout(s: Summary, title: str, headers, widths, org_name: str, today: dt.date, sheet: str) -> OfficialLayout:
    where = {"unit": f"Đơn vị: {s.scope.name}", "block": f"Khối: {s.scope.name}"}.get(s.scope.level, f"Toàn {org_name}")
    issuer = s.scope.name if s.scope.level == "unit" else (org_name if s.scope.level == "org" else s.scope.name)
    return OfficialLayout(issuer.upper(), title, [where, f"Kỳ đánh giá: {s.period.label} ({s.period.key})"], headers,
                          widths, f"{PLACE}, ngày {fmt_date(today)}", sheet_title=sheet)


def _grade_rows(u) -> Iterator:
    yield Section("Kết quả xếp loại")
    for g in R.GRADES:
        yield [g, R.GRADE_NAMES[g], None, None, u.count(g), float(u.share(g)), None, None]
    yield [None, R.NOT_GRADED, None, None, u.not_graded, float(u.share(None)), None, None]
    yield Emphasis([None, "Tổng số", None, None, u.total, 100.0 if u.total else 0.0, None, u.quota_text])


def _person_values(i, p, unit_name) -> list:
    return [i, p.name, p.position, unit_name, p.self_total, p.final_total, p.grade, p.grade_label if p.grade else R.NOT_GRADED]


def summary_xlsx(session, actor: Actor, period: Any, unit_id: Any = None, block_id: Any = None, org_name: str = "",
                 today: Optional[dt.date] = None) -> tuple[str, bytes]:
    """(file name, bytes) of the period summary for the scope."""
    s = summary(session, actor, period, unit_id, block_id, org_name)
    today = today or clock.today()
    slug = fold(s.scope.name or org_name).replace(" ", "-")[:60] or "to-chuc"
    name = f"tong-hop-{s.period.key}-{slug}.xlsx"
    if s.scope.level == "unit":
        u = s.units[0] if s.units else None
        layout = _layout(s, TITLE, PEOPLE_HEADERS, PEOPLE_WIDTHS, org_name, today, "Tổng hợp")

        def rows():
            i = 0
            for label, group in (("Lãnh đạo", s.leaders), ("Công chức, viên chức, lao động hợp đồng", s.staff)):
                if group:
                    yield Section(label)
                for p in group:
                    i += 1
                    yield _person_values(i, p, s.scope.name)
            if u is not None:
                yield from _grade_rows(u)

        return name, official_bytes(layout, rows())
    layout = _layout(s, TITLE, unit_headers(), [6, 36, 9] + [10, 8] * 5 + [14], org_name, today, "Tổng hợp")

    def unit_rows():
        for i, u in enumerate(s.units, 1):
            yield _unit_values(i, u)
        t = s.totals
        yield Emphasis(["", "Tổng cộng", t.total] + sum(([t.count(g), float(t.share(g))] for g in R.GRADES), [])
                       + [t.not_graded, float(t.share(None)), ""])

    return name, official_bytes(layout, unit_rows())


def people_xlsx(session, actor: Actor, period: Any, unit_id: Any = None, block_id: Any = None, org_name: str = "",
                today: Optional[dt.date] = None) -> tuple[str, bytes]:
    """Every person of the scope with self score, final score and grade: one query, streamed to the writer."""
    per = resolve_period(session, period)
    scope = scope_of(session, actor, unit_id, block_id, org_name)
    today = today or clock.today()
    q = (select(Staff.full_name, Staff.position, OrgUnit.name, Sheet.state, Sheet.self_total, Sheet.final_total, Sheet.grade)
         .join(Staff, Staff.id == Sheet.person_id).join(OrgUnit, OrgUnit.id == Sheet.unit_id)
         .where(Sheet.period_id == per.id, scope.sheet_filter(Sheet.unit_id))
         .order_by(OrgUnit.name_key, case((Sheet.eval_role == LEADER, 0), else_=1), Staff.name_key, Sheet.id))
    fake = Summary(per, scope, [])
    layout = _layout(fake, PEOPLE_TITLE, PEOPLE_HEADERS, PEOPLE_WIDTHS, org_name, today, "Danh sách")

    def rows():
        for i, r in enumerate(session.execute(q.execution_options(yield_per=2000)), 1):
            done = r.state == wf.FINALISED
            yield [i, r.full_name, r.position, r.name, r.self_total, r.final_total if done else None,
                   r.grade if done else None, R.GRADE_NAMES.get(r.grade, r.grade) if done and r.grade else R.NOT_GRADED]

    slug = fold(scope.name or org_name).replace(" ", "-")[:60] or "to-chuc"
    return f"danh-sach-{per.key}-{slug}.xlsx", official_bytes(layout, rows())


__all__ = ["summary_xlsx", "people_xlsx", "unit_headers", "TITLE", "PEOPLE_TITLE"]
