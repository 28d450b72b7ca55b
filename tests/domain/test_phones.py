"""Vietnamese phone numbers as typed, or as Excel stores them."""
from __future__ import annotations

import pytest

from app.domain.phones import is_vietnamese_phone, normalize_phone


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("0912345678", "0912345678"),
        (912345678, "0912345678"),  # an Excel number: the leading 0 is gone
        (912345678.0, "0912345678"),
        ("912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("(024) 3825 1234", "02438251234"),
        ("024.3825.1234", "02438251234"),
        ("+84 24 3825 1234", "02438251234"),
        (2438251234, "02438251234"),  # landline typed as a number
        ("091.234.5678", "0912345678"),
        ("091-234-5678", "0912345678"),
        ("091 234 5678", "0912345678"),
        (" 0912 345 678 ", "0912345678"),
        ("0912\u00a0345\u00a0678", "0912345678"),  # NBSP between groups
        ("9.12345678E+8", "0912345678"),  # shown by Excel in scientific form, then pasted as text
        ("0333 456 789", "0333456789"),
        (843456789, "0843456789"),  # 084… typed as a number: starts with 84 but has 9 digits
        ("không có", ""),
        ("12345", "12345"),
    ],
)
def test_normalize_phone(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize(
    "number",
    [
        "0912345678", "0987654321", "0333456789", "0356789012", "0567890123", "0701234567", "0789012345",
        "0812345678", "0888888888", "0901234567", "0999999999",
        "02438251234", "02838123456", "0243825123",  # landlines: 02 + 9 digits, or 02 + 8 digits
    ],
)
def test_valid_numbers(number):
    assert is_vietnamese_phone(number)


@pytest.mark.parametrize(
    "number",
    [
        None, "", "12345", "091234567", "09123456789", "0112345678", "0412345678", "0612345678",
        "1912345678", "024382512345", "091234567a", "+84912345678", "0912 345 678", "00912345678",
        "09123456780912345678",  # two numbers run together
    ],
)
def test_invalid_numbers(number):
    assert not is_vietnamese_phone(number)


@pytest.mark.parametrize(
    "value",
    [912345678, 912345678.0, "+84 912 345 678", "84912345678", "(024) 3825 1234", "091.234.5678", "091-234-5678"],
)
def test_normalized_forms_are_valid(value):
    assert is_vietnamese_phone(normalize_phone(value))


@pytest.mark.parametrize("value", ["0912345678 / 0987654321", "0912.345.678 - 0987.654.321", "abc", "12345"])
def test_garbage_normalizes_to_something_invalid(value):
    assert not is_vietnamese_phone(normalize_phone(value))
