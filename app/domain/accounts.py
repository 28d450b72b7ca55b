"""Account lifecycle of letter 875-CV/HU: forced password change, automatic locks, resets, password rules.

Every new account, and every account whose password an administrator resets, receives a one-time password
that must be changed within ``change_within_days`` days (default 5); otherwise the account locks by itself.
A district may also set one date by which everybody must have changed. A locked person goes to the unit
administrator, whose reset issues a new one-time password and a new window. After ``max_failed_logins``
consecutive wrong passwords (default 5) the account locks until an administrator resets it.

Pure rules only: no clock (every function takes ``now``), no database, no hashing. Times are compared as
given, so callers pass datetimes in one convention throughout: either naive local time of the district
(Asia/Ho_Chi_Minh) or timezone-aware datetimes. The district deadline is a calendar date and is read in the
timezone of the datetime it is combined with.
"""
from __future__ import annotations

import math
import os
import re
import secrets
import string
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Callable, Iterable, Optional, Protocol, Sequence

from app.domain.errors import DomainError, PermissionDenied
from app.domain.text import fold

# --------------------------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LifecyclePolicy:
    """The district's settings for the account lifecycle (defaults from letter 875-CV/HU)."""

    change_within_days: int = 5
    district_deadline: date | None = None
    max_failed_logins: int = 5
    min_length: int = 8
    min_strength: int = 3  # strength estimator score 0..4 a chosen password must reach

    def __post_init__(self) -> None:
        if self.change_within_days < 1:
            raise ValueError("change_within_days must be at least 1")
        if self.max_failed_logins < 1:
            raise ValueError("max_failed_logins must be at least 1")
        if self.min_length < 1:
            raise ValueError("min_length must be at least 1")
        if not 0 <= self.min_strength <= 4:
            raise ValueError("min_strength must be between 0 and 4")


DEFAULT_POLICY = LifecyclePolicy()


# --------------------------------------------------------------------------------------------------------------
# Time windows
# --------------------------------------------------------------------------------------------------------------

_ONE_DAY = timedelta(days=1)


def end_of_day(day: date, like: datetime | None = None) -> datetime:
    """The last instant of ``day`` (23:59:59.999999), in the timezone of ``like`` (naive if ``like`` is)."""
    return datetime.combine(day, time.max, tzinfo=like.tzinfo if like is not None else None)


def password_change_due(issued_at: datetime, policy: LifecyclePolicy = DEFAULT_POLICY) -> datetime:
    """The moment by which a password issued at ``issued_at`` must have been changed.

    Rule:
      * normally ``issued_at + policy.change_within_days`` days;
      * if the district has set a deadline date and the password was issued before that deadline
        (i.e. before the end of the deadline day, 23:59:59.999999 — so an account issued on the deadline
        day itself is still bound by it), the due moment is
        ``min(issued_at + change_within_days days, end of the deadline day)``;
      * a password issued after the district deadline has passed just gets the normal window.

    The deadline date is read in the timezone of ``issued_at``.
    """
    due = issued_at + timedelta(days=policy.change_within_days)
    if policy.district_deadline is not None:
        deadline_end = end_of_day(policy.district_deadline, issued_at)
        if issued_at <= deadline_end:
            due = min(due, deadline_end)
    return due


def effective_due(due: datetime | None, issued_at: datetime | None,
                  policy: LifecyclePolicy = DEFAULT_POLICY) -> datetime | None:
    """The due moment of a pending change under the policy in force now, not the one at issue time.

    A district deadline set (or brought forward) after the password was issued applies too: a password
    issued before the end of the deadline day is due by then at the latest. A password issued after the
    deadline keeps its own window. ``issued_at`` unknown (older rows): the deadline applies.
    """
    if due is None or policy.district_deadline is None:
        return due
    deadline_end = end_of_day(policy.district_deadline, due)
    if issued_at is not None and issued_at > deadline_end:
        return due
    return min(due, deadline_end)


def days_left(due: datetime, now: datetime) -> int:
    """Whole days left until ``due``, a partial day counting as one; 0 at or after ``due``."""
    remaining = due - now
    if remaining <= timedelta(0):
        return 0
    return math.ceil(remaining / _ONE_DAY)


def is_overdue(due: datetime, now: datetime) -> bool:
    """True once ``now`` is strictly after ``due`` (the due moment itself is still in time)."""
    return now > due


# --------------------------------------------------------------------------------------------------------------
# Lock reasons and messages
# --------------------------------------------------------------------------------------------------------------

PASSWORD_NOT_CHANGED = "password_not_changed"
TOO_MANY_FAILED_LOGINS = "too_many_failed_logins"
LOCKED_BY_ADMIN = "admin"

LOCK_REASONS: dict[str, str] = {
    PASSWORD_NOT_CHANGED: "Quá hạn đổi mật khẩu được cấp",
    TOO_MANY_FAILED_LOGINS: "Nhập sai mật khẩu quá số lần cho phép",
    LOCKED_BY_ADMIN: "Bị quản trị viên khóa",
}

_CONTACT_UNIT_ADMIN = "Vui lòng liên hệ quản trị viên đơn vị để được cấp lại mật khẩu."


def lock_message(reason: str | None) -> str:
    """The Vietnamese message shown to a person whose account is locked for ``reason``."""
    label = LOCK_REASONS.get(reason or "")
    if label is None:
        return f"Tài khoản đã bị khóa. {_CONTACT_UNIT_ADMIN}"
    return f"Tài khoản đã bị khóa. Lý do: {label}. {_CONTACT_UNIT_ADMIN}"


def must_change_message(due: datetime | None, now: datetime) -> str:
    """The Vietnamese message on the forced change-password page."""
    text = "Bạn phải đổi mật khẩu được cấp trước khi sử dụng hệ thống."
    if due is None:
        return text
    return (
        f"{text} Thời hạn: {due:%H:%M} ngày {due:%d/%m/%Y} (còn {days_left(due, now)} ngày); "
        "quá hạn tài khoản sẽ tự động bị khóa."
    )


# --------------------------------------------------------------------------------------------------------------
# Account state and transitions
# --------------------------------------------------------------------------------------------------------------


@dataclass
class AccountState:
    """What the lifecycle needs to know about one account (the caller maps it to and from its columns).

    Transitions never mutate a state: they return a new one.
    """

    must_change_password: bool
    password_due: datetime | None
    locked_reason: str | None  # a key of LOCK_REASONS, or None when the account is usable
    failed_logins: int  # consecutive wrong passwords since the last success or reset

    @property
    def locked(self) -> bool:
        return self.locked_reason is not None


class SignInOutcome(StrEnum):
    ALLOWED = "allowed"  # go ahead
    MUST_CHANGE = "must_change"  # signed in, but only the change-password page until the password is changed
    LOCKED = "locked"  # already locked: refuse
    NEWLY_LOCKED = "newly_locked"  # the change window has just been found overdue: lock now, persist, refuse


@dataclass(frozen=True)
class SignInDecision:
    """The result of :func:`check_sign_in`.

    ``state`` is the account state after the decision; when ``changed`` is true the caller persists it
    (a new lock, or a failed-login counter set back to 0).
    """

    outcome: SignInOutcome
    state: AccountState
    changed: bool
    reason: str | None = None  # lock reason key when locked / newly locked
    message: str | None = None  # Vietnamese text to show, None when there is nothing to say
    due: datetime | None = None  # the change deadline when the password must be changed
    days_left: int | None = None

    @property
    def allowed(self) -> bool:
        """True when the person may have a session (possibly restricted to the change-password page)."""
        return self.outcome in (SignInOutcome.ALLOWED, SignInOutcome.MUST_CHANGE)


def check_sign_in(
    state: AccountState, now: datetime, policy: LifecyclePolicy = DEFAULT_POLICY
) -> SignInDecision:
    """Decide what happens when a person presents the right password at ``now``.

    Call it after the password has been verified (a wrong password goes to :func:`after_failed_login`), and
    again on every request of a session that is still forced to change its password, so that a window
    running out during a session locks too. Order: an existing lock wins; then an overdue change window
    locks the account with ``password_not_changed``; then a pending change forces the change-password page;
    otherwise the sign-in is allowed. A successful sign-in sets the failed-login counter back to 0.
    """
    if state.locked_reason is not None:
        return SignInDecision(
            SignInOutcome.LOCKED,
            state,
            changed=False,
            reason=state.locked_reason,
            message=lock_message(state.locked_reason),
        )
    if state.must_change_password and state.password_due is not None and is_overdue(state.password_due, now):
        new_state = replace(state, locked_reason=PASSWORD_NOT_CHANGED)
        return SignInDecision(
            SignInOutcome.NEWLY_LOCKED,
            new_state,
            changed=True,
            reason=PASSWORD_NOT_CHANGED,
            message=lock_message(PASSWORD_NOT_CHANGED),
            due=state.password_due,
            days_left=0,
        )
    new_state = replace(state, failed_logins=0) if state.failed_logins else state
    changed = new_state is not state
    if state.must_change_password:
        due = state.password_due
        return SignInDecision(
            SignInOutcome.MUST_CHANGE,
            new_state,
            changed=changed,
            message=must_change_message(due, now),
            due=due,
            days_left=days_left(due, now) if due is not None else None,
        )
    return SignInDecision(SignInOutcome.ALLOWED, new_state, changed=changed)


def after_failed_login(state: AccountState, policy: LifecyclePolicy = DEFAULT_POLICY) -> AccountState:
    """One more wrong password: count it, and lock with ``too_many_failed_logins`` at the threshold.

    An account that is already locked keeps its original reason.
    """
    failed = state.failed_logins + 1
    reason = state.locked_reason
    if reason is None and failed >= policy.max_failed_logins:
        reason = TOO_MANY_FAILED_LOGINS
    return replace(state, failed_logins=failed, locked_reason=reason)


class AccountLockedError(PermissionDenied):
    """A change was attempted on a locked account."""

    default_code = "account_locked"

    def __init__(self, reason: str | None) -> None:
        self.reason = reason
        super().__init__(None, lock_message(reason))


class TooManyAttempts(DomainError):
    """Too many failed sign-ins recently (from one address, or on one account): wait. HTTP 429."""

    http_status = 429
    default_code = "too_many_attempts"

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(None, message)


@dataclass(frozen=True)
class ThrottlePolicy:
    """Failed sign-ins counted in a sliding window; successes never count."""

    window_minutes: int = 15
    per_account: int = 10
    per_address: int = 100


def throttle_refusal(failures_account: int, failures_address: int, policy: ThrottlePolicy,
                     retry_after_seconds: Callable[[str], int]) -> TooManyAttempts | None:
    """Refuse a sign-in attempt before the password is checked when either count reached its limit.

    The account limit says the same for an unknown username as for a real one (nothing is revealed);
    ``retry_after_seconds("account"|"address")`` tells when the window frees a slot.
    """
    if failures_account >= policy.per_account:
        wait = retry_after_seconds("account")
        return TooManyAttempts(
            f"Tài khoản này đã đăng nhập sai {failures_account} lần trong {policy.window_minutes} phút qua. "
            f"Vui lòng thử lại sau {_minutes(wait)} phút, hoặc liên hệ quản trị viên đơn vị nếu quên mật khẩu.",
            wait,
        )
    if failures_address >= policy.per_address:
        wait = retry_after_seconds("address")
        return TooManyAttempts(
            f"Đăng nhập sai quá nhiều lần từ địa chỉ này ({failures_address} lần trong {policy.window_minutes} phút). "
            f"Vui lòng thử lại sau {_minutes(wait)} phút hoặc liên hệ quản trị viên đơn vị.",
            wait,
        )
    return None


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def failed_login_warning(failed: int, policy: LifecyclePolicy = DEFAULT_POLICY) -> str:
    """What a person who typed a wrong current password is told: how many tries are left before the lock."""
    left = policy.max_failed_logins - failed
    if left <= 0:
        return lock_message(TOO_MANY_FAILED_LOGINS)
    return (f"Mật khẩu hiện tại không đúng. Còn {left} lần thử; nhập sai {policy.max_failed_logins} lần liên tiếp "
            "tài khoản sẽ bị khóa.")


def sign_in_notice(policy: LifecyclePolicy = DEFAULT_POLICY) -> str:
    """The line on the sign-in page."""
    return f"Nhập sai mật khẩu {policy.max_failed_logins} lần liên tiếp, tài khoản sẽ bị khóa."


def after_password_changed(state: AccountState) -> AccountState:
    """The person chose a new password: no pending change, no due date, counter back to 0.

    A locked account cannot change its password (only an administrator's reset unlocks it): raises
    :class:`AccountLockedError`. Run :func:`check_sign_in` first so an overdue window locks before this.
    """
    if state.locked_reason is not None:
        raise AccountLockedError(state.locked_reason)
    return replace(state, must_change_password=False, password_due=None, failed_logins=0)


def after_reset(now: datetime, policy: LifecyclePolicy = DEFAULT_POLICY) -> AccountState:
    """A new one-time password was issued at ``now`` (a reset, or a brand-new account).

    Unlocks, sets the counter to 0, and opens a new change window from ``now``.
    """
    return AccountState(
        must_change_password=True,
        password_due=password_change_due(now, policy),
        locked_reason=None,
        failed_logins=0,
    )


def after_admin_lock(state: AccountState) -> AccountState:
    """An administrator locks the account (an existing lock keeps its reason)."""
    if state.locked_reason is not None:
        return state
    return replace(state, locked_reason=LOCKED_BY_ADMIN)


def apply_district_deadline(state: AccountState, deadline: date) -> AccountState:
    """Bring a pending change window forward to a newly set district deadline.

    When a district sets its deadline, every account still waiting for a change was issued before it, so
    its due moment becomes ``min(current due, end of the deadline day)``. The service should refuse a
    deadline that is already in the past (it would lock every pending account at once). Moving the
    deadline later cannot be undone from the state alone: recompute from the issue time instead.
    """
    if not state.must_change_password or state.password_due is None:
        return state
    capped = min(state.password_due, end_of_day(deadline, state.password_due))
    return state if capped == state.password_due else replace(state, password_due=capped)


# --------------------------------------------------------------------------------------------------------------
# Password rules
# --------------------------------------------------------------------------------------------------------------

# Parts of a username (split on "_") at least this long are also refused inside a password: the name part
# ("nguyenvana") and the district suffix ("badinh") of ``nguyenvana_badinh``.
_MIN_USERNAME_PART = 4

# A passphrase of several words this long needs no digit: its length is its strength.
PASSPHRASE_LENGTH = 16

PASSWORD_PROBLEMS: dict[str, str] = {
    "too_short": "Mật khẩu phải có ít nhất {min_length} ký tự.",
    "same_as_username": "Mật khẩu không được trùng với tên đăng nhập.",
    "contains_username": "Mật khẩu không được chứa tên đăng nhập hoặc một phần của tên đăng nhập.",
    "same_as_initial": "Mật khẩu mới không được trùng với mật khẩu được cấp.",
    "same_as_current": "Mật khẩu mới phải khác mật khẩu hiện tại.",
    "needs_letters_and_digits": f"Mật khẩu ngắn hơn {PASSPHRASE_LENGTH} ký tự phải có cả chữ cái và chữ số.",
    "one_repeated_character": "Mật khẩu không được chỉ gồm một ký tự lặp lại.",
    "too_guessable": "Mật khẩu quá dễ đoán.",
}

# Why a strength estimator found a password guessable, as the adapter reports it (keys), in Vietnamese.
STRENGTH_REASONS: dict[str, str] = {
    "common": "Đây là một mật khẩu rất phổ biến, nằm trong danh sách kẻ gian thử đầu tiên.",
    "common_word": "Mật khẩu dựa trên một từ thông dụng (tiếng Việt hoặc tiếng Anh).",
    "personal": "Mật khẩu chứa họ tên, tên đăng nhập hoặc tên đơn vị, tên địa phương của bạn.",
    "name": "Mật khẩu chứa một họ hoặc tên người phổ biến.",
    "keyboard": "Mật khẩu là một dãy phím liền nhau trên bàn phím (ví dụ qwerty, 1qaz2wsx).",
    "repeat": "Mật khẩu lặp lại ký tự hoặc cụm ký tự (ví dụ aaa, abcabc).",
    "sequence": "Mật khẩu có dãy liên tiếp (ví dụ abcd, 1234, 9876).",
    "date": "Mật khẩu chứa ngày tháng hoặc năm (ví dụ 1990, 2026, 20111990), rất dễ đoán.",
    "reversed": "Viết ngược một từ thông dụng không làm mật khẩu khó đoán hơn.",
    "substitution": "Thay chữ bằng số hoặc ký hiệu quen thuộc (a→@, o→0, i→1) không làm mật khẩu khó đoán hơn.",
    "short": "Mật khẩu còn ngắn và đơn giản.",
}
STRENGTH_ADVICE = ("Hãy dùng một cụm gồm ba, bốn từ ít gặp, chọn ngẫu nhiên và nối với nhau, hoặc một chuỗi "
                   "ngẫu nhiên dài; không dùng họ tên, ngày sinh, tên đơn vị.")

_RULES_TEXT_TEMPLATE: tuple[str, ...] = (
    "Có ít nhất {min_length} ký tự.",
    "Có cả chữ cái và chữ số (không bắt buộc với cụm từ dài từ {passphrase} ký tự).",
    "Không trùng với tên đăng nhập và không chứa tên đăng nhập.",
    "Khác mật khẩu được cấp hoặc mật khẩu hiện tại.",
    "Không chỉ gồm một ký tự lặp lại (ví dụ: aaaaaaaa).",
    "Không dễ đoán: không dùng mật khẩu phổ biến, họ tên, ngày sinh, tên đơn vị hay dãy phím liền nhau.",
)


@dataclass(frozen=True)
class PasswordEstimate:
    """What a strength estimator found: ``score`` 0 (guessed at once) to 4 (very hard), and why it is low.

    ``reasons`` are keys of STRENGTH_REASONS, the most telling first.
    """

    score: int
    reasons: tuple[str, ...] = ()


# The estimator is a library (zxcvbn, in services): the domain receives it as a function of the password and
# the words personal to this person.
PasswordEstimator = Callable[[str, Sequence[str]], PasswordEstimate]


def password_rules_text(policy: LifecyclePolicy = DEFAULT_POLICY) -> tuple[str, ...]:
    """The password rules in Vietnamese, one line each, for the change-password form."""
    return tuple(line.format(min_length=policy.min_length, passphrase=PASSPHRASE_LENGTH) for line in _RULES_TEXT_TEMPLATE)


PASSWORD_RULES_TEXT: tuple[str, ...] = password_rules_text(DEFAULT_POLICY)


def _username_parts(username: str) -> list[str]:
    name = username.strip().casefold()
    if not name:
        return []
    parts = [name]
    parts += [p for p in name.split("_") if len(p) >= _MIN_USERNAME_PART and p != name]
    return parts


_WORD_RE = re.compile(r"[a-z0-9]+")
_MIN_PERSONAL_WORD = 2


def personal_words(full_name: str = "", username: str = "", places: Iterable[str] = ()) -> list[str]:
    """The words of this person a guesser would try first, folded (no diacritics, lower case).

    From the full name: the name joined ("nguyenvana"), each part, and the given name with the family name or
    the middle name ("vana", "nguyena", "anguyen"); from the username: itself, its parts around "_" and
    without its trailing number; from ``places`` (the district suffix, the district, ward or unit names):
    each joined, its last two and three words joined ("congvi" of "UBND phường Cống Vị") and each part.
    Most telling first, no repeats, no one-letter words.
    """
    out: list[str] = []

    def add(word: str) -> None:
        if len(word) >= _MIN_PERSONAL_WORD and word not in out:
            out.append(word)

    parts = _WORD_RE.findall(fold(full_name))
    if parts:
        add("".join(parts))
        if len(parts) >= 2:
            family, given = parts[0], parts[-1]
            add("".join(parts[1:]))
            add(family + given)
            add(given + family)
            add("".join(parts[:-1]))
        for part in parts:
            add(part)
    name = fold(username)
    if name:
        add(name.replace("_", ""))
        for piece in name.split("_"):
            add(piece)
            add(piece.rstrip("0123456789"))
    for place in places:
        words = _WORD_RE.findall(fold(place))
        if words:
            add("".join(words))
            for tail in (2, 3):
                if len(words) > tail:
                    add("".join(words[-tail:]))
            for word in words:
                add(word)
    return out


def strength_problem(estimate: PasswordEstimate, policy: LifecyclePolicy = DEFAULT_POLICY) -> str | None:
    """The Vietnamese refusal of a password the estimator scored below the policy, or None."""
    if estimate.score >= policy.min_strength:
        return None
    reasons = [STRENGTH_REASONS[key] for key in dict.fromkeys(estimate.reasons) if key in STRENGTH_REASONS]
    if not reasons:
        reasons = [STRENGTH_REASONS["short"]]
    return " ".join([PASSWORD_PROBLEMS["too_guessable"], *reasons[:3], STRENGTH_ADVICE])


def validate_new_password(
    new: str,
    username: str,
    old_hashed_matches: bool,
    is_initial: bool,
    policy: LifecyclePolicy = DEFAULT_POLICY,
    *,
    estimate: Optional[PasswordEstimator] = None,
    full_name: str = "",
    places: Iterable[str] = (),
) -> list[str]:
    """The Vietnamese problems with a proposed password; an empty list means it is acceptable.

    ``old_hashed_matches`` is true when the caller found that ``new`` verifies against the stored hash of
    the current password; ``is_initial`` says whether that current password is the one-time one issued by
    an administrator (it only changes the wording). When ``estimate`` is given and the plain rules pass, the
    password must also reach ``policy.min_strength``, judged against :func:`personal_words` of the person
    (``full_name``, ``username``, ``places``).
    """
    problems: list[str] = []
    if len(new) < policy.min_length:
        problems.append(PASSWORD_PROBLEMS["too_short"].format(min_length=policy.min_length))
    folded = new.casefold()
    parts = _username_parts(username)
    if parts and folded == parts[0]:
        problems.append(PASSWORD_PROBLEMS["same_as_username"])
    elif any(part in folded for part in parts):
        problems.append(PASSWORD_PROBLEMS["contains_username"])
    if old_hashed_matches:
        problems.append(PASSWORD_PROBLEMS["same_as_initial" if is_initial else "same_as_current"])
    if len(new) < PASSPHRASE_LENGTH and not (any(ch.isalpha() for ch in new) and any(ch.isdigit() for ch in new)):
        problems.append(PASSWORD_PROBLEMS["needs_letters_and_digits"])
    if new and len(set(new)) == 1:
        problems.append(PASSWORD_PROBLEMS["one_repeated_character"])
    if not problems and estimate is not None:
        problem = strength_problem(estimate(new, personal_words(full_name, username, places)), policy)
        if problem:
            problems.append(problem)
    return problems

# --------------------------------------------------------------------------------------------------------------
# One-time passwords
# --------------------------------------------------------------------------------------------------------------

INITIAL_PASSWORD_LENGTH = 12
# No look-alikes: 0/O/o and 1/l/I are left out.
INITIAL_PASSWORD_LOWER = "".join(c for c in string.ascii_lowercase if c not in "ol")  # 24
INITIAL_PASSWORD_UPPER = "".join(c for c in string.ascii_uppercase if c not in "OI")  # 24
INITIAL_PASSWORD_DIGITS = "".join(c for c in string.digits if c not in "01")  # 8
INITIAL_PASSWORD_ALPHABET = INITIAL_PASSWORD_LOWER + INITIAL_PASSWORD_UPPER + INITIAL_PASSWORD_DIGITS  # 56

# Initial passwords are random with >= 64 bits of entropy (see initial_password_entropy_bits) and are used
# once, then must be changed within days. A slow hash only helps against guessing low-entropy, human-chosen
# passwords; against 2^69 equally likely candidates one PBKDF2 iteration already leaves an offline attacker
# nowhere, and it lets an import create thousands of accounts in well under a second (scrypt costs ~0.13 s
# each). Passwords a person chooses always use werkzeug's slow default (scrypt). The caller does
# ``generate_password_hash(pw, method=INITIAL_PASSWORD_HASH_METHOD)``; check_password_hash reads the method
# from the stored hash, so sign-in needs nothing special.
INITIAL_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"


class _Chooser(Protocol):
    def choice(self, seq: str, /) -> str: ...


def initial_password_entropy_bits() -> float:
    """Entropy of :func:`generate_initial_password` in bits (about 69.4, required >= 64).

    The generator draws uniformly among all 12-character strings over the 56-character alphabet that hold
    at least one lower-case letter, one upper-case letter and one digit; that count is found by
    inclusion-exclusion over the missing classes.
    """
    n, lo, up, dg = (
        INITIAL_PASSWORD_LENGTH,
        len(INITIAL_PASSWORD_LOWER),
        len(INITIAL_PASSWORD_UPPER),
        len(INITIAL_PASSWORD_DIGITS),
    )
    total = lo + up + dg
    valid = (
        total**n
        - (total - lo) ** n
        - (total - up) ** n
        - (total - dg) ** n
        + dg**n
        + up**n
        + lo**n
    )
    return math.log2(valid)


def generate_initial_password(rng: _Chooser = secrets) -> str:
    """A one-time password: 12 characters without look-alikes, with a lower-case, an upper-case and a digit.

    Each character is drawn with ``rng.choice`` (``secrets`` by default; tests may pass a seeded
    ``random.Random``) and the whole draw is repeated until all three classes are present, so the result is
    uniform over the valid strings: about 69.4 bits of entropy (>= 64). About 1.2 draws are needed on
    average.
    """
    while True:
        candidate = "".join(rng.choice(INITIAL_PASSWORD_ALPHABET) for _ in range(INITIAL_PASSWORD_LENGTH))
        if (
            any(c in INITIAL_PASSWORD_LOWER for c in candidate)
            and any(c in INITIAL_PASSWORD_UPPER for c in candidate)
            and any(c in INITIAL_PASSWORD_DIGITS for c in candidate)
        ):
            return candidate


# Bytes below this are kept and mapped to INITIAL_PASSWORD_ALPHABET[b % 56] (224 = 4 * 56), the others are
# skipped: every kept byte is then uniform over the alphabet.
_BYTE_LIMIT = 256 - 256 % len(INITIAL_PASSWORD_ALPHABET)
_REJECTED_BYTES = bytes(range(_BYTE_LIMIT, 256))
# byte -> alphabet character (ASCII); the entries at and above the limit are never used (deleted first).
_BYTE_TO_CHAR = bytes(
    ord(INITIAL_PASSWORD_ALPHABET[b % len(INITIAL_PASSWORD_ALPHABET)]) if b < _BYTE_LIMIT else 0 for b in range(256)
)
# byte -> its class: b"a" lower-case, b"A" upper-case, b"0" digit.
_BYTE_TO_CLASS = bytes(
    (
        ord("a") if c in INITIAL_PASSWORD_LOWER else ord("A") if c in INITIAL_PASSWORD_UPPER else ord("0")
    )
    for c in (chr(b) for b in _BYTE_TO_CHAR)
)


def generate_initial_passwords(n: int, randbytes: Callable[[int], bytes] = os.urandom) -> list[str]:
    """``n`` one-time passwords with exactly the distribution of :func:`generate_initial_password`.

    Random bytes (``os.urandom``, the CSPRNG behind ``secrets``) are fetched in large blocks; bytes at or
    above 224 are dropped (``bytes.translate`` with ``delete``) and each remaining byte b becomes
    ``INITIAL_PASSWORD_ALPHABET[b % 56]``, so every kept character is uniform and independent. The kept
    characters are cut into consecutive 12-character candidates and a candidate lacking a lower-case letter,
    an upper-case letter or a digit is dropped whole: each password is uniform over the valid strings, about
    69.4 bits of entropy, as with :func:`generate_initial_password`. About 1 µs per password instead of ~20.
    ``randbytes(k)`` must return ``k`` uniformly random bytes (tests may pass a deterministic source).
    """
    if n <= 0:
        return []
    size = INITIAL_PASSWORD_LENGTH
    out: list[str] = []
    append = out.append
    pending = b""  # kept bytes of the previous block that did not fill a whole candidate
    while len(out) < n:
        # ~16.8 random bytes per password on average (12 / (224/256) / 0.82 valid); ask for a little more.
        raw = randbytes(18 * (n - len(out)) + 64)
        kept = pending + raw.translate(None, _REJECTED_BYTES)
        chars = kept.translate(_BYTE_TO_CHAR).decode("ascii")
        classes = kept.translate(_BYTE_TO_CLASS)
        end = len(kept) - len(kept) % size
        for i in range(0, end, size):
            c = classes[i:i + size]
            if b"a" in c and b"A" in c and b"0" in c:
                append(chars[i:i + size])
                if len(out) == n:
                    break
        pending = kept[end:]
    return out
