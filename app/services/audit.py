"""Writing the audit log."""
from __future__ import annotations

import json
from typing import Any, Optional

from flask import has_request_context, request

from app.domain.audit import CLI_ADDRESS
from app.domain.errors import DomainError
from app.models import AuditEvent, OrgUnit, Staff
from app.services import clock


def client_address() -> Optional[str]:
    """Where the request came from ("cli" for commands)."""
    if not has_request_context():
        return CLI_ADDRESS
    return request.remote_addr


def actor_label(actor) -> Optional[str]:
    """How the log names who acted: "Full Name (username)", or the label of a non-person actor
    (``domain.scope.SYSTEM``: "Hệ thống (dòng lệnh)")."""
    if isinstance(actor, Staff):
        return f"{actor.display_name} ({actor.username})"
    label = getattr(actor, "label", None)
    return label if isinstance(label, str) else None


def event_fields(session, action: str, actor: Optional[Staff] = None, target: Any = None,
                 unit_id: Optional[int] = None, detail: Any = None, target_kind: Optional[str] = None) -> dict[str, Any]:
    """The column values of one audit row, computed now (the objects may be rolled back later).

    The row is scoped to the target's unit (or ``unit_id``) so unit and block admins see it. An org
    node's ``target_type`` is its kind (block, unit, department), which the log's label names;
    ``target_kind`` says it for a node given by name (one being deleted).
    """
    target_type = target_id = target_label = None
    if isinstance(target, Staff):
        target_type, target_id, target_label = "staff", target.id, f"{target.display_name} ({target.username})"
        unit_id = unit_id if unit_id is not None else target.unit_id
    elif isinstance(target, OrgUnit):
        target_type, target_id, target_label = target.kind or "org", target.id, target.name
        if unit_id is None:
            unit_id = target.unit_id
    elif isinstance(target, str):
        target_type, target_label = target_kind, target
    block_id = None
    if unit_id is not None:
        unit = session.get(OrgUnit, unit_id)
        block_id = unit.block_id if unit is not None else None
    elif isinstance(target, OrgUnit):
        block_id = target.block_id
    if isinstance(detail, (dict, list)):
        detail = json.dumps(detail, ensure_ascii=False, default=str)
    return {
        "at": clock.now(),
        "actor_id": getattr(actor, "id", None),
        "actor_name": actor_label(actor),
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "unit_id": unit_id,
        "block_id": block_id,
        "ip": client_address(),
        "detail": detail,
    }


def add_event(session, fields: dict[str, Any]) -> AuditEvent:
    event = AuditEvent(**fields)
    session.add(event)
    return event


def record(session, action: str, actor: Optional[Staff] = None, target: Any = None,
           unit_id: Optional[int] = None, detail: Any = None, target_kind: Optional[str] = None) -> AuditEvent:
    """Stage one audit row in the caller's unit of work."""
    return add_event(session, event_fields(session, action, actor, target, unit_id, detail, target_kind))


def refusal(session, exc: DomainError, action: str, actor: Optional[Staff] = None, target: Any = None,
            unit_id: Optional[int] = None, detail: Any = None) -> DomainError:
    """Attach an audit row to a refusal: the unit of work writes it after rolling the rest back.

    ``raise audit.refusal(session, DomainError(…), "access_denied", actor, target)``
    """
    rows = list(getattr(exc, "audit_rows", ()))
    rows.append(event_fields(session, action, actor, target, unit_id, detail))
    exc.audit_rows = rows
    return exc
