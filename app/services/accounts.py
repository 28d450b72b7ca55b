"""Account lifecycle (letter 875-CV/HU): password windows, locks, failed sign-ins."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask import current_app
from sqlalchemy import func, select

from app.domain import accounts as rules
from app.models import Staff
from app.services import audit, clock


def policy() -> rules.LifecyclePolicy:
    """The district's lifecycle policy, from the app config."""
    cfg = current_app.config
    deadline = cfg.get("PASSWORD_DEADLINE")
    if isinstance(deadline, str):
        deadline = dt.date.fromisoformat(deadline)
    return rules.LifecyclePolicy(
        change_within_days=int(cfg.get("PASSWORD_CHANGE_DAYS", 5)),
        district_deadline=deadline,
        max_failed_logins=int(cfg.get("MAX_FAILED_LOGINS", 5)),
    )


def state_of(person: Staff) -> rules.AccountState:
    return rules.AccountState(
        must_change_password=bool(person.must_change_password),
        password_due=person.password_change_due,
        locked_reason=person.lock_reason,
        failed_logins=person.fail_login_count or 0,
    )


def apply_state(person: Staff, state: rules.AccountState, now: dt.datetime) -> None:
    """Write a lifecycle state onto the person's columns. A lock deactivates and signs out everywhere."""
    was_locked = person.lock_reason is not None
    person.must_change_password = state.must_change_password
    person.password_change_due = state.password_due
    person.fail_login_count = state.failed_logins
    person.lock_reason = state.locked_reason
    if state.locked and not was_locked:
        person.locked_at = now
        person.active = False
        person.session_version = (person.session_version or 0) + 1
    elif not state.locked and was_locked:
        person.locked_at = None
        person.active = True


def start_password_window(person: Staff, now: dt.datetime) -> None:
    """A one-time password was just issued: open a new window, unlock, reset the counter."""
    person.password_issued_at = now
    apply_state(person, rules.after_reset(now, policy()), now)


def register_failed_login(session, person: Staff) -> None:
    """FAB has counted a wrong password; lock at the threshold and log. Commits."""
    now = clock.now()
    before = state_of(person)
    # FAB already incremented fail_login_count: count from the value before it.
    before = rules.AccountState(before.must_change_password, before.password_due, before.locked_reason,
                                max(before.failed_logins - 1, 0))
    after = rules.after_failed_login(before, policy())
    apply_state(person, after, now)
    audit.record(session, "login_failed", actor=person, target=person, detail={"lan": after.failed_logins})
    if after.locked and not before.locked:
        audit.record(session, "account_locked", actor=None, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[after.locked_reason]})
    session.commit()


def refusal_message(session, username: str) -> Optional[str]:
    """Why a known account may not sign in (locked), or None for a plain wrong password."""
    person = session.scalar(select(Staff).where(func.lower(Staff.username) == username.strip().lower()))
    if person is None:
        return None
    if person.lock_reason:
        audit.record(session, "login_refused_locked", actor=person, target=person, commit=True)
        return rules.lock_message(person.lock_reason)
    if not person.active:
        return "Tài khoản đang bị vô hiệu hóa. Vui lòng liên hệ quản trị viên đơn vị."
    return None


def check_session(session, person: Staff) -> rules.SignInDecision:
    """Re-check a signed-in person whose password change is pending; lock when overdue. Commits a lock."""
    now = clock.now()
    decision = rules.check_sign_in(state_of(person), now, policy())
    if decision.outcome == rules.SignInOutcome.NEWLY_LOCKED:
        apply_state(person, decision.state, now)
        audit.record(session, "account_locked", actor=None, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[decision.reason]})
        session.commit()
    return decision
