"""Banners: each signed-in person reads what is pending for them, with the dates."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from tests.evaluation_fixtures import SELF_DAY, at, clock_at, open_period

UNIT = "UBND phường Cống Vị"


def _banners(body: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for kind, inner in re.findall(r'(?s)class="alert alert-[a-z]+ pending-banner" data-kind="([a-z]+)"[^>]*>(.*?)</div>', body):
        out.setdefault(kind, []).append(" ".join(re.sub(r"<[^>]+>", " ", inner).split()))
    return out


def test_days_left_to_change_the_password_with_the_date(app, client, demo, calendar):
    from app.extensions import db
    from app.models import Staff

    calendar(dt.date(2026, 11, 10), 9)
    person = demo.login(client, "staff", UNIT)
    with app.app_context():
        p = db.session.get(Staff, person["id"])
        p.must_change_password, p.password_change_due = True, at(dt.date(2026, 11, 13), 17)
        db.session.commit()
        db.session.remove()
    resp = client.get("/", follow_redirects=True)
    banners = _banners(resp.get_data(as_text=True))
    assert resp.status_code == 200, resp.status_code
    assert banners["password"] == ["Bạn cần đổi mật khẩu trước ngày 13/11/2026 (còn 4 ngày); quá hạn, tài khoản sẽ tự động "
                                   "bị khóa. Đổi mật khẩu"]
    # Not for someone who has changed it.
    other = app.test_client()
    demo.login(other, "leader", UNIT)
    assert "password" not in _banners(other.get("/").get_data(as_text=True))


def test_sheets_due_and_the_trial_notice(app, client, demo, ctx):
    open_period(ctx, "2026-11", trial=True)
    clock_at(SELF_DAY)  # 21/11/2026, self-assessment 20-25
    demo.login(client, "staff", UNIT)
    banners = _banners(client.get("/account/password").get_data(as_text=True))
    assert banners["sheet"] == ["Phiếu tự đánh giá tháng 11/2026 (Vận hành thử): hạn tự đánh giá đến hết ngày 25/11/2026 "
                                "(còn 5 ngày). Việc cần làm"]
    assert len(banners["trial"]) == 1 and banners["trial"][0].startswith("Kỳ đánh giá tháng 11/2026 là kỳ vận hành thử:")
    assert "review" not in banners


def test_sheets_waiting_for_me(app, client, demo, ctx):
    from app.domain.evaluation import workflow as wf
    from app.models import Sheet

    open_period(ctx, "2026-11")
    clock_at(SELF_DAY)
    leader = demo.user("leader", UNIT)
    sheets = ctx.scalars(select(Sheet).where(Sheet.evaluator_id == leader["id"], Sheet.commenter_id.is_(None),
                                             Sheet.person_id != leader["id"]).order_by(Sheet.id)).all()
    commented = ctx.scalars(select(Sheet).where(Sheet.commenter_id == leader["id"]).order_by(Sheet.id)).all()
    assert sheets or commented
    for s in sheets[:2]:
        s.state = wf.SUBMITTED
    for s in commented[:3]:
        s.state = wf.SUBMITTED
    ctx.commit()
    demo.login(client, "leader", UNIT)
    banners = _banners(client.get("/").get_data(as_text=True))
    parts = []
    if commented[:3]:
        parts.append(f"{len(commented[:3])} phiếu chờ bạn nhận xét")
    if sheets[:2]:
        parts.append(f"{len(sheets[:2])} phiếu chờ bạn đánh giá, xếp loại")
    assert banners["review"] == ["Có " + " và ".join(parts) + ". Việc cần làm"]
    assert "trial" not in banners


def test_nobody_signed_in_sees_no_banner(app, client):
    assert "pending-banner" not in client.get("/login/").get_data(as_text=True)
