"""Usernames by the district's rule: the full name without diacritics, joined, lower case, "_" and a suffix."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from app.domain.text import fold

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_LEADING_DIGITS = re.compile(r"^[0-9]+")


class UsernameError(ValueError):
    """A username cannot be made from the given full name."""


def _clean_suffix(suffix: str) -> str:
    return _NOT_ALNUM.sub("", fold(suffix))


def base_username(full_name: str, suffix: str) -> str:
    """Username from a full name: ("Nguyễn Văn A", "badinh") → "nguyenvana_badinh"; Đ/đ → d, a–z0–9 only."""
    core = _LEADING_DIGITS.sub("", _NOT_ALNUM.sub("", fold(full_name)))
    if not core:
        raise UsernameError(f"Không tạo được tên đăng nhập từ họ tên “{full_name}”.")
    return f"{core}_{_clean_suffix(suffix)}"


@lru_cache(maxsize=64)
def _pattern(suffix: str) -> re.Pattern[str]:
    return re.compile(r"[a-z][a-z0-9]*_" + re.escape(_clean_suffix(suffix)) + r"[0-9]*")


def is_well_formed(username: str, suffix: str) -> bool:
    """True for ^[a-z][a-z0-9]*_<suffix>[0-9]*$ (the caller lowers and trims first)."""
    return bool(username) and _pattern(suffix).fullmatch(username) is not None


class UsernameAllocator:
    """Hands out unique usernames: base, then base2, base3, … skipping taken ones; O(1) amortised."""

    def __init__(self, taken: Iterable[str], suffix: str):
        self.suffix = suffix
        self._used: set[str] = {u.strip().lower() for u in taken if u}
        self._next: dict[str, int] = {}  # base -> next number to try

    def allocate(self, full_name: str) -> str:
        """A free username for full_name, reserved at once."""
        base = base_username(full_name, self.suffix)
        n = self._next.get(base)
        if n is None:
            n = 2
            if base not in self._used:
                self._used.add(base)
                self._next[base] = n
                return base
        candidate = f"{base}{n}"
        while candidate in self._used:
            n += 1
            candidate = f"{base}{n}"
        self._used.add(candidate)
        self._next[base] = n + 1
        return candidate

    def claim(self, username: str) -> bool:
        """Reserve a given username; False when it is already taken."""
        u = username.strip().lower()
        if not u or u in self._used:
            return False
        self._used.add(u)
        return True

    def is_taken(self, username: str) -> bool:
        """True when username is taken or already handed out."""
        return username.strip().lower() in self._used
