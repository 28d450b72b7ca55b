"""Vietnamese phone numbers as typed or as Excel stores them."""
from __future__ import annotations

import re

from app.domain.text import normalize_text

_MOBILE_RE = re.compile(r"0[35789]\d{8}")
_LANDLINE_RE = re.compile(r"02\d{8,9}")
_NON_DIGIT_RE = re.compile(r"\D+")
_SCIENTIFIC_RE = re.compile(r"\d(?:[.,]\d+)?[eE]\+?\d{1,2}")


def normalize_phone(value: object) -> str | None:
    """National form, digits only, starting with 0 when it can be told; None for an empty cell.

    Excel numbers lose the leading 0 (912345678 → "0912345678"); "+84 912 345 678", "84912345678",
    "(024) 3825 1234", "091.234.5678" and "091-234-5678" all come back in national form. Text that holds
    no phone number comes back as its digits (maybe ""), which is_vietnamese_phone() then rejects.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalize_text(value)
    if not text:
        return None
    if _SCIENTIFIC_RE.fullmatch(text):  # "9.12345678E+8": a number Excel showed in scientific form
        try:
            text = str(int(float(text.replace(",", "."))))
        except (ValueError, OverflowError):
            pass
    international = text.startswith("+")
    digits = _NON_DIGIT_RE.sub("", text)
    if digits.startswith("00") and len(digits) > 10:  # 0084…
        digits = digits[2:]
        international = True
    if digits.startswith("84") and (international or len(digits) in (11, 12)):
        digits = digits[2:]
        if not digits.startswith("0"):
            digits = "0" + digits
    elif digits and not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits
    return digits


def is_vietnamese_phone(s: str | None) -> bool:
    """Mobile: 10 digits 03/05/07/08/09…; landline: 02 and 8 or 9 more digits."""
    if not s:
        return False
    return bool(_MOBILE_RE.fullmatch(s) or _LANDLINE_RE.fullmatch(s))
