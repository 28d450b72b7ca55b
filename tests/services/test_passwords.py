"""§1.13: passwords people choose are judged by zxcvbn against their own name, username and places, and
refused with a Vietnamese reason."""
from __future__ import annotations

import pytest

from app.domain.accounts import (
    STRENGTH_REASONS,
    LifecyclePolicy,
    PasswordEstimate,
    generate_initial_password,
    personal_words,
    validate_new_password,
)
from app.services.passwords import estimate
from tests.domain.test_accounts import is_vietnamese

PLACES = ["badinh", "Quận Ba Đình", "UBND phường Cống Vị"]
POLICY = LifecyclePolicy()


def problems(password, username="nguyenvana_badinh", full_name="Nguyễn Văn A", policy=POLICY):
    return validate_new_password(password, username, False, False, policy, estimate=estimate, full_name=full_name,
                                 places=PLACES)


@pytest.mark.parametrize("password", ["abcd1234", "Password1", "matkhau123", "nguyenvana2026", "qwerty123456",
                                      "anhyeuem1990", "Badinh@2026", "Congvi2026", "Hanoi2026x", "12345678a"])
def test_common_and_personal_passwords_are_refused_in_vietnamese(password):
    found = problems(password)
    assert found and all(is_vietnamese(p) for p in found), (password, found)


@pytest.mark.parametrize("password", ["nguyenvana2026", "vana1985!", "Anguyen@123"])
def test_the_persons_own_name_is_refused_even_outside_the_username(password):
    found = problems(password, username="quantri_badinh")
    assert any("họ tên" in p for p in found), found


@pytest.mark.parametrize("password", ["correct horse battery staple", "Gio-bac-Tre-xanh-47", "sen hong no tren ho tay",
                                      "ngua-van-Bay-qua-cau-8"])
def test_a_long_passphrase_is_accepted(password):
    assert problems(password) == [], problems(password)


def test_a_random_password_is_accepted():
    for _ in range(20):
        pw = generate_initial_password()
        assert problems(pw) == [], pw


@pytest.mark.parametrize("password,reason", [
    ("abcd1234", "common"),
    ("matkhau2024", "common_word"),
    ("nguyenvana19", "personal"),
    ("zxcvbnm,./12", "keyboard"),
    ("abcabcabc123", "repeat"),
    ("20111990xyz", "date"),
])
def test_the_estimator_names_why(password, reason):
    found = estimate(password, personal_words("Nguyễn Văn A", "nguyenvana_badinh", PLACES))
    assert found.score < 3 and reason in found.reasons, found


def test_every_reason_reads_vietnamese():
    assert all(is_vietnamese(text) for text in STRENGTH_REASONS.values())


def test_the_minimum_score_is_a_setting():
    assert problems("Hanoi2026x")
    assert problems("Hanoi2026x", policy=LifecyclePolicy(min_strength=2)) == []


def test_the_domain_takes_the_estimator_as_a_function():
    seen = []

    def fake(password, words):
        seen.append((password, list(words)))
        return PasswordEstimate(0, ("keyboard",))

    found = validate_new_password("Zz9-anything", "tranb_badinh", False, False, POLICY, estimate=fake,
                                  full_name="Trần Thị Bình", places=["badinh"])
    assert found and STRENGTH_REASONS["keyboard"] in found[0]
    assert seen[0][1][:3] == ["tranthibinh", "thibinh", "tranbinh"] and "badinh" in seen[0][1]


def test_very_long_passwords_are_estimated_not_refused():
    assert problems("tre xanh " * 20 + "9") == []
