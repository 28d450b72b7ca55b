"""Usernames by the district's rule: the full name without diacritics, joined, lower case, "_" and a suffix.

Namesakes get a number before the suffix (``nguyenvanan_badinh`` taken → ``nguyenvanan2_badinh``), so every
account ends with ``_<suffix>`` as letter 297-CV/BTCQU prescribes. Accounts made earlier with the number
after the suffix (``nguyenvanan_badinh2``) are left as they are: ``is_well_formed(..., legacy=True)``
accepts them where an existing account may be named.
"""
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


def _core(full_name: str) -> str:
    core = _LEADING_DIGITS.sub("", _NOT_ALNUM.sub("", fold(full_name)))
    if not core:
        raise UsernameError(f"Không tạo được tên đăng nhập từ họ tên “{full_name}”.")
    return core


def base_username(full_name: str, suffix: str) -> str:
    """Username from a full name: ("Nguyễn Văn A", "badinh") → "nguyenvana_badinh"; Đ/đ → d, a–z0–9 only."""
    return numbered_username(full_name, suffix, 1)


def numbered_username(full_name: str, suffix: str, n: int) -> str:
    """The n-th username for a full name: 1 → "nguyenvana_badinh", 2 → "nguyenvana2_badinh", …"""
    return f"{_core(full_name)}{n if n > 1 else ''}_{_clean_suffix(suffix)}"


@lru_cache(maxsize=64)
def _pattern(suffix: str, legacy: bool) -> re.Pattern[str]:
    return re.compile(r"[a-z][a-z0-9]*_" + re.escape(_clean_suffix(suffix)) + (r"[0-9]*" if legacy else ""))


def is_well_formed(username: str, suffix: str, legacy: bool = False) -> bool:
    """True for ^[a-z][a-z0-9]*_<suffix>$ (the caller lowers and trims first).

    With ``legacy``, also the older ``…_<suffix><digits>`` of accounts that already exist.
    """
    return bool(username) and _pattern(suffix, legacy).fullmatch(username) is not None


class UsernameAllocator:
    """Hands out unique usernames: base, then the number before the suffix (core2_suffix, core3_suffix, …),
    skipping taken ones; O(1) amortised."""

    def __init__(self, taken: Iterable[str], suffix: str):
        self.suffix = suffix
        self._used: set[str] = {u.strip().lower() for u in taken if u}
        self._next: dict[str, int] = {}  # base -> next number to try

    def allocate(self, full_name: str) -> str:
        """A free username for full_name, reserved at once."""
        core = _core(full_name)
        tail = f"_{_clean_suffix(self.suffix)}"
        n = self._next.get(core)
        if n is None:
            n = 2
            base = core + tail
            if base not in self._used:
                self._used.add(base)
                self._next[core] = n
                return base
        candidate = f"{core}{n}{tail}"
        while candidate in self._used:
            n += 1
            candidate = f"{core}{n}{tail}"
        self._used.add(candidate)
        self._next[core] = n + 1
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
