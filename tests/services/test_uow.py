"""The one transaction boundary: everything or nothing, and a refusal's audit rows survive the rollback."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.errors import Conflict, DomainError, OutOfReach, PermissionDenied, ValidationError


def _count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_block_that_raises_leaves_nothing(ctx):
    from app.models import AuditEvent
    from app.services import audit
    from app.services.uow import unit_of_work

    before = _count(ctx, AuditEvent)
    with pytest.raises(RuntimeError):
        with unit_of_work(ctx):
            audit.record(ctx, "user_updated", target="staged-then-undone")
            ctx.flush()
            raise RuntimeError("boom")
    assert _count(ctx, AuditEvent) == before


def test_a_refusal_keeps_its_audit_row_and_nothing_else(ctx):
    from app.models import AuditEvent
    from app.services import audit
    from app.services.uow import unit_of_work

    with pytest.raises(PermissionDenied) as caught:
        with unit_of_work(ctx):
            audit.record(ctx, "user_updated", target="undone-work")
            raise audit.refusal(ctx, PermissionDenied("scope", "Không được."), "access_denied", target="attempt")
    assert caught.value.code == "scope" and str(caught.value) == "Không được."
    assert _count(ctx, AuditEvent, AuditEvent.target_label == "undone-work") == 0
    assert _count(ctx, AuditEvent, AuditEvent.target_label == "attempt", AuditEvent.action == "access_denied") == 1


def test_a_block_that_succeeds_is_committed(app, ctx):
    from app.extensions import db
    from app.models import AuditEvent
    from app.services import audit
    from app.services.uow import unit_of_work

    with unit_of_work(ctx):
        audit.record(ctx, "user_updated", target="kept")
    with app.app_context():
        other = db.session  # a new scoped session in a new context sees the committed row
        assert _count(other, AuditEvent, AuditEvent.target_label == "kept") == 1


@pytest.mark.parametrize("cls,status,code", [
    (ValidationError, 400, "invalid"), (PermissionDenied, 403, "forbidden"), (OutOfReach, 404, "not_found"),
    (Conflict, 409, "conflict"),
])
def test_error_types_carry_status_code_message_and_field(cls, status, code):
    exc = cls(None, "Thông báo", "field_x")
    assert isinstance(exc, DomainError) and exc.http_status == status and exc.code == code
    assert exc.as_dict() == {"code": code, "message": "Thông báo", "field": "field_x"}
    assert cls("own", "x").as_dict() == {"code": "own", "message": "x"}
