"""Two people on one sheet: one wins, the other gets Conflict ``stale`` — nothing silently overwritten."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.errors import Conflict
from app.services.evaluation import concurrency


@pytest.fixture
def sheet_id(ctx, admin):
    from app.models import Sheet
    from app.services.evaluation import periods
    from app.services.uow import unit_of_work

    with unit_of_work(ctx):
        period = periods.open_period(ctx, "2026-11", admin)
    return ctx.scalar(select(Sheet.id).where(Sheet.period_id == period.id).order_by(Sheet.id).limit(1))


def test_every_orm_change_bumps_the_version(ctx, sheet_id):
    from app.models import Sheet

    sheet = ctx.get(Sheet, sheet_id)
    assert sheet.version == 1
    sheet.comment = "Nhận xét"
    concurrency.flush(ctx)
    assert sheet.version == 2
    sheet.worked_days = 20
    concurrency.flush(ctx)
    assert sheet.version == 3


@pytest.mark.parametrize("given", [0, 2, "1x", None, "abc"])
def test_a_client_version_other_than_the_stored_one_is_stale(ctx, sheet_id, given):
    from app.models import Sheet

    sheet = ctx.get(Sheet, sheet_id)
    with pytest.raises(Conflict) as exc:
        concurrency.check_version(sheet, given)
    assert (exc.value.code, exc.value.http_status, exc.value.field) == ("stale", 409, "version")
    assert exc.value.message == "Phiếu đã được người khác thay đổi, hãy tải lại."
    concurrency.check_version(sheet, 1)
    concurrency.check_version(sheet, "1")


def test_the_second_of_two_racing_writers_loses(app, ctx, sheet_id):
    from app.extensions import db
    from app.models import Sheet

    first, second = Session(db.engine), Session(db.engine)
    try:
        a = first.get(Sheet, sheet_id)
        b = second.get(Sheet, sheet_id)
        assert a.version == b.version == 1
        concurrency.check_version(b, 1)  # both passed the client check
        a.comment = "Người thứ nhất"
        first.commit()
        b.comment = "Người thứ hai"
        with pytest.raises(Conflict) as exc:
            concurrency.flush(second)
        assert exc.value.code == "stale"
        second.rollback()
    finally:
        first.close()
        second.close()
    ctx.expire_all()
    stored = ctx.get(Sheet, sheet_id)
    assert (stored.comment, stored.version) == ("Người thứ nhất", 2)
