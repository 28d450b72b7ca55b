"""Account lifecycle (letter 875-CV/HU): password windows, locks, failed sign-ins, chosen passwords."""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Optional

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain import accounts as rules
from app.domain.errors import DomainError, PermissionDenied, ValidationError
from app.domain.scope import Actor, check_person_change, require_actor
from app.models import AuthSession, SignInAttempt, Staff
from app.services import audit, clock, passwords, sessions
from app.services.reach import facts_before
from app.settings import settings


def policy() -> rules.LifecyclePolicy:
    """The district's lifecycle policy, from the settings."""
    s = settings()
    return rules.LifecyclePolicy(
        change_within_days=s.password_change_days,
        district_deadline=s.password_deadline,
        max_failed_logins=s.max_failed_logins,
        min_strength=s.password_min_score,
    )


def state_of(person: Staff) -> rules.AccountState:
    """The person's lifecycle state under the policy in force now (a deadline set later applies too)."""
    return rules.AccountState(
        must_change_password=bool(person.must_change_password),
        password_due=rules.effective_due(person.password_change_due, person.password_issued_at, policy())
        if person.must_change_password else person.password_change_due,
        locked_reason=person.lock_reason,
        failed_logins=person.fail_login_count or 0,
    )


def apply_state(person: Staff, state: rules.AccountState, now: dt.datetime, session=None) -> None:
    """Write a lifecycle state onto the person's columns. A lock deactivates and signs out everywhere."""
    was_locked = person.lock_reason is not None
    person.must_change_password = state.must_change_password
    person.password_change_due = state.password_due
    person.fail_login_count = state.failed_logins
    person.lock_reason = state.locked_reason
    if state.locked and not was_locked:
        person.locked_at = now
        person.active = False
        _end_sessions(session, person, "account_locked")
    elif not state.locked and was_locked:
        person.locked_at = None
        person.active = True


def _end_sessions(session, person: Staff, reason: str, keep: Optional[AuthSession] = None) -> None:
    """Sign the person out everywhere: every cookie and token of theirs stops working."""
    if session is None:
        person.session_version = (person.session_version or 0) + 1
    else:
        sessions.end_all(session, person, reason, keep=keep)


def start_password_window(person: Staff, now: dt.datetime) -> None:
    """A one-time password was just issued: open a new window, unlock, reset the counter."""
    person.password_issued_at = now
    apply_state(person, rules.after_reset(now, policy()), now)  # unlocking never signs out: no session needed


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
    apply_state(person, after, now, session)
    audit.record(session, "login_failed", actor=person, target=person, detail={"lan": after.failed_logins})
    if after.locked and not before.locked:
        audit.record(session, "account_locked", actor=None, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[after.locked_reason]})


def find_by_username(session, username: str) -> Optional[Staff]:
    return session.scalar(select(Staff).where(func.lower(Staff.username) == (username or "").strip().lower()))


INVALID_LOGIN = ("invalid_login", "Tên đăng nhập hoặc mật khẩu không đúng.")


def refusal_message(session, username: str, password: str) -> Optional[DomainError]:
    """Why a known account with the right password may not sign in (locked), or None.

    The lock is only revealed to someone who knows the password, so the sign-in page never tells a
    stranger which usernames exist or are locked.
    """
    person = find_by_username(session, username)
    if person is None or person.active or not person.password or not check_password_hash(person.password, password):
        return None
    audit.record(session, "login_refused_locked", actor=person, target=person)
    if person.lock_reason:
        return rules.AccountLockedError(person.lock_reason)
    return PermissionDenied("account_disabled", "Tài khoản đang bị vô hiệu hóa. Vui lòng liên hệ quản trị viên đơn vị.")


# -- sign-in throttling (a table, so it holds across gunicorn workers; only failures count) ----------
def throttle_policy() -> rules.ThrottlePolicy:
    s = settings()
    return rules.ThrottlePolicy(window_minutes=s.signin_window_minutes, per_account=s.signin_failures_per_account,
                                per_address=s.signin_failures_per_address)


def _username_key(username: Optional[str]) -> str:
    return (username or "").strip().lower()[:128]


def sign_in_throttle(session, ip: Optional[str], username: Optional[str]) -> Optional[rules.TooManyAttempts]:
    """A refusal when this account or this address failed too often in the window, else None.

    Checked before the password, so a throttled guess learns nothing. Two indexed counts.
    """
    limits = throttle_policy()
    now = clock.now()
    since = now - dt.timedelta(minutes=limits.window_minutes)
    name = _username_key(username)
    where = {
        "account": (SignInAttempt.username == name) if name else None,
        "address": (SignInAttempt.ip == ip) if ip else None,
    }

    def count(kind: str) -> int:
        if where[kind] is None:
            return 0
        return session.scalar(select(func.count(SignInAttempt.id)).where(where[kind], SignInAttempt.at >= since)) or 0

    def retry_after(kind: str) -> int:
        """Seconds until the oldest failure that keeps the count at its limit leaves the window."""
        limit = limits.per_account if kind == "account" else limits.per_address
        at = session.scalar(select(SignInAttempt.at).where(where[kind], SignInAttempt.at >= since)
                            .order_by(SignInAttempt.at.desc()).offset(limit - 1).limit(1))
        if at is None:
            return 60
        return max(1, int((at + dt.timedelta(minutes=limits.window_minutes) - now).total_seconds()))

    return rules.throttle_refusal(count("account"), count("address"), limits, retry_after)


def record_failed_attempt(session, ip: Optional[str], username: str) -> None:
    session.add(SignInAttempt(at=clock.now(), ip=(ip or "?")[:64], username=_username_key(username)))


def purge_attempts(session, older_than_days: int = 1) -> int:
    """Delete failed sign-ins older than a day (a daily cron); the window is minutes long."""
    cutoff = clock.now() - dt.timedelta(days=older_than_days)
    n = session.execute(delete(SignInAttempt).where(SignInAttempt.at < cutoff)).rowcount
    return n or 0


def check_at_sign_in(session, person: Staff) -> rules.SignInDecision:
    """The password was right: apply the lifecycle (an overdue window locks now)."""
    now = clock.now()
    decision = rules.check_sign_in(state_of(person), now, policy())
    if decision.changed or decision.state.password_due != person.password_change_due:
        apply_state(person, decision.state, now, session)
    if decision.outcome == rules.SignInOutcome.NEWLY_LOCKED:
        audit.record(session, "account_locked", actor=None, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[decision.reason]})
        audit.record(session, "login_refused_locked", actor=person, target=person)
    elif decision.allowed:
        audit.record(session, "login_ok", actor=person, target=person)
    return decision


# -- choosing, changing, resetting, locking ---------------------------------------------------------
def places_of(person: Optional[Staff] = None) -> list[str]:
    """Names a person's password must not lean on: the district suffix and name, their unit and department."""
    s = settings()
    names = [s.account_suffix, s.org_name]
    if person is not None:
        names += [org.name for org in (person.unit, person.department) if org is not None and org.name]
    return names


def password_problems(new: str, username: str, full_name: str, places: Iterable[str], same_as_current: bool = False,
                      is_initial: bool = False) -> list[str]:
    """Every Vietnamese reason to refuse a password someone chose (rules and the strength estimator)."""
    return rules.validate_new_password(new or "", username or "", same_as_current, is_initial, policy(),
                                       estimate=passwords.estimate, full_name=full_name or "", places=places)


WRONG_CURRENT = "wrong_current_password"


def change_password(session, person: Staff, current: str, new: str, confirm: str,
                    keep: Optional[AuthSession] = None) -> None:
    """The person chooses a new password (slow hash). Raises a DomainError listing every problem.

    A wrong current password is refused with code ``wrong_current_password``: the caller then counts it
    with :func:`count_wrong_current_password` in its own unit of work (this one is rolled back). Every other
    session of the person ends; ``keep`` (the one they are using) goes on.
    """
    problems = []
    wrong_current = not person.password or not check_password_hash(person.password, current or "")
    if wrong_current:
        problems.append("Mật khẩu hiện tại không đúng.")
    if new != confirm:
        problems.append("Mật khẩu nhập lại không khớp.")
    same = bool(person.password) and check_password_hash(person.password, new or "")
    problems += password_problems(new, person.username, person.full_name, places_of(person), same,
                                  bool(person.must_change_password))
    if problems:
        code = WRONG_CURRENT if wrong_current else "password"
        raise audit.refusal(session, ValidationError.of(code, problems, "current" if wrong_current else "new"),
                            "password_change_failed", actor=person, target=person, detail={"loi": problems})
    now = clock.now()
    state = rules.after_password_changed(state_of(person))
    person.password = generate_password_hash(new)
    apply_state(person, state, now, session)
    _end_sessions(session, person, "password_changed", keep=keep)
    audit.record(session, "password_changed", actor=person, target=person)


def count_wrong_current_password(session, person: Staff, ip: Optional[str]) -> str:
    """A wrong current password on the change form counts as a failed sign-in: the same lock after
    MAX_FAILED_LOGINS in a row, the same throttle. Returns what to tell the person."""
    before = state_of(person)
    after = rules.after_failed_login(before, policy())
    apply_state(person, after, clock.now(), session)
    record_failed_attempt(session, ip, person.username)
    audit.record(session, "login_failed", actor=person, target=person,
                 detail={"lan": after.failed_logins, "nguon": "doi_mat_khau"})
    if after.locked and not before.locked:
        audit.record(session, "account_locked", actor=None, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[after.locked_reason]})
    return rules.failed_login_warning(after.failed_logins, policy())


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
    _end_sessions(session, person, "password_reset")
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
        apply_state(person, state, now, session)
        audit.record(session, "account_locked", actor=actor_user if actor_user is not None else actor, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[state.locked_reason]})


def lock_expired(session) -> int:
    """Lock every account whose change window has passed (a daily cron). Returns how many."""
    now = clock.now()
    pending = select(Staff).where(Staff.must_change_password.is_(True), Staff.lock_reason.is_(None))
    deadline = policy().district_deadline
    if deadline is None or rules.end_of_day(deadline, now) >= now:
        pending = pending.where(Staff.password_change_due < now)  # else the deadline has passed: check everyone
    locked = 0
    for person in session.scalars(pending).all():
        decision = rules.check_sign_in(state_of(person), now, policy())
        if decision.outcome == rules.SignInOutcome.NEWLY_LOCKED:
            apply_state(person, decision.state, now, session)
            audit.record(session, "account_locked", actor=None, target=person,
                         detail={"ly_do": rules.LOCK_REASONS[decision.reason], "nguon": "lock-expired"})
            locked += 1
    return locked


def check_session(session, person: Staff) -> rules.SignInDecision:
    """Re-check a signed-in person whose password change is pending; lock when overdue."""
    now = clock.now()
    decision = rules.check_sign_in(state_of(person), now, policy())
    if decision.outcome == rules.SignInOutcome.NEWLY_LOCKED:
        apply_state(person, decision.state, now, session)
        audit.record(session, "account_locked", actor=None, target=person,
                     detail={"ly_do": rules.LOCK_REASONS[decision.reason]})
    return decision
