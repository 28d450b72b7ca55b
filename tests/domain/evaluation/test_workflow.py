"""The transition table, exhaustively: every state × action × role × facts against an independent oracle.

The oracle below is written from EVAL_SPEC's prose and table by hand (if/elif), not from
``workflow.TABLE``, so a wrong row, a missing guard or a wrong refusal shows up as a mismatch.
"""
from __future__ import annotations

import itertools

import pytest

from app.domain.errors import Conflict, PermissionDenied, ValidationError
from app.domain.evaluation import workflow as wf
from app.domain.evaluation.periods import STEP_COMMENT, STEP_GRADING, STEP_SELF, STEPS

WINDOW_SETS = [frozenset(c) for n in range(4) for c in itertools.combinations(STEPS, n)]

ACTION_ROLE_STATES = {
    (wf.SAVE_SELF, wf.OWNER): {wf.DRAFT},
    (wf.SUBMIT, wf.OWNER): {wf.DRAFT},
    (wf.RECALL, wf.OWNER): {wf.SUBMITTED},
    (wf.SAVE_COMMENT, wf.COMMENTER): {wf.SUBMITTED},
    (wf.COMMENT, wf.COMMENTER): {wf.SUBMITTED},
    (wf.RETURN, wf.COMMENTER): {wf.SUBMITTED},
    (wf.RECALL, wf.COMMENTER): {wf.COMMENTED},
    (wf.SAVE_FINAL, wf.EVALUATOR): {wf.SUBMITTED, wf.COMMENTED},
    (wf.FINALISE, wf.EVALUATOR): {wf.SUBMITTED, wf.COMMENTED},
    (wf.RETURN, wf.EVALUATOR): {wf.SUBMITTED, wf.COMMENTED},
    (wf.REOPEN, wf.ADMIN): {wf.FINALISED},
    (wf.AUTO_FORWARD, wf.SYSTEM): {wf.DRAFT},
    (wf.REASSIGN, wf.ADMIN): {wf.DRAFT, wf.SUBMITTED, wf.COMMENTED},
}


def oracle(state, action, role, f: wf.Facts):
    """("ok", to_state) or (error class, code), from the spec."""
    if f.period_closed:
        return ValidationError, "period_closed"
    if (action, role) not in ACTION_ROLE_STATES:
        return PermissionDenied, "not_allowed"
    if state not in ACTION_ROLE_STATES[(action, role)]:
        return Conflict, "wrong_state"
    if role == wf.COMMENTER and not f.has_commenter:
        return PermissionDenied, "not_your_turn"
    if role == wf.EVALUATOR and state == wf.SUBMITTED and f.has_commenter:
        return PermissionDenied, "not_your_turn"
    self_open = STEP_SELF in f.open_windows
    comment_open = STEP_COMMENT in f.open_windows
    grading_open = STEP_GRADING in f.open_windows
    has_reason = bool(f.reason.strip())
    closed = (ValidationError, "window_closed")
    no_reason = (ValidationError, "reason_required")
    if action == wf.REASSIGN:
        return "ok", state
    if state == wf.DRAFT:
        if action == wf.SAVE_SELF:
            return ("ok", wf.DRAFT) if self_open else closed
        if action == wf.SUBMIT:
            return ("ok", wf.SUBMITTED) if self_open else closed
        if action == wf.AUTO_FORWARD:
            if self_open:
                return ValidationError, "window_not_over"
            return "ok", wf.COMMENTED if f.has_commenter else wf.SUBMITTED
    if state == wf.SUBMITTED:
        if action == wf.RECALL:
            return ("ok", wf.DRAFT) if not f.opened else (ValidationError, "already_opened")
        if action == wf.SAVE_COMMENT:
            return ("ok", wf.SUBMITTED) if comment_open else closed
        if action == wf.COMMENT:
            if not comment_open:
                return closed
            return ("ok", wf.COMMENTED) if f.text.strip() else (ValidationError, "comment_required")
        if action == wf.RETURN:
            return ("ok", wf.DRAFT) if has_reason else no_reason
        if action == wf.SAVE_FINAL:
            return ("ok", wf.SUBMITTED) if grading_open else closed
        if action == wf.FINALISE:
            return ("ok", wf.FINALISED) if grading_open else closed
    if state == wf.COMMENTED:
        if action == wf.RECALL:
            if f.opened:
                return ValidationError, "already_opened"
            if f.auto_forwarded:
                return ValidationError, "auto_forwarded"
            return "ok", wf.SUBMITTED
        if action == wf.SAVE_FINAL:
            return ("ok", wf.COMMENTED) if grading_open else closed
        if action == wf.FINALISE:
            return ("ok", wf.FINALISED) if grading_open else closed
        if action == wf.RETURN:
            if not has_reason:
                return no_reason
            return "ok", wf.SUBMITTED if f.has_commenter and not f.auto_forwarded else wf.DRAFT
    if state == wf.FINALISED and action == wf.REOPEN:
        if not has_reason:
            return no_reason
        return "ok", wf.COMMENTED if f.has_commenter else wf.SUBMITTED
    raise AssertionError(f"oracle has no answer for {state} {action} {role}")


def all_facts():
    for has_commenter, opened, windows, closed, auto, reason, text in itertools.product(
        (False, True), (False, True), WINDOW_SETS, (False, True), (False, True), ("", "  ", "Thiếu minh chứng"), ("", "Tốt"),
    ):
        yield wf.Facts(has_commenter, opened, windows, closed, auto, reason, text)


FACTS = list(all_facts())


def outcome(state, action, role, f):
    try:
        return "ok", wf.transition(state, action, role, f)
    except (ValidationError, PermissionDenied, Conflict) as exc:
        return type(exc), exc.code


@pytest.mark.parametrize("state", wf.STATES)
@pytest.mark.parametrize("action", wf.ACTIONS)
@pytest.mark.parametrize("role", wf.ROLES)
def test_every_case_matches_the_spec(state, action, role):
    mismatches = []
    for f in FACTS:
        got = outcome(state, action, role, f)
        want = oracle(state, action, role, f)
        if got != want:
            mismatches.append((f, got, want))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[0]}"


@pytest.mark.parametrize("state", wf.STATES)
@pytest.mark.parametrize("role", wf.ROLES)
def test_allowed_actions_are_exactly_the_successful_ones(state, role):
    for f in FACTS[::7]:
        expected = tuple(a for a in wf.ACTIONS if oracle(state, a, role, f)[0] == "ok")
        assert wf.allowed_actions(state, role, f) == expected


def test_every_row_of_the_table_is_used():
    used = set()
    for row in wf.TABLE:
        for f in FACTS:
            if outcome(row.from_state, row.action, row.role, f)[0] == "ok" and wf.row_for(row.from_state, row.action, row.role, f) is row:
                used.add(row)
                break
    assert used == set(wf.TABLE)


def test_refusals_carry_vietnamese_messages_and_fields():
    f = wf.Facts(has_commenter=True, open_windows=frozenset())
    with pytest.raises(ValidationError) as exc:
        wf.transition(wf.DRAFT, wf.SUBMIT, wf.OWNER, f)
    assert exc.value.message == "Đã hết thời hạn tự đánh giá."
    with pytest.raises(ValidationError) as exc:
        wf.transition(wf.SUBMITTED, wf.RETURN, wf.COMMENTER, f)
    assert exc.value.field == "reason" and exc.value.message == "Cần nêu lý do."
    with pytest.raises(Conflict) as exc:
        wf.transition(wf.SUBMITTED, wf.SUBMIT, wf.OWNER, f)
    assert "Đã gửi" in exc.value.message and exc.value.http_status == 409
    with pytest.raises(PermissionDenied) as exc:
        wf.transition(wf.SUBMITTED, wf.FINALISE, wf.EVALUATOR, f)
    assert exc.value.http_status == 403 and "nhận xét" in exc.value.message


# -- sheet-relative roles, self-review ------------------------------------------------------------------
def test_sheet_roles():
    assert wf.sheet_roles(None, 1, 2, 3) == {wf.SYSTEM}
    assert wf.sheet_roles(1, 1, 2, 3) == {wf.OWNER}
    assert wf.sheet_roles(2, 1, 2, 3) == {wf.COMMENTER}
    assert wf.sheet_roles(3, 1, 2, 3) == {wf.EVALUATOR}
    assert wf.sheet_roles(3, 1, 3, 3) == {wf.COMMENTER, wf.EVALUATOR}
    assert wf.sheet_roles(4, 1, None, 3, admin_in_scope=True) == {wf.ADMIN}
    assert wf.sheet_roles(4, 1, None, None) == frozenset()


@pytest.mark.parametrize("state,action,other", [
    (wf.SUBMITTED, wf.FINALISE, wf.EVALUATOR),
    (wf.COMMENTED, wf.SAVE_FINAL, wf.EVALUATOR),
    (wf.SUBMITTED, wf.COMMENT, wf.COMMENTER),
    (wf.FINALISED, wf.REOPEN, wf.ADMIN),
    (wf.DRAFT, wf.REASSIGN, wf.ADMIN),
])
def test_nobody_reviews_their_own_sheet(state, action, other):
    f = wf.Facts(has_commenter=other == wf.COMMENTER, open_windows=frozenset(STEPS), reason="x", text="x")
    with pytest.raises(PermissionDenied) as exc:
        wf.act(state, action, {wf.OWNER, other}, f)
    assert exc.value.code == "self_review" and exc.value.message == "Không ai tự đánh giá chính mình."
    # the same person still acts on their own sheet as its owner
    assert wf.act(wf.DRAFT, wf.SUBMIT, {wf.OWNER, other}, f) == (wf.OWNER, wf.SUBMITTED)


def test_one_person_both_commenter_and_evaluator_acts_in_the_role_that_applies():
    roles = {wf.COMMENTER, wf.EVALUATOR}
    f = wf.Facts(has_commenter=True, open_windows=frozenset(STEPS), text="Đồng ý", reason="Bổ sung")
    assert wf.act(wf.SUBMITTED, wf.COMMENT, roles, f) == (wf.COMMENTER, wf.COMMENTED)
    assert wf.act(wf.COMMENTED, wf.FINALISE, roles, f) == (wf.EVALUATOR, wf.FINALISED)
    assert wf.act(wf.COMMENTED, wf.RETURN, roles, f) == (wf.EVALUATOR, wf.SUBMITTED)
    with pytest.raises(PermissionDenied) as exc:  # no role fits: the refusal of the role with a row here
        wf.act(wf.SUBMITTED, wf.FINALISE, roles, f)
    assert exc.value.code == "not_your_turn"
    with pytest.raises(PermissionDenied):
        wf.act(wf.SUBMITTED, wf.FINALISE, set(), f)


# -- holder and "opened" --------------------------------------------------------------------------------
@pytest.mark.parametrize("state,has_commenter,expected", [
    (wf.DRAFT, True, wf.OWNER), (wf.DRAFT, False, wf.OWNER),
    (wf.SUBMITTED, True, wf.COMMENTER), (wf.SUBMITTED, False, wf.EVALUATOR),
    (wf.COMMENTED, True, wf.EVALUATOR), (wf.COMMENTED, False, wf.EVALUATOR),
    (wf.FINALISED, True, None), (wf.FINALISED, False, None),
])
def test_holder(state, has_commenter, expected):
    assert wf.holder(state, has_commenter) == expected


def test_opened_resets_when_the_sheet_changes_hands_only():
    assert not wf.resets_opened(wf.DRAFT, wf.DRAFT, True)  # save_self
    assert not wf.resets_opened(wf.COMMENTED, wf.COMMENTED, True)  # save_final
    assert wf.resets_opened(wf.DRAFT, wf.SUBMITTED, True)
    assert wf.resets_opened(wf.SUBMITTED, wf.COMMENTED, True)
    assert wf.resets_opened(wf.COMMENTED, wf.SUBMITTED, True)


def test_facts_without_windows_refuse_every_windowed_step():
    f = wf.Facts(has_commenter=False)
    for state, action, role in [(wf.DRAFT, wf.SAVE_SELF, wf.OWNER), (wf.SUBMITTED, wf.FINALISE, wf.EVALUATOR)]:
        with pytest.raises(ValidationError) as exc:
            wf.transition(state, action, role, f)
        assert exc.value.code == "window_closed"


def test_rows_name_the_checks_the_service_runs():
    checks = {(r.from_state, r.action, r.role): r.checks for r in wf.TABLE}
    assert checks[(wf.DRAFT, wf.SUBMIT, wf.OWNER)] == ("scores",)
    assert checks[(wf.COMMENTED, wf.FINALISE, wf.EVALUATOR)] == ("scores", "quota")
    assert checks[(wf.SUBMITTED, wf.FINALISE, wf.EVALUATOR)] == ("scores", "quota")
    assert {checks[(s, wf.REASSIGN, wf.ADMIN)] for s in (wf.DRAFT, wf.SUBMITTED, wf.COMMENTED)} == {("routing",)}


def test_labels_cover_every_state_action_and_role():
    assert set(wf.STATE_LABELS) == set(wf.STATES)
    assert set(wf.ACTION_LABELS) == set(wf.ACTIONS) == set(wf.EVENT_LABELS)
    assert set(wf.ROLE_LABELS) == set(wf.ROLES)
