"""Account lifecycle (letter 875-CV/HU): password windows, locks, failed sign-ins."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import accounts as rules
from app.domain.errors import PermissionDenied, ValidationError
from app.domain.scope import Actor, check_person_change, require_actor
from app.models import SignInAttempt, Staff
from app.services import audit, clock
from app.services.reach import facts_before
from app.settings import settings


def policy() -> rules.LifecyclePolicy:
    """The district's lifecycle policy, from the settings."""
    s = settings()
    return rules.LifecyclePolicy(
        change_within_days=s.password_change_days,
        district_deadline=s.password_deadline,
        max_failed_logins=s.max_failed_logins,
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


def issue_initial_password(person: Staff, now: Optional[dt.datetime] = None) -> str:
    """Give the person a new one-time password that must be changed; return it in clear, once."""
    password = rules.generate_initial_password()
    person.password = generate_password_hash(password, method=rules.INITIAL_PASSWORD_HASH_METHOD)
    start_password_window(person, now or clock.now())
    return password


def register_failed_login(session, person: Staff) -> None:
    """FAB has counted a wrong password; lock at the threshold and log."""
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


def find_by_username(session, username: str) -> Optional[Staff]:
    return session.scalar(select(Staff).where(func.lower(Staff.username) == (username or "").strip().lower()))


def refusal_message(session, username: str, password: str) -> Optional[str]:
    """Why a known account with the right password may not sign in (locked), or None.

    The lock is only revealed to someone who knows the password, so the sign-in page never tells a
    stranger which usernames exist or are locked.
    """
    person = find_by_username(session, username)
    if person is None or person.active or not person.password or not check_password_hash(person.password, password):
        return None
    audit.record(session, "login_refused_locked", actor=person, target=person)
    if person.lock_reason:
        return rules.lock_message(person.lock_reason)
    return "Tài khoản đang bị vô hiệu hóa. Vui lòng liên hệ quản trị viên đơn vị."


# -- sign-in throttling by address (a table, so it holds across gunicorn workers) -----------------
def throttle_settings() -> tuple[int, int]:
    cfg = current_app.config
    return int(cfg.get("SIGNIN_MAX_FAILURES_PER_IP", 20)), int(cfg.get("SIGNIN_WINDOW_MINUTES", 15))


def address_blocked(session, ip: Optional[str]) -> Optional[str]:
    """A Vietnamese refusal when this address failed too often recently, else None."""
    if not ip:
        return None
    limit, minutes = throttle_settings()
    since = clock.now() - dt.timedelta(minutes=minutes)
    failures = session.scalar(select(func.count(SignInAttempt.id)).where(SignInAttempt.ip == ip, SignInAttempt.at >= since))
    if failures >= limit:
        return (f"Đăng nhập sai quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau {minutes} phút "
                "hoặc liên hệ quản trị viên đơn vị.")
    return None


def record_failed_attempt(session, ip: Optional[str], username: str) -> None:
    session.add(SignInAttempt(at=clock.now(), ip=ip or "?", username=(username or "")[:128]))


def purge_attempts(session, older_than_days: int = 1) -> int:
    cutoff = clock.now() - dt.timedelta(days=older_than_days)
    n = session.execute(delete(SignInAttempt).where(SignInAttempt.at < cutoff)).rowcount
    return n or 0


def check_at_sign_in(session, person: Staff) -> rules.SignInDecision:
    """The password was right: apply the lifecycle (an overdue window locks now)."""
    now = clock.now()
    decision = rules.check_sign_in(state_of(person), now, policy())
    if decision.changed:
        apply_state(person, decision.state, now)
    if decision.outcome == rules.SignInOutcome.NEWLY_LOCKED:
        audit.record(session, "account_locked", actor=None, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[decision.reason]})
        audit.record(session, "login_refused_locked", actor=person, target=person)
    elif decision.allowed:
        audit.record(session, "login_ok", actor=person, target=person)
    return decision


# -- changing, resetting, locking ------------------------------------------------------------------
def change_password(session, person: Staff, current: str, new: str, confirm: str) -> None:
    """The person chooses a new password (slow hash). Raises a DomainError listing every problem."""
    problems = []
    if not person.password or not check_password_hash(person.password, current or ""):
        problems.append("Mật khẩu hiện tại không đúng.")
    if new != confirm:
        problems.append("Mật khẩu nhập lại không khớp.")
    same = bool(person.password) and check_password_hash(person.password, new or "")
    problems += rules.validate_new_password(new or "", person.username, same, bool(person.must_change_password), policy())
    if problems:
        raise audit.refusal(session, ValidationError.of("password", problems, "new"), "password_change_failed",
                            actor=person, target=person, detail={"loi": problems})
    now = clock.now()
    state = rules.after_password_changed(state_of(person))
    person.password = generate_password_hash(new)
    apply_state(person, state, now)
    person.session_version = (person.session_version or 0) + 1  # other sessions of this person end
    audit.record(session, "password_changed", actor=person, target=person)


def _check_can_manage(session, actor: Actor, person: Staff, what: str) -> None:
    """Refuse (and log the attempt) when the actor may not reset or lock this person (``SYSTEM`` for commands)."""
    require_actor(actor)
    facts = facts_before(session, person)
    problems = check_person_change(actor, facts, facts)
    if actor.id == person.id:
        problems.append("Không thể tự cấp lại hoặc khóa tài khoản của chính mình; hãy dùng chức năng đổi mật khẩu.")
    if problems:
        actor_user = session.get(Staff, actor.id) if actor.id else None
        raise audit.refusal(session, PermissionDenied.of("scope", problems), "access_denied", actor=actor_user,
                            target=person, detail={"thao_tac": what, "ly_do": problems})


def reset_password(session, person: Staff, actor: Actor, actor_user=None) -> str:
    """A new one-time password and a new window; unlocks; signs the person out everywhere.

    Returns the password in clear, to be shown once.
    """
    _check_can_manage(session, actor, person, "password_reset")
    was_locked = person.lock_reason is not None or not person.active
    password = issue_initial_password(person, clock.now())
    person.active = True
    person.session_version = (person.session_version or 0) + 1
    who = actor_user if actor_user is not None else actor
    audit.record(session, "password_reset", actor=who, target=person)
    if was_locked:
        audit.record(session, "account_unlocked", actor=who, target=person)
    return password


def lock_account(session, person: Staff, actor: Actor, actor_user=None) -> None:
    """An administrator locks an account (only a reset unlocks it)."""
    _check_can_manage(session, actor, person, "account_locked")
    now = clock.now()
    state = rules.after_admin_lock(state_of(person))
    if state.locked_reason != person.lock_reason:
        apply_state(person, state, now)
        audit.record(session, "account_locked", actor=actor_user if actor_user is not None else actor, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[state.locked_reason]})


def lock_expired(session) -> int:
    """Lock every account whose change window has passed (a daily cron). Returns how many."""
    now = clock.now()
    due = session.scalars(
        select(Staff).where(Staff.must_change_password.is_(True), Staff.lock_reason.is_(None),
                            Staff.password_change_due < now)
    ).all()
    for person in due:
        decision = rules.check_sign_in(state_of(person), now, policy())
        if decision.outcome == rules.SignInOutcome.NEWLY_LOCKED:
            apply_state(person, decision.state, now)
            audit.record(session, "account_locked", actor=None, target=person,
                         detail={"ly_do": rules.LOCK_REASONS[decision.reason], "nguon": "lock-expired"})
    return len(due)


def check_session(session, person: Staff) -> rules.SignInDecision:
    """Re-check a signed-in person whose password change is pending; lock when overdue."""
    now = clock.now()
    decision = rules.check_sign_in(state_of(person), now, policy())
    if decision.outcome == rules.SignInOutcome.NEWLY_LOCKED:
        apply_state(person, decision.state, now)
        audit.record(session, "account_locked", actor=None, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[decision.reason]})
    return decision
