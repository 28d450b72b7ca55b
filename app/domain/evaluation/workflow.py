"""The sheet's workflow as a TABLE (EVAL_SPEC "Workflow"): rows of (from, action, role, guards, to).

``transition(state, action, role, facts)`` finds the row and checks its guards; it returns the state
the sheet moves to or raises a ``DomainError``. ``allowed_actions`` lists what would succeed (the
buttons a screen shows). Services compute the facts from the sheet, the period and the clock, call
``transition`` and, when the row lists ``checks``, run them too (``scores_draft``: ``scoring.assess``;
``scores``: ``scoring.assess(..., complete=True)``; ``quota``: ``quota.check_quota``; ``routing``: the new
commenter/evaluator is within the admin's reach and is not the owner) — those need the rule set, the
unit's counts or the org tree, which the table does not know.

Order of the refusals (the same for every row, so tests can state it independently):
1. a closed period refuses everything — ValidationError ``period_closed``;
2. the role has this action in some state, but not in this one — Conflict ``wrong_state``
   (a double click on "Gửi"); the role never has this action — PermissionDenied ``not_allowed``;
3. the row exists but the routing does not fit (the commenter of a sheet without one; the evaluator
   while the sheet waits for its commenter) — PermissionDenied ``not_your_turn``;
4. a guard fails (window, reason, comment text, already opened, auto-forwarded) — ValidationError
   with the guard's code; the first failing guard of the row is reported.

Roles are sheet-relative (``sheet_roles``): ``owner``, ``commenter``, ``evaluator``, ``admin`` (an
admin in scope, for reopen and reassign), ``system`` (the daily auto-forward). Nobody acts on their own
sheet except as its owner: ``act`` refuses a person who holds the sheet both as owner and as another
role (``self_review``: "Không ai tự đánh giá chính mình.").

"opened" is whether the person now holding the sheet has opened it (``opened_at`` set). Every change
of holder resets it (``resets_opened``), so recall is possible only before the next person looks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from app.domain.errors import Conflict, DomainError, PermissionDenied, ValidationError
from app.domain.evaluation.periods import STEP_COMMENT, STEP_GRADING, STEP_SELF, STEPS

# States
DRAFT = "draft"
SUBMITTED = "submitted"
COMMENTED = "commented"
FINALISED = "finalised"
STATES = (DRAFT, SUBMITTED, COMMENTED, FINALISED)
STATE_LABELS = {
    DRAFT: "Đang tự đánh giá",
    SUBMITTED: "Đã gửi",
    COMMENTED: "Đã nhận xét",
    FINALISED: "Đã xếp loại",
}

# Actions
SAVE_SELF = "save_self"
SUBMIT = "submit"
RECALL = "recall"
SAVE_COMMENT = "save_comment"
COMMENT = "comment"
RETURN = "return"
SAVE_FINAL = "save_final"
FINALISE = "finalise"
REOPEN = "reopen"
AUTO_FORWARD = "auto_forward"
REASSIGN = "reassign"
ACTIONS = (SAVE_SELF, SUBMIT, RECALL, SAVE_COMMENT, COMMENT, RETURN, SAVE_FINAL, FINALISE, REOPEN, AUTO_FORWARD, REASSIGN)
ACTION_LABELS = {
    SAVE_SELF: "lưu bản tự đánh giá",
    SUBMIT: "gửi phiếu tự đánh giá",
    RECALL: "thu hồi phiếu",
    SAVE_COMMENT: "lưu nhận xét",
    COMMENT: "gửi nhận xét",
    RETURN: "trả lại phiếu",
    SAVE_FINAL: "lưu điểm đánh giá",
    FINALISE: "hoàn thành đánh giá, xếp loại",
    REOPEN: "mở lại phiếu đã xếp loại",
    AUTO_FORWARD: "tự động chuyển phiếu quá hạn tự đánh giá",
    REASSIGN: "đổi người nhận xét, đánh giá",
}
# Event labels (the sheet's history), as people read them.
EVENT_LABELS = {
    SAVE_SELF: "Lưu tự đánh giá",
    SUBMIT: "Gửi phiếu",
    RECALL: "Thu hồi phiếu",
    SAVE_COMMENT: "Lưu nhận xét",
    COMMENT: "Nhận xét",
    RETURN: "Trả lại phiếu",
    SAVE_FINAL: "Lưu điểm đánh giá",
    FINALISE: "Xếp loại",
    REOPEN: "Mở lại phiếu",
    AUTO_FORWARD: "Không tự đánh giá (chuyển tự động)",
    REASSIGN: "Đổi người nhận xét, đánh giá",
}

# Sheet-relative roles
OWNER = "owner"
COMMENTER = "commenter"
EVALUATOR = "evaluator"
ADMIN = "admin"
SYSTEM = "system"
ROLES = (OWNER, COMMENTER, EVALUATOR, ADMIN, SYSTEM)
ROLE_LABELS = {
    OWNER: "người tự đánh giá",
    COMMENTER: "lãnh đạo phụ trách nhận xét",
    EVALUATOR: "lãnh đạo đánh giá",
    ADMIN: "quản trị",
    SYSTEM: "hệ thống",
}


@dataclass(frozen=True)
class Facts:
    """What the guards look at, computed by the service for one sheet, one actor, one moment.

    ``open_windows``: the steps (``periods.STEPS``) whose window is open today for the sheet's unit,
    extensions included (``services.evaluation.periods.open_steps``); none by default, so facts built
    without it refuse rather than allow. ``opened``: the current holder has opened the sheet. ``auto_forwarded``: the
    sheet was forwarded without a self-assessment (``self_assessed`` False). ``reason``/``text``: what
    the actor typed (a return's or reopen's reason, the comment).
    """

    has_commenter: bool = False
    opened: bool = False
    open_windows: frozenset[str] = frozenset()
    period_closed: bool = False
    auto_forwarded: bool = False
    reason: str = ""
    text: str = ""


@dataclass(frozen=True)
class Guard:
    code: str
    message: str
    holds: Callable[[Facts], bool]
    field: Optional[str] = None

    def error(self) -> ValidationError:
        return ValidationError(self.code, self.message, self.field)


SELF_WINDOW = Guard("window_closed", "Đã hết thời hạn tự đánh giá.", lambda f: STEP_SELF in f.open_windows)
COMMENT_WINDOW = Guard("window_closed", "Không trong thời hạn nhận xét.", lambda f: STEP_COMMENT in f.open_windows)
GRADING_WINDOW = Guard("window_closed", "Không trong thời hạn đánh giá, xếp loại.", lambda f: STEP_GRADING in f.open_windows)
SELF_WINDOW_OVER = Guard("window_not_over", "Thời hạn tự đánh giá chưa kết thúc.", lambda f: STEP_SELF not in f.open_windows)
NOT_OPENED = Guard("already_opened", "Người nhận đã mở phiếu, không thể thu hồi.", lambda f: not f.opened)
NOT_AUTO_FORWARDED = Guard(
    "auto_forwarded", "Phiếu được chuyển tự động (không tự đánh giá), không thể thu hồi.", lambda f: not f.auto_forwarded)
REASON = Guard("reason_required", "Cần nêu lý do.", lambda f: bool(f.reason.strip()), "reason")
TEXT = Guard("comment_required", "Nội dung nhận xét không được để trống.", lambda f: bool(f.text.strip()), "text")

Target = Callable[[Facts], str]


def _to(state: str) -> Target:
    return lambda f: state


def _reviewed_state(f: Facts) -> str:
    """Where a review step goes back to / forward to: commented with a commenter, else submitted."""
    return COMMENTED if f.has_commenter else SUBMITTED


def _return_from_commented(f: Facts) -> str:
    """Back to the commenter when it really was commented; else (no commenter, auto-forward) to the person."""
    return SUBMITTED if f.has_commenter and not f.auto_forwarded else DRAFT


@dataclass(frozen=True)
class Row:
    """One line of the table. ``commenter``: True/False when the row needs the sheet to have / not have a
    commenter, None when either. ``checks``: further checks the service runs (``scores``, ``quota``).
    ``unchanged``: the target is the current state (reassign)."""

    from_state: str
    action: str
    role: str
    to: Target
    guards: tuple[Guard, ...] = ()
    commenter: Optional[bool] = None
    checks: tuple[str, ...] = ()
    unchanged: bool = False

    def target(self, facts: Facts) -> str:
        return self.from_state if self.unchanged else self.to(facts)


TABLE: tuple[Row, ...] = (
    Row(DRAFT, SAVE_SELF, OWNER, _to(DRAFT), (SELF_WINDOW,), checks=("scores_draft",)),
    Row(DRAFT, SUBMIT, OWNER, _to(SUBMITTED), (SELF_WINDOW,), checks=("scores",)),
    Row(SUBMITTED, RECALL, OWNER, _to(DRAFT), (NOT_OPENED,)),
    Row(SUBMITTED, SAVE_COMMENT, COMMENTER, _to(SUBMITTED), (COMMENT_WINDOW,), commenter=True),
    Row(SUBMITTED, COMMENT, COMMENTER, _to(COMMENTED), (COMMENT_WINDOW, TEXT), commenter=True),
    Row(SUBMITTED, RETURN, COMMENTER, _to(DRAFT), (REASON,), commenter=True),
    Row(SUBMITTED, SAVE_FINAL, EVALUATOR, _to(SUBMITTED), (GRADING_WINDOW,), commenter=False, checks=("scores_draft",)),
    Row(SUBMITTED, FINALISE, EVALUATOR, _to(FINALISED), (GRADING_WINDOW,), commenter=False, checks=("scores", "quota")),
    Row(SUBMITTED, RETURN, EVALUATOR, _to(DRAFT), (REASON,), commenter=False),
    Row(COMMENTED, RECALL, COMMENTER, _to(SUBMITTED), (NOT_OPENED, NOT_AUTO_FORWARDED), commenter=True),
    Row(COMMENTED, SAVE_FINAL, EVALUATOR, _to(COMMENTED), (GRADING_WINDOW,), checks=("scores_draft",)),
    Row(COMMENTED, FINALISE, EVALUATOR, _to(FINALISED), (GRADING_WINDOW,), checks=("scores", "quota")),
    Row(COMMENTED, RETURN, EVALUATOR, _return_from_commented, (REASON,)),
    Row(FINALISED, REOPEN, ADMIN, _reviewed_state, (REASON,)),
    Row(DRAFT, AUTO_FORWARD, SYSTEM, _reviewed_state, (SELF_WINDOW_OVER,)),
    Row(DRAFT, REASSIGN, ADMIN, _to(DRAFT), checks=("routing",), unchanged=True),
    Row(SUBMITTED, REASSIGN, ADMIN, _to(SUBMITTED), checks=("routing",), unchanged=True),
    Row(COMMENTED, REASSIGN, ADMIN, _to(COMMENTED), checks=("routing",), unchanged=True),
)

PERIOD_CLOSED = ("period_closed", "Kỳ đánh giá đã khóa, không thể thay đổi phiếu.")
SELF_REVIEW = ("self_review", "Không ai tự đánh giá chính mình.")


def holder(state: str, has_commenter: bool) -> Optional[str]:
    """The role the sheet waits for: the person, the commenter, the evaluator; None once finalised."""
    if state == DRAFT:
        return OWNER
    if state == SUBMITTED:
        return COMMENTER if has_commenter else EVALUATOR
    if state == COMMENTED:
        return EVALUATOR
    return None


def resets_opened(from_state: str, to_state: str, has_commenter: bool) -> bool:
    """Whether ``opened_at`` is cleared: the sheet changed hands (a save keeps it)."""
    return from_state != to_state or holder(from_state, has_commenter) != holder(to_state, has_commenter)


def row_for(state: str, action: str, role: str, facts: Facts) -> Row:
    """The table row that applies, guards checked; raises as described in the module docstring."""
    if facts.period_closed:
        raise ValidationError(*PERIOD_CLOSED)
    rows = [r for r in TABLE if r.from_state == state and r.action == action and r.role == role]
    if not rows:
        if any(r.action == action and r.role == role for r in TABLE):
            raise Conflict(
                "wrong_state",
                f"Phiếu đang ở trạng thái “{STATE_LABELS.get(state, state)}”, không thể {ACTION_LABELS.get(action, action)}.",
            )
        raise PermissionDenied("not_allowed", f"Bạn không có quyền {ACTION_LABELS.get(action, action)} đối với phiếu này.")
    fitting = [r for r in rows if r.commenter is None or r.commenter == facts.has_commenter]
    if not fitting:
        if role == COMMENTER:
            raise PermissionDenied("not_your_turn", "Phiếu này không có bước nhận xét của bạn.")
        raise PermissionDenied("not_your_turn", "Phiếu đang chờ lãnh đạo phụ trách nhận xét, chưa đến bước của bạn.")
    row = fitting[0]
    for guard in row.guards:
        if not guard.holds(facts):
            raise guard.error()
    return row


def transition(state: str, action: str, role: str, facts: Facts) -> str:
    """The state the sheet moves to when ``role`` does ``action`` now; raises a DomainError otherwise."""
    return row_for(state, action, role, facts).target(facts)


def check(state: str, action: str, role: str, facts: Facts) -> Optional[DomainError]:
    """The refusal ``transition`` would raise, or None."""
    try:
        row_for(state, action, role, facts)
    except DomainError as exc:
        return exc
    return None


def allowed_actions(state: str, role: str, facts: Facts) -> tuple[str, ...]:
    """The actions ``role`` may take now, in table order (the buttons to show)."""
    out: list[str] = []
    for action in ACTIONS:
        if action not in out and check(state, action, role, facts) is None:
            out.append(action)
    return tuple(out)


def sheet_roles(actor_id: Optional[int], owner_id: int, commenter_id: Optional[int], evaluator_id: Optional[int],
                admin_in_scope: bool = False) -> frozenset[str]:
    """The sheet-relative roles of a person (``actor_id`` None: the system)."""
    if actor_id is None:
        return frozenset({SYSTEM})
    roles = set()
    if actor_id == owner_id:
        roles.add(OWNER)
    if commenter_id is not None and actor_id == commenter_id:
        roles.add(COMMENTER)
    if evaluator_id is not None and actor_id == evaluator_id:
        roles.add(EVALUATOR)
    if admin_in_scope:
        roles.add(ADMIN)
    return frozenset(roles)


def pick_role(state: str, action: str, roles: Iterable[str], facts: Facts) -> str:
    """The one role under which a person holding ``roles`` does ``action``.

    The owner acts only as owner: a person routed to review their own sheet (or an admin reopening it)
    is refused ``self_review``. With several other roles (commenter and evaluator of one sheet), the one
    whose row applies is taken.
    """
    roles = frozenset(roles)
    if not roles:
        raise PermissionDenied("not_allowed", f"Bạn không có quyền {ACTION_LABELS.get(action, action)} đối với phiếu này.")
    if OWNER in roles:
        if any(r.action == action and r.role == OWNER for r in TABLE):
            return OWNER
        if roles - {OWNER}:
            raise PermissionDenied(*SELF_REVIEW)
        return OWNER
    candidates = [r for r in ROLES if r in roles]
    for role in candidates:
        if check(state, action, role, facts) is None:
            return role
    # None applies: report the refusal of the most specific role (the one with a row in this state).
    for role in candidates:
        if any(r.from_state == state and r.action == action and r.role == role for r in TABLE):
            return role
    return candidates[0]


def act(state: str, action: str, roles: Iterable[str], facts: Facts) -> tuple[str, str]:
    """(role acted as, new state) for a person holding ``roles``; raises like ``transition``."""
    role = pick_role(state, action, roles, facts)
    return role, transition(state, action, role, facts)


__all__ = [
    "DRAFT", "SUBMITTED", "COMMENTED", "FINALISED", "STATES", "STATE_LABELS",
    "SAVE_SELF", "SUBMIT", "RECALL", "SAVE_COMMENT", "COMMENT", "RETURN", "SAVE_FINAL", "FINALISE",
    "REOPEN", "AUTO_FORWARD", "REASSIGN", "ACTIONS", "ACTION_LABELS", "EVENT_LABELS",
    "OWNER", "COMMENTER", "EVALUATOR", "ADMIN", "SYSTEM", "ROLES", "ROLE_LABELS",
    "Facts", "Guard", "Row", "TABLE", "holder", "resets_opened", "row_for", "transition", "check",
    "allowed_actions", "sheet_roles", "pick_role", "act",
]
