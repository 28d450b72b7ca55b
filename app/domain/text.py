"""Text clean-up and accent-insensitive matching for what people type into Excel."""
from __future__ import annotations

import datetime as _dt
import functools
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

# Characters that are invisible but break equality; removed outright.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

# Every combining mark (diacritics after NFD) is dropped; the two letters with a stroke are mapped.
_STRIP_TABLE: dict[int, object] = dict.fromkeys(range(0x0300, 0x0370), None)
_STRIP_TABLE.update({ord("Đ"): "D", ord("đ"): "d", ord("Ð"): "D", ord("ð"): "d"})

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _build_fast_strip() -> dict[int, str]:
    """Precomposed Latin letters (Vietnamese among them) mapped straight to their ASCII base letter."""
    table: dict[int, str] = {}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base.isascii() and base.isalpha() and base != chr(cp):
            table[cp] = base
    table.update({ord("Đ"): "D", ord("đ"): "d", ord("Ð"): "D", ord("ð"): "d"})
    return table


_FAST_STRIP = _build_fast_strip()


def normalize_text(value: object) -> str:
    """Cell value as clean text: NFC, one space between words, no NBSP/tabs/newlines, trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        s = value
    elif isinstance(value, bool):
        s = "TRUE" if value else "FALSE"  # as Excel shows it
    elif isinstance(value, int):
        s = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            s = str(value)
        elif value.is_integer():
            s = str(int(value))
        else:
            s = repr(value)
    elif isinstance(value, Decimal):
        s = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    elif isinstance(value, _dt.datetime):
        s = value.date().isoformat() if value.time() == _dt.time(0) else value.isoformat(sep=" ")
    elif isinstance(value, (_dt.date, _dt.time)):
        s = value.isoformat()
    else:
        s = str(value)
    if not s:
        return ""
    if not s.isascii():
        if _INVISIBLE_RE.search(s):
            s = _INVISIBLE_RE.sub("", s)
        if not unicodedata.is_normalized("NFC", s):
            s = unicodedata.normalize("NFC", s)
    # str.split() with no argument splits on every Unicode space (NBSP, tabs, newlines, …).
    return " ".join(s.split())


def strip_diacritics(s: str) -> str:
    """Remove Vietnamese diacritics (and any other combining marks); Đ→D, đ→d."""
    if not s or s.isascii():
        return s or ""
    fast = s.translate(_FAST_STRIP)
    if fast.isascii():
        return fast
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", fast).translate(_STRIP_TABLE))


def fold(s: object) -> str:
    """Normalised, accent-free, lower-case form for case- and accent-insensitive matching."""
    if s.__class__ is str:
        return _fold_text(s)
    return strip_diacritics(normalize_text(s)).lower()


@lru_cache(maxsize=1 << 16)
def _fold_text(s: str) -> str:
    """fold() of a str, memoised: an import folds the same few names and units on every row."""
    return strip_diacritics(normalize_text(s)).lower()


def match_key(s: object) -> str:
    """fold() with everything but ASCII letters and digits removed: for titles and fixed choices."""
    return _NON_ALNUM.sub("", fold(s))


# -- Vietnamese order -----------------------------------------------------------------------------
# fold() puts "Đ" with "D" and "ư" with "u": right for matching, wrong for sorting. The Vietnamese
# alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z of foreign words
# sit where Latin puts them). Tones order words that are otherwise equal: ngang, huyền, hỏi, ngã,
# sắc, nặng (CLDR's Vietnamese collation, which PostgreSQL's ICU "vi" collation also follows);
# then lower case before upper case.

_VI_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_RANK = {letter: 20 + i for i, letter in enumerate(_VI_ALPHABET)}
_MODIFIERS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}  # breve, circumflex, horn
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_SPACE, _PUNCT = 1, 2  # below digits (3-12) and letters


def _base_letter(base: str, marks: str) -> str:
    """The Vietnamese letter of a base character and its vowel modifiers ("o" + horn → "ơ")."""
    modifier = next((m for m in marks if m in _MODIFIERS), "")
    return unicodedata.normalize("NFC", base + modifier) if modifier else base


def collation_key(value: object) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A key that sorts names in Vietnamese order: letters, then tones, then case.

    ``sorted(names, key=collation_key)`` puts "Dương" before "Đặng" and "Tổ" before "Tư".
    """
    text = normalize_text(value)
    primary: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    for cluster in re.findall(r".[\u0300-\u036f]*", unicodedata.normalize("NFD", text)):
        base, marks = cluster[0], cluster[1:]
        lower = base.lower()
        if lower.isdigit() and lower.isascii():
            primary.append(3 + int(lower))
            tones.append(0)
            cases.append(0)
            continue
        letter = _base_letter(lower, marks)
        rank = _LETTER_RANK.get(letter)
        if rank is None:
            if not lower.isalnum():
                mark = _SPACE if lower.isspace() else _PUNCT
                if primary and primary[-1] == mark:
                    continue
                primary.append(mark)
                tones.append(0)
                cases.append(0)
                continue
            # A letter outside the alphabet (ç, ñ, ...): by its accent-free form, after the alphabet's letters.
            folded = strip_diacritics(lower) or lower
            rank = _LETTER_RANK.get(folded[0], 20 + len(_VI_ALPHABET) + (ord(folded[0]) % 1000))
        primary.append(rank)
        tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
        cases.append(0 if base == lower else 1)
    return tuple(primary), tuple(tones), tuple(cases)


def collation_compare(a: object, b: object) -> int:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b`` in Vietnamese order (an SQLite collation)."""
    ka, kb = _cached_key(a), _cached_key(b)
    return (ka > kb) - (ka < kb)


@functools.lru_cache(maxsize=65536)
def _cached_key(value):
    return collation_key(value)
