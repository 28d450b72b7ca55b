"""The one error type: a refusal a person can act on, with a code, a Vietnamese message and the field at fault.

Screens flash ``message``; the REST API answers ``{code, message, field}`` with ``http_status``.
Subclasses only choose the status and a default code, so every layer raises and catches one type.
"""
from __future__ import annotations

from typing import Any, Optional


class DomainError(ValueError):
    """A refusal: ``code`` for machines, ``message`` (Vietnamese) for people, ``field`` when one input is at fault."""

    http_status = 400
    default_code = "invalid"

    def __init__(self, code: Optional[str], message: str, field: Optional[str] = None, **detail: Any):
        self.code = code or self.default_code
        self.message = message
        self.field = field
        self.detail = detail
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out

    @classmethod
    def of(cls, code: Optional[str], problems: list[str], field: Optional[str] = None) -> "DomainError":
        """One error from several Vietnamese reasons (shown together)."""
        return cls(code, " ".join(problems), field)


class ValidationError(DomainError):
    """Bad input: a value out of range, missing, malformed."""

    http_status = 400
    default_code = "invalid"


class PermissionDenied(DomainError):
    """Not the actor's to do (the target is visible, the act is not theirs)."""

    http_status = 403
    default_code = "forbidden"


class OutOfReach(DomainError):
    """Outside the actor's reach, or missing: answered like a missing row (never say it exists)."""

    http_status = 404
    default_code = "not_found"


class Conflict(DomainError):
    """The state moved under the actor (a stale version), or a limit needs a reason (quota)."""

    http_status = 409
    default_code = "conflict"
