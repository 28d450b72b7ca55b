"""Results for the person once the period is closed, one feedback within FEEDBACK_DAYS, the evaluator's answer."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from app.domain.errors import Conflict, OutOfReach, PermissionDenied, ValidationError
from app.services.synthesis import feedback
from tests.evaluation_fixtures import NOVEMBER, actor_of, at, make_unit, open_period, sheet_of
from tests.synthesis_fixtures import apply_plan

CLOSED_ON = dt.date(2026, 12, 5)


def _close(session, key=NOVEMBER):
    from app.models import Period

    session.execute(update(Period).where(Period.key == key).values(state="closed", closed_at=at(CLOSED_ON)))
    session.commit()


@pytest.fixture
def closed(ctx):
    from app.models import Sheet

    a = make_unit(ctx, size=5)
    open_period(ctx, NOVEMBER)
    apply_plan(ctx, NOVEMBER, {pid: {"state": "finalised", "final_total": Decimal(85)} for pid in a.people})
    sid = sheet_of(ctx, a.staff[0])
    ctx.execute(update(Sheet).where(Sheet.id == sid).values(comment="Hoàn thành tốt, cần chủ động hơn."))
    ctx.commit()
    return a, sid


def test_nothing_is_shown_before_closing(ctx, closed):
    a, sid = closed
    v = feedback.view(ctx, actor_of(ctx, a.staff[0]), sid, 10)
    assert not v.shown and not v.can_send
    with pytest.raises(ValidationError):
        feedback.send(ctx, actor_of(ctx, a.staff[0]), sid, "Xin xem lại", 10, today=CLOSED_ON)


def test_one_feedback_then_one_answer(ctx, closed):
    from app.models import Notice, SheetFeedback

    a, sid = closed
    _close(ctx)
    owner, head = actor_of(ctx, a.staff[0]), actor_of(ctx, a.head)
    v = feedback.view(ctx, owner, sid, 10, today=CLOSED_ON)
    assert v.shown and v.grade_label == "Hoàn thành tốt nhiệm vụ" and v.can_send
    with pytest.raises(ValidationError) as e:
        feedback.send(ctx, owner, sid, "   ", 10, today=CLOSED_ON)
    assert "Hãy viết" in e.value.message
    with pytest.raises(ValidationError):
        feedback.send(ctx, owner, sid, "x" * 4001, 10, today=CLOSED_ON)
    with pytest.raises(PermissionDenied):
        feedback.send(ctx, head, sid, "Tôi gửi hộ", 10, today=CLOSED_ON)
    feedback.send(ctx, owner, sid, "Đề nghị xem lại điểm mục 2.", 10, today=CLOSED_ON + dt.timedelta(days=10))
    ctx.commit()
    with pytest.raises(Conflict):
        feedback.send(ctx, owner, sid, "Lần hai", 10, today=CLOSED_ON)
    assert ctx.scalar(select(func.count()).select_from(Notice).where(Notice.person_id == a.head, Notice.kind == "feedback")) == 1
    with pytest.raises(PermissionDenied):
        feedback.answer(ctx, owner, sid, "Tự trả lời", 10)
    feedback.answer(ctx, head, sid, "Đã xem lại: giữ nguyên.", 10)
    ctx.commit()
    with pytest.raises(Conflict):
        feedback.answer(ctx, head, sid, "Lần hai", 10)
    fb = ctx.scalar(select(SheetFeedback).where(SheetFeedback.sheet_id == sid))
    assert fb.text == "Đề nghị xem lại điểm mục 2." and fb.answer == "Đã xem lại: giữ nguyên." and fb.answered_by_id == a.head


def test_too_late(ctx, closed):
    a, sid = closed
    _close(ctx)
    with pytest.raises(ValidationError) as e:
        feedback.send(ctx, actor_of(ctx, a.staff[0]), sid, "Muộn", 10, today=CLOSED_ON + dt.timedelta(days=11))
    assert "15/12/2026" in e.value.message


def test_strangers_get_not_found(ctx, closed):
    a, sid = closed
    _close(ctx)
    for other in (a.staff[1], a.synthesis):
        with pytest.raises(OutOfReach):
            feedback.view(ctx, actor_of(ctx, other), sid, 10)
    for bad in ("x", "-1", "99999999999999999999", None):
        with pytest.raises(OutOfReach):
            feedback.view(ctx, actor_of(ctx, a.staff[0]), bad, 10)


def test_the_screens(app, demo, ctx, closed, calendar):
    a, sid = closed
    _close(ctx)
    calendar(CLOSED_ON + dt.timedelta(days=1))
    owner = app.test_client()
    demo.login(owner, "staff", a.name)
    page = owner.get(f"/results/{sid}").get_data(as_text=True)
    assert "Hoàn thành tốt nhiệm vụ" in page and "cần chủ động hơn" in page and "Gửi kiến nghị" in page
    assert f"/results/{sid}" in owner.get("/results/").get_data(as_text=True)
    resp = owner.post(f"/results/{sid}/feedback", data={"text": ""}, follow_redirects=True)
    assert "Hãy viết nội dung kiến nghị" in resp.get_data(as_text=True)
    resp = owner.post(f"/results/{sid}/feedback", data={"text": "Xin xem lại"}, follow_redirects=True)
    assert "Đã gửi kiến nghị" in resp.get_data(as_text=True)
    head = app.test_client()
    demo.login(head, "leader", a.name)
    assert "Trả lời kiến nghị" in head.get(f"/results/{sid}").get_data(as_text=True)
    assert "gửi kiến nghị" in head.get("/notices/").get_data(as_text=True)
    head.post(f"/results/{sid}/answer", data={"answer": "Giữ nguyên"})
    assert "Giữ nguyên" in owner.get(f"/results/{sid}").get_data(as_text=True)
    stranger = app.test_client()
    demo.login(stranger, "synthesis", a.name)
    assert stranger.get(f"/results/{sid}").status_code == 404
    assert stranger.post(f"/results/{sid}/feedback", data={"text": "x"}).status_code == 404
