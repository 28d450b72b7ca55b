"""Account lifecycle of letter 875-CV/HU, walked on an explicit calendar (no clock, no app)."""
from __future__ import annotations

import random
from collections import Counter
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from app.domain.accounts import (
    INITIAL_PASSWORD_ALPHABET,
    INITIAL_PASSWORD_DIGITS,
    INITIAL_PASSWORD_HASH_METHOD,
    INITIAL_PASSWORD_LENGTH,
    INITIAL_PASSWORD_LOWER,
    INITIAL_PASSWORD_UPPER,
    LOCK_REASONS,
    LOCKED_BY_ADMIN,
    PASSWORD_NOT_CHANGED,
    PASSWORD_PROBLEMS,
    PASSWORD_RULES_TEXT,
    TOO_MANY_FAILED_LOGINS,
    AccountLockedError,
    AccountState,
    LifecyclePolicy,
    SignInOutcome,
    after_admin_lock,
    after_failed_login,
    after_password_changed,
    after_reset,
    apply_district_deadline,
    check_sign_in,
    days_left,
    generate_initial_password,
    generate_initial_passwords,
    initial_password_entropy_bits,
    is_overdue,
    lock_message,
    password_change_due,
    password_rules_text,
    validate_new_password,
)

POLICY = LifecyclePolicy()
CREATED = datetime(2025, 3, 3, 9, 0)  # a Monday morning, district local time
VIETNAMESE_LETTERS = set(
    "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
)


def is_vietnamese(text: str) -> bool:
    """Composed (NFC) Vietnamese text with at least one Vietnamese letter."""
    return unicodedata.normalize("NFC", text) == text and any(ch in VIETNAMESE_LETTERS for ch in text)


# ---------------------------------------------------------------------------------------------------------
# The calendar walk
# ---------------------------------------------------------------------------------------------------------


def test_lifecycle_walk_created_overdue_locked_reset_changed_free():
    state = after_reset(CREATED, POLICY)  # a new account is issued exactly like a reset
    assert state == AccountState(True, CREATED + timedelta(days=5), None, 0)

    # 4 days 23 hours later: still in time, one (partial) day left, forced to the change page.
    now = CREATED + timedelta(days=4, hours=23)
    decision = check_sign_in(state, now, POLICY)
    assert decision.outcome is SignInOutcome.MUST_CHANGE
    assert decision.allowed
    assert decision.days_left == 1
    assert decision.due == datetime(2025, 3, 8, 9, 0)
    assert not decision.changed and decision.state == state
    assert is_vietnamese(decision.message) and "08/03/2025" in decision.message

    # 5 days and 1 second: overdue, locked now, and the lock must be persisted.
    now = CREATED + timedelta(days=5, seconds=1)
    decision = check_sign_in(state, now, POLICY)
    assert decision.outcome is SignInOutcome.NEWLY_LOCKED
    assert not decision.allowed
    assert decision.changed
    assert decision.reason == PASSWORD_NOT_CHANGED
    assert decision.state.locked_reason == PASSWORD_NOT_CHANGED
    assert LOCK_REASONS[PASSWORD_NOT_CHANGED] in decision.message
    assert state.locked_reason is None  # the input is never mutated
    state = decision.state

    # Next attempt: already locked, with the right reason; nothing more to persist.
    decision = check_sign_in(state, now + timedelta(hours=2), POLICY)
    assert decision.outcome is SignInOutcome.LOCKED
    assert decision.reason == PASSWORD_NOT_CHANGED
    assert not decision.changed and not decision.allowed
    assert decision.message == lock_message(PASSWORD_NOT_CHANGED)
    assert "quản trị viên đơn vị" in decision.message

    # A locked person cannot change the password by themselves.
    with pytest.raises(AccountLockedError) as excinfo:
        after_password_changed(state)
    assert is_vietnamese(excinfo.value.message)

    # Day 6: the unit admin resets: unlocked, counter 0, a new 5-day window from the reset.
    reset_at = CREATED + timedelta(days=6, hours=3)
    state = after_reset(reset_at, POLICY)
    assert state == AccountState(True, reset_at + timedelta(days=5), None, 0)
    decision = check_sign_in(state, reset_at + timedelta(hours=1), POLICY)
    assert decision.outcome is SignInOutcome.MUST_CHANGE
    assert decision.days_left == 5

    # Changed two days later: free for good, even long after the old window.
    state = after_password_changed(state)
    assert state == AccountState(False, None, None, 0)
    decision = check_sign_in(state, reset_at + timedelta(days=60), POLICY)
    assert decision.outcome is SignInOutcome.ALLOWED
    assert decision.allowed and not decision.changed and decision.message is None


@pytest.mark.parametrize(
    ("offset", "expected_days", "expected_overdue"),
    [
        (timedelta(days=10), 0, True),
        (timedelta(microseconds=1), 0, True),
        (timedelta(0), 0, False),  # the due moment itself is still in time
        (-timedelta(microseconds=1), 1, False),
        (-timedelta(hours=1), 1, False),
        (-timedelta(days=1), 1, False),
        (-timedelta(days=1, seconds=1), 2, False),
        (-timedelta(days=5), 5, False),
    ],
)
def test_days_left_rounds_partial_days_up_and_is_zero_when_due(offset, expected_days, expected_overdue):
    due = datetime(2025, 3, 8, 9, 0)
    now = due + offset
    assert days_left(due, now) == expected_days
    assert is_overdue(due, now) is expected_overdue


def test_window_length_is_configurable():
    policy = LifecyclePolicy(change_within_days=3)
    assert password_change_due(CREATED, policy) == CREATED + timedelta(days=3)
    assert after_reset(CREATED, policy).password_due == CREATED + timedelta(days=3)


@pytest.mark.parametrize(
    "kwargs", [{"change_within_days": 0}, {"max_failed_logins": 0}, {"min_length": 0}]
)
def test_policy_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        LifecyclePolicy(**kwargs)


def test_must_change_without_due_never_locks_by_time():
    state = AccountState(True, None, None, 0)
    decision = check_sign_in(state, CREATED + timedelta(days=400), POLICY)
    assert decision.outcome is SignInOutcome.MUST_CHANGE
    assert decision.days_left is None and is_vietnamese(decision.message)


# ---------------------------------------------------------------------------------------------------------
# District deadline
# ---------------------------------------------------------------------------------------------------------

END_OF_5_MARCH = datetime(2025, 3, 5, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("issued_at", "deadline", "expected_due"),
    [
        # deadline earlier than the 5-day window: the end of the deadline day wins
        (CREATED, date(2025, 3, 5), END_OF_5_MARCH),
        # deadline later than the window: the normal window
        (CREATED, date(2025, 3, 20), CREATED + timedelta(days=5)),
        # deadline on the very day the window ends, but later in the day: the window (earlier) wins
        (CREATED, date(2025, 3, 8), CREATED + timedelta(days=5)),
        # issued on the deadline day itself: still bound by it
        (datetime(2025, 3, 5, 10, 0), date(2025, 3, 5), END_OF_5_MARCH),
        # issued after the deadline passed: just the normal window
        (datetime(2025, 3, 6, 0, 0), date(2025, 3, 5), datetime(2025, 3, 11, 0, 0)),
        (datetime(2025, 4, 1, 8, 0), date(2025, 3, 5), datetime(2025, 4, 6, 8, 0)),
        # no deadline set
        (CREATED, None, CREATED + timedelta(days=5)),
    ],
)
def test_password_change_due_with_district_deadline(issued_at, deadline, expected_due):
    policy = LifecyclePolicy(district_deadline=deadline)
    assert password_change_due(issued_at, policy) == expected_due


def test_district_deadline_is_read_in_the_timezone_of_the_issue_time():
    hanoi = timezone(timedelta(hours=7))
    issued = datetime(2025, 3, 3, 9, 0, tzinfo=hanoi)
    due = password_change_due(issued, LifecyclePolicy(district_deadline=date(2025, 3, 5)))
    assert due == datetime(2025, 3, 5, 23, 59, 59, 999999, tzinfo=hanoi)
    assert due.tzinfo is hanoi


def test_district_deadline_locks_at_the_end_of_the_day():
    policy = LifecyclePolicy(district_deadline=date(2025, 3, 5))
    state = after_reset(CREATED, policy)
    late_evening = datetime(2025, 3, 5, 23, 59)
    decision = check_sign_in(state, late_evening, policy)
    assert decision.outcome is SignInOutcome.MUST_CHANGE and decision.days_left == 1
    decision = check_sign_in(state, datetime(2025, 3, 6, 0, 0), policy)
    assert decision.outcome is SignInOutcome.NEWLY_LOCKED
    assert decision.reason == PASSWORD_NOT_CHANGED


@pytest.mark.parametrize(
    ("state", "deadline", "expected_due"),
    [
        # pending, deadline earlier than its window: brought forward
        (AccountState(True, CREATED + timedelta(days=5), None, 0), date(2025, 3, 5), END_OF_5_MARCH),
        # pending, deadline later than its window: unchanged
        (AccountState(True, CREATED + timedelta(days=5), None, 0), date(2025, 3, 20), CREATED + timedelta(days=5)),
        # already changed: nothing to bring forward
        (AccountState(False, None, None, 0), date(2025, 3, 5), None),
    ],
)
def test_apply_district_deadline_to_pending_accounts(state, deadline, expected_due):
    assert apply_district_deadline(state, deadline).password_due == expected_due


# ---------------------------------------------------------------------------------------------------------
# Failed logins
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_failed", "failures", "expected_locked"),
    [
        (5, 1, False),
        (5, 4, False),
        (5, 5, True),
        (5, 6, True),
        (3, 2, False),
        (3, 3, True),
        (1, 1, True),
        (10, 9, False),
        (10, 10, True),
    ],
)
def test_failed_login_threshold(max_failed, failures, expected_locked):
    policy = LifecyclePolicy(max_failed_logins=max_failed)
    state = AccountState(False, None, None, 0)
    for _ in range(failures):
        state = after_failed_login(state, policy)
    assert state.failed_logins == failures
    assert state.locked is expected_locked
    assert state.locked_reason == (TOO_MANY_FAILED_LOGINS if expected_locked else None)
    decision = check_sign_in(state, CREATED, policy)  # even with the right password afterwards
    assert decision.allowed is not expected_locked


def test_success_resets_the_consecutive_counter_and_reset_unlocks():
    state = AccountState(False, None, None, 0)
    for _ in range(4):
        state = after_failed_login(state, POLICY)
    decision = check_sign_in(state, CREATED, POLICY)
    assert decision.outcome is SignInOutcome.ALLOWED
    assert decision.changed and decision.state.failed_logins == 0  # persist the cleared counter
    state = decision.state
    for _ in range(4):
        state = after_failed_login(state, POLICY)
    assert not state.locked  # 4 + 4 wrong, but never 5 in a row
    state = after_failed_login(state, POLICY)
    assert state.locked_reason == TOO_MANY_FAILED_LOGINS
    assert check_sign_in(state, CREATED, POLICY).message == lock_message(TOO_MANY_FAILED_LOGINS)
    state = after_reset(CREATED, POLICY)
    assert not state.locked and state.failed_logins == 0 and state.must_change_password


def test_failures_on_a_locked_account_keep_the_original_reason():
    state = AccountState(True, CREATED, PASSWORD_NOT_CHANGED, 0)
    for _ in range(7):
        state = after_failed_login(state, POLICY)
    assert state.locked_reason == PASSWORD_NOT_CHANGED
    assert after_admin_lock(state).locked_reason == PASSWORD_NOT_CHANGED
    assert after_admin_lock(AccountState(False, None, None, 0)).locked_reason == LOCKED_BY_ADMIN


# ---------------------------------------------------------------------------------------------------------
# Password rules
# ---------------------------------------------------------------------------------------------------------

USERNAME = "nguyenvana_badinh"


@pytest.mark.parametrize(
    ("new", "old_matches", "is_initial", "problem"),
    [
        ("abc123", False, False, PASSWORD_PROBLEMS["too_short"].format(min_length=8)),
        ("Nguyenvana_Badinh", False, False, PASSWORD_PROBLEMS["same_as_username"]),
        ("x1nguyenvana_badinh", False, False, PASSWORD_PROBLEMS["contains_username"]),
        ("NguyenVanA2025", False, False, PASSWORD_PROBLEMS["contains_username"]),  # the name part
        ("badinh2025x", False, False, PASSWORD_PROBLEMS["contains_username"]),  # the district suffix
        ("Hn7kQ4mPz9Ra", True, True, PASSWORD_PROBLEMS["same_as_initial"]),
        ("hoasen2024ab", True, False, PASSWORD_PROBLEMS["same_as_current"]),
        ("hoasenhoahong", False, False, PASSWORD_PROBLEMS["needs_letters_and_digits"]),
        ("2024202420", False, False, PASSWORD_PROBLEMS["needs_letters_and_digits"]),
        ("aaaaaaaaaa", False, False, PASSWORD_PROBLEMS["one_repeated_character"]),
        ("7777777777", False, False, PASSWORD_PROBLEMS["one_repeated_character"]),
    ],
)
def test_each_password_rule_has_a_failing_case(new, old_matches, is_initial, problem):
    problems = validate_new_password(new, USERNAME, old_matches, is_initial, POLICY)
    assert problem in problems
    assert all(is_vietnamese(p) for p in problems)


@pytest.mark.parametrize(
    ("new", "policy"),
    [
        ("hoasen2024ab", POLICY),
        ("Sông Hồng 1010", POLICY),  # Vietnamese letters count as letters
        ("abc12345", POLICY),  # exactly min_length
        ("ab12", LifecyclePolicy(min_length=4)),
        ("nguyen12345", POLICY),  # a name part shorter than the username's parts is fine
    ],
)
def test_good_passwords_have_no_problems(new, policy):
    assert validate_new_password(new, USERNAME, False, False, policy) == []


def test_min_length_follows_the_policy():
    policy = LifecyclePolicy(min_length=12)
    assert validate_new_password("hoasen2024ab"[:11], USERNAME, False, False, policy) == [
        "Mật khẩu phải có ít nhất 12 ký tự."
    ]
    assert "Có ít nhất 12 ký tự." in password_rules_text(policy)


def test_all_user_facing_texts_are_vietnamese():
    texts = [*LOCK_REASONS.values(), *PASSWORD_PROBLEMS.values(), *PASSWORD_RULES_TEXT]
    texts += [lock_message(reason) for reason in LOCK_REASONS] + [lock_message(None)]
    assert PASSWORD_RULES_TEXT and all(is_vietnamese(t) for t in texts)
    assert set(LOCK_REASONS) == {"password_not_changed", "too_many_failed_logins", "admin"}


# ---------------------------------------------------------------------------------------------------------
# One-time passwords
# ---------------------------------------------------------------------------------------------------------


def test_initial_password_alphabet_has_no_look_alikes_and_enough_entropy():
    assert not set("0Oo1lI") & set(INITIAL_PASSWORD_ALPHABET)
    assert len(set(INITIAL_PASSWORD_ALPHABET)) == len(INITIAL_PASSWORD_ALPHABET) == 56
    assert initial_password_entropy_bits() >= 64


def test_generate_initial_password_over_1000_draws():
    drawn = [generate_initial_password() for _ in range(1000)]
    assert len(set(drawn)) == len(drawn)
    alphabet = set(INITIAL_PASSWORD_ALPHABET)
    for pw in drawn:
        assert len(pw) == INITIAL_PASSWORD_LENGTH == 12
        assert set(pw) <= alphabet
        assert set(pw) & set(INITIAL_PASSWORD_LOWER)
        assert set(pw) & set(INITIAL_PASSWORD_UPPER)
        assert set(pw) & set(INITIAL_PASSWORD_DIGITS)
    # every character of the alphabet turns up somewhere in 12,000 characters
    assert set("".join(drawn)) == alphabet


def test_generate_initial_password_takes_an_rng():
    first = [generate_initial_password(random.Random(875)) for _ in range(3)]
    assert len(set(first)) == 1  # same seed, same password
    assert generate_initial_password(random.Random(875)) == first[0]
    assert generate_initial_password(random.Random(876)) != first[0]


def _reference_passwords(stream: bytes) -> list[str]:
    """The plain definition: keep bytes < 224 as ALPHABET[b % 56], cut into 12s, drop those lacking a class."""
    chars = [INITIAL_PASSWORD_ALPHABET[b % 56] for b in stream if b < 224]
    out = []
    for i in range(0, len(chars) - len(chars) % 12, 12):
        candidate = "".join(chars[i:i + 12])
        if (set(candidate) & set(INITIAL_PASSWORD_LOWER) and set(candidate) & set(INITIAL_PASSWORD_UPPER)
                and set(candidate) & set(INITIAL_PASSWORD_DIGITS)):
            out.append(candidate)
    return out


def _expected_character_probability() -> dict[str, float]:
    """P(a given position holds character c) for a password uniform over the valid strings (exact)."""
    n, total = INITIAL_PASSWORD_LENGTH, len(INITIAL_PASSWORD_ALPHABET)
    classes = [INITIAL_PASSWORD_LOWER, INITIAL_PASSWORD_UPPER, INITIAL_PASSWORD_DIGITS]
    sizes = [len(c) for c in classes]
    valid = 2 ** initial_password_entropy_bits()
    prob = {}
    for k, cls in enumerate(classes):
        a, b = (sizes[j] for j in range(3) if j != k)
        # the other 11 positions must hold both other classes (inclusion-exclusion)
        rest = total ** (n - 1) - (total - a) ** (n - 1) - (total - b) ** (n - 1) + (total - a - b) ** (n - 1)
        prob.update({c: rest / valid for c in cls})
    return prob


def test_generate_initial_passwords_over_20000_draws():
    drawn = generate_initial_passwords(20_000)
    assert len(drawn) == 20_000
    assert len(set(drawn)) == len(drawn)
    alphabet, lower, upper, digits = (set(INITIAL_PASSWORD_ALPHABET), set(INITIAL_PASSWORD_LOWER),
                                      set(INITIAL_PASSWORD_UPPER), set(INITIAL_PASSWORD_DIGITS))
    for pw in drawn:
        assert type(pw) is str and len(pw) == INITIAL_PASSWORD_LENGTH == 12
        chars = set(pw)
        assert chars <= alphabet and chars & lower and chars & upper and chars & digits
    # Character frequencies against the exact law of a uniform valid password (digits are a little more
    # frequent than 1/56: every password needs one). Chi-square with 55 degrees of freedom (mean 55, sd ~10.5).
    prob = _expected_character_probability()
    assert abs(sum(prob.values()) - 1) < 1e-12
    counts = Counter("".join(drawn))
    chars_drawn = 12 * len(drawn)
    chi2 = 0.0
    for c in INITIAL_PASSWORD_ALPHABET:
        expected = prob[c] * chars_drawn
        sd = (expected * (1 - prob[c])) ** 0.5
        assert abs(counts[c] - expected) < 6 * sd, (c, counts[c], expected)
        chi2 += (counts[c] - expected) ** 2 / expected
    assert chi2 < 150, chi2
    # and every class shows up in every position
    for pos in range(12):
        column = {pw[pos] for pw in drawn}
        assert column & lower and column & upper and column & digits


def test_generate_initial_passwords_rejects_bytes_and_whole_candidates_exactly():
    # 255 and 224 are skipped; the first candidate (all "a") lacks two classes and is dropped whole.
    block = bytes([0] * 12 + [255, 224] + [0, 24, 48] + [1] * 9)
    assert generate_initial_passwords(2, randbytes=lambda k: (block * (k // len(block) + 1))[:k]) == ["aA2" + "b" * 9] * 2
    assert generate_initial_passwords(0) == []
    # Any byte stream, served in blocks of any size: the same passwords as the plain definition.
    rnd = random.Random(875)
    served: list[bytes] = []

    def source(k):
        data = rnd.randbytes(min(k, 37))  # short blocks: candidates straddle the block boundaries
        served.append(data)
        return data

    fast = generate_initial_passwords(500, randbytes=source)
    assert fast == _reference_passwords(b"".join(served))[:500]


def test_generate_initial_passwords_matches_the_one_at_a_time_generator():
    assert initial_password_entropy_bits() > 69.3
    one = [generate_initial_password() for _ in range(2000)]
    many = generate_initial_passwords(2000)
    # same share of passwords with more than one digit (a class-level check of the two laws)
    share = lambda pws: sum(sum(c in INITIAL_PASSWORD_DIGITS for c in pw) > 1 for pw in pws) / len(pws)  # noqa: E731
    assert abs(share(one) - share(many)) < 0.08


def test_initial_password_would_pass_the_rules():
    for _ in range(200):
        pw = generate_initial_password()
        assert validate_new_password(pw, USERNAME, False, True, POLICY) == []


def test_initial_password_hash_method_is_understood_by_werkzeug():
    security = pytest.importorskip("werkzeug.security")
    pw = generate_initial_password()
    hashed = security.generate_password_hash(pw, method=INITIAL_PASSWORD_HASH_METHOD)
    assert hashed.startswith("pbkdf2:sha256:1$")
    assert security.check_password_hash(hashed, pw)
    assert not security.check_password_hash(hashed, pw + "x")


def test_state_is_never_mutated_by_transitions():
    state = AccountState(True, CREATED + timedelta(days=5), None, 3)
    snapshot = replace(state)
    after_failed_login(state, POLICY)
    check_sign_in(state, CREATED + timedelta(days=9), POLICY)
    after_password_changed(state)
    after_admin_lock(state)
    apply_district_deadline(state, date(2025, 3, 4))
    assert state == snapshot
