"""Vietnamese typed in the legacy TCVN3 (ABC) and VNI encodings, as Excel keeps it, back to Unicode.

A legacy font (".VnTime", "VNI-Times") draws Vietnamese letters from plain single bytes. Saved as Unicode
text, each byte becomes its Windows-1252 / Latin-1 character: "NguyÔn V¨n An" (TCVN3) and "Nguyeãn Vaên An"
(VNI) both mean "Nguyễn Văn An". Detection reads the text three ways (Unicode as it is, TCVN3, VNI) and keeps
the reading whose words are real Vietnamese syllables; text that reads well as Unicode is never touched.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from app.domain.errors import ValidationError

TCVN3 = "TCVN3"
VNI = "VNI"
ENCODINGS: tuple[str, ...] = (TCVN3, VNI)
ENCODING_LABELS: dict[str, str] = {TCVN3: "TCVN3 (ABC, phông .VnTime)", VNI: "VNI (phông VNI-Times)"}


class LegacyEncodingError(ValidationError):
    """Text that looks typed in a legacy encoding but cannot be converted with confidence."""

    default_code = "legacy_encoding"

    MIXED = "mixed"  # Unicode and legacy letters in one text
    AMBIGUOUS = "ambiguous"  # reads as TCVN3 and as VNI
    UNREADABLE = "unreadable"  # no reading makes Vietnamese words

    def __init__(self, message: str, text: str, encoding: str | None = None, kind: str = UNREADABLE):
        super().__init__(None, message)
        self.text = text
        self.encoding = encoding  # best guess, may be None
        self.kind = kind


# --- TCVN3 (TCVN 5712:1993, VN3): one byte per letter; uppercase only for Ă Â Ê Ô Ơ Ư Đ ------------------
_TCVN3_BYTES: dict[int, str] = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ",
    0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xC6: "ặ",
    0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ",
    0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD0: "é", 0xD1: "ẹ",
    0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ",
    0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị",
    0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ",
    0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ",
    0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ",
    0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ", 0xF9: "ự",
    0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}
TCVN3_TO_UNICODE: dict[str, str] = {chr(b): u for b, u in _TCVN3_BYTES.items()}
_TCVN3_TABLE = str.maketrans(TCVN3_TO_UNICODE)
# Letters TCVN3 has in lower case only (upper case lives in the separate ".VnTimeH" fonts).
_TCVN3_LOWER_ONLY = frozenset(k for k, v in TCVN3_TO_UNICODE.items() if v.islower())

# --- VNI Windows: a base letter followed by a mark byte, plus a few one-byte letters ---------------------
_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
_CIRC, _BREVE = "\u0302", "\u0306"
_TONES = (_GRAVE, _ACUTE, _HOOK, _TILDE, _DOT)

# lower-case mark byte -> (kind, combining marks); the upper-case byte is 0x20 lower.
_VNI_MARK_BYTES: dict[int, tuple[str, str]] = {
    0xF8: ("tone", _GRAVE), 0xF9: ("tone", _ACUTE), 0xFB: ("tone", _HOOK),
    0xF5: ("tone", _TILDE), 0xEF: ("tone", _DOT),
    0xE2: ("circ", _CIRC), 0xE1: ("circ", _CIRC + _ACUTE), 0xE0: ("circ", _CIRC + _GRAVE),
    0xE5: ("circ", _CIRC + _HOOK), 0xE3: ("circ", _CIRC + _TILDE), 0xE4: ("circ", _CIRC + _DOT),
    0xEA: ("breve", _BREVE), 0xE9: ("breve", _BREVE + _ACUTE), 0xE8: ("breve", _BREVE + _GRAVE),
    0xFA: ("breve", _BREVE + _HOOK), 0xFC: ("breve", _BREVE + _TILDE), 0xEB: ("breve", _BREVE + _DOT),
}
_VNI_LETTER_BYTES: dict[int, str] = {
    0xF1: "đ", 0xEC: "ì", 0xED: "í", 0xE6: "ỉ", 0xF3: "ĩ", 0xF2: "ị", 0xEE: "ỵ", 0xF4: "ơ", 0xF6: "ư",
}
VNI_MARKS: dict[str, tuple[str, str]] = {}
for _b, _m in _VNI_MARK_BYTES.items():
    VNI_MARKS[chr(_b)] = _m
    VNI_MARKS[chr(_b - 0x20)] = _m
VNI_LETTERS: dict[str, str] = {}
for _b, _u in _VNI_LETTER_BYTES.items():
    VNI_LETTERS[chr(_b)] = _u
    VNI_LETTERS[chr(_b - 0x20)] = _u.upper()
# Which marks a base letter takes.
_VNI_BASE_KINDS: dict[str, frozenset[str]] = {
    "a": frozenset({"tone", "circ", "breve"}),
    "e": frozenset({"tone", "circ"}),
    "o": frozenset({"tone", "circ"}),
    "u": frozenset({"tone"}),
    "y": frozenset({"tone"}),
    "ơ": frozenset({"tone"}),
    "ư": frozenset({"tone"}),
}

# --- Vietnamese letters and syllables ------------------------------------------------------------------
_VOWELS = "aăâeêioôơuưy"


def _build_letters() -> dict[str, tuple[str, str]]:
    """Every Vietnamese letter (both cases) -> (lower-case letter without tone, tone mark or "")."""
    letters: dict[str, tuple[str, str]] = {}
    for base in _VOWELS:
        for tone in ("",) + _TONES:
            ch = unicodedata.normalize("NFC", base + tone)
            letters[ch] = (base, tone)
            letters[ch.upper()] = (base, tone)
    for c in "bcdghklmnpqrstvx":
        letters[c] = (c, "")
        letters[c.upper()] = (c, "")
    for c in "đĐ":
        letters[c] = ("đ", "")
    for c in "ðÐ":  # Icelandic eth, often typed or pasted for Đ
        letters[c] = ("đ", "")
    return letters


_LETTERS = _build_letters()
VIETNAMESE_LETTERS: frozenset[str] = frozenset(_LETTERS) - {"ð", "Ð"}

_INITIALS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh",
    "p", "ph", "q", "qu", "r", "s", "t", "th", "tr", "v", "x",
)
_FINALS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t")
_STOPS = frozenset({"c", "ch", "p", "t"})
_ALL = frozenset(_FINALS)
_CLOSED = frozenset({"c", "m", "n", "ng", "p", "t"})
_OPEN = frozenset({""})
# vowel group -> the finals it takes
_NUCLEI: dict[str, frozenset[str]] = {
    "a": _ALL,
    "ă": _CLOSED,
    "â": _CLOSED,
    "e": _CLOSED | _OPEN,
    "ê": frozenset({"", "ch", "m", "n", "nh", "p", "t"}),
    "i": frozenset({"", "ch", "m", "n", "nh", "p", "t"}),
    "o": _CLOSED | _OPEN,
    "ô": _CLOSED | _OPEN,
    "ơ": frozenset({"", "m", "n", "p", "t"}),
    "u": _CLOSED | _OPEN,
    "ư": frozenset({"", "c", "m", "n", "ng", "t"}),
    "y": _OPEN,
    "oa": _ALL,
    "oă": frozenset({"c", "m", "n", "ng", "t"}),
    "oe": frozenset({"", "n", "t"}),
    "oo": frozenset({"c", "ng"}),
    "uâ": frozenset({"n", "ng", "t"}),
    "uê": frozenset({"", "ch", "n", "nh"}),
    "uơ": _OPEN,
    "uy": frozenset({"", "ch", "n", "nh", "p", "t"}),
    "uyê": frozenset({"n", "t"}),
    "iê": _CLOSED,
    "yê": frozenset({"m", "n", "ng", "t"}),
    "uô": frozenset({"c", "m", "n", "ng", "t"}),
    "ươ": _CLOSED,
}
for _open in (
    "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui", "ưa", "ưi",
    "ưu", "iêu", "yêu", "uôi", "ươi", "ươu", "oai", "oao", "oay", "oeo", "uây", "uya", "uyu",
):
    _NUCLEI[_open] = _OPEN


_MARKED_VOWELS = frozenset("ăâêôơư")
_OFFGLIDE_PAIRS = frozenset({"ai", "ao", "au", "ay", "eo", "ia", "iu", "oi", "ua", "ui"})


def _tone_positions(nucleus: str, final: str) -> frozenset[int]:
    """Where the tone mark may sit in a vowel group (old and new placement both accepted)."""
    if len(nucleus) == 1:
        return frozenset({0})
    marked = [i for i, c in enumerate(nucleus) if c in _MARKED_VOWELS]
    if marked:
        return frozenset({marked[-1]})  # ươ → ơ, uyê → ê, âu → â
    if nucleus in ("oa", "oe", "uy"):
        return frozenset({0, 1}) if not final else frozenset({1})  # hòa/hoà, hoàng
    if nucleus in _OFFGLIDE_PAIRS:
        return frozenset({0})  # hài, kẹo, nghĩa, của
    if nucleus in ("oai", "oay", "oao", "oeo", "uya", "uyu"):
        return frozenset({1})  # ngoài, khuỷu
    return frozenset(range(len(nucleus)))


@lru_cache(maxsize=65536)
def is_vietnamese_word(word: str) -> bool:
    """True when word is one well-formed Vietnamese syllable with sensible capitalisation."""
    tone = ""
    tone_at = -1
    parts = []
    seen_lower = False
    for i, ch in enumerate(word):
        info = _LETTERS.get(ch)
        if info is None:
            return False
        if ch.isupper():
            if seen_lower:  # "NguyÔn": a capital after a small letter
                return False
        else:
            seen_lower = True
        base, t = info
        if t:
            if tone:
                return False
            tone, tone_at = t, i
        parts.append(base)
    w = "".join(parts)
    for init in _INITIALS:
        if not w.startswith(init):
            continue
        rest = w[len(init):]
        for fin in _FINALS:
            if fin and not rest.endswith(fin):
                continue
            nucleus = rest[: len(rest) - len(fin)]
            allowed = _NUCLEI.get(nucleus)
            if allowed is None or fin not in allowed:
                continue
            if fin in _STOPS and tone not in (_ACUTE, _DOT):
                continue
            if tone and (tone_at - len(init)) not in _tone_positions(nucleus, fin):
                continue
            return True
    return False


# --- scanning -------------------------------------------------------------------------------------------
_LEGACY_CHARS = frozenset(TCVN3_TO_UNICODE) | frozenset(VNI_MARKS) | frozenset(VNI_LETTERS)
# Characters that are not Vietnamese letters but are letters in TCVN3 or VNI: a strong legacy signal.
_SIGNAL = frozenset(c for c in _LEGACY_CHARS if c not in _LETTERS)
_TCVN3_SIGNAL = frozenset(c for c in _SIGNAL if c in TCVN3_TO_UNICODE)
_VNI_SIGNAL = frozenset(c for c in _SIGNAL if c in VNI_MARKS or c in VNI_LETTERS)

_LATIN1_RE = re.compile("[\u0080-\u00ff]")
_MODERN_RE = re.compile(
    "[" + "".join(sorted(c for c in VIETNAMESE_LETTERS if ord(c) > 0xFF)) + "]"
)
_WORD_RE = re.compile(
    r"(?:[^\W\d_]|[" + re.escape("".join(sorted(_LEGACY_CHARS))) + r"])+"
)


def has_unicode_only_letters(s: str) -> bool:
    """True when s holds Vietnamese letters no legacy font has (ă, đ, ơ, ư, ạ, …): it was typed in Unicode."""
    return _MODERN_RE.search(s) is not None


def _words(s: str) -> list[str]:
    """Words carrying a non-ASCII character; a lone symbol between spaces counts as punctuation."""
    return [w for w in _WORD_RE.findall(s) if not w.isascii() and (len(w) > 1 or w.isalpha())]


def _is_legacy_word_char(c: str) -> bool:
    return 0x80 <= ord(c) <= 0xFF and (c in _LEGACY_CHARS or c.isalpha())


def _decode_tcvn3(s: str, person_name: bool = False) -> str | None:
    """TCVN3 reading of s, or None when s holds a Latin-1 letter TCVN3 does not use."""
    for c in s:
        if _is_legacy_word_char(c) and c not in TCVN3_TO_UNICODE:
            return None
    out = s.translate(_TCVN3_TABLE)
    ascii_letters = [c for c in s if c.isascii() and c.isalpha()]
    if ascii_letters and all(c.isupper() for c in ascii_letters) and any(
        c.isascii() and c.isalpha() for w in s.split() for c in w[1:]
    ):
        # Typed in an all-capitals ".VnTimeH" font: the small-letter codes draw capitals. A capital inside
        # a word tells it ("NGUYÔN", "§øC"); "Lß Sü Hµ", capitals only in front, is "Lò Sỹ Hà".
        return out.upper()
    # In a person's name, a word that starts with a letter TCVN3 has only in lower case, among capitalised
    # words ("Lª ¸nh" is "Lê Ánh": the typist had no capital Á).
    src_words = s.split(" ")
    if person_name and len(src_words) > 1:
        out_words = out.split(" ")  # the translation is one character for one, so words line up
        fixable = {i for i, w in enumerate(src_words) if w and w[0] in _TCVN3_LOWER_ONLY}
        others = [w[0] for i, w in enumerate(out_words) if i not in fixable and w and w[0].isalpha()]
        if fixable and others and all(c.isupper() for c in others):
            for i in fixable:
                out_words[i] = out_words[i][0].upper() + out_words[i][1:]
            out = " ".join(out_words)
    return out


def _decode_vni(s: str) -> str | None:
    """VNI reading of s, or None when a mark has no letter to sit on or a letter is not VNI."""
    out: list[str] = []
    takes: frozenset[str] = frozenset()  # marks the last output letter still accepts
    for c in s:
        mark = VNI_MARKS.get(c)
        if mark is not None:
            kind, combining = mark
            if not out or kind not in takes or (combining == _DOT and out[-1] in "yY"):
                return None  # VNI has one-byte ì í ỉ ĩ ị ỵ: a mark never follows i, nor a dot y
            composed = unicodedata.normalize("NFC", out[-1] + combining)
            if len(composed) != 1:
                return None
            out[-1] = composed
            takes = frozenset()
            continue
        letter = VNI_LETTERS.get(c)
        if letter is not None:
            out.append(letter)
            takes = _VNI_BASE_KINDS.get(letter.lower(), frozenset())
            continue
        if _is_legacy_word_char(c):
            return None
        out.append(c)
        takes = _VNI_BASE_KINDS.get(c.lower(), frozenset()) if c.isascii() else frozenset()
    return unicodedata.normalize("NFC", "".join(out))


_DECODERS = {TCVN3: _decode_tcvn3, VNI: _decode_vni}


def _score(words: list[str]) -> float:
    """Share of words that are Vietnamese syllables (1.0 when there is nothing to judge)."""
    if not words:
        return 1.0
    return sum(1 for w in words if is_vietnamese_word(w)) / len(words)


def _guess(s: str) -> str | None:
    """The legacy encoding whose signal characters s holds most of."""
    t = sum(1 for c in s if c in _TCVN3_SIGNAL)
    v = sum(1 for c in s if c in _VNI_SIGNAL)
    if not t and not v:
        return None
    return TCVN3 if t >= v else VNI


def _fix_eth(s: str) -> str:
    """Replace the look-alike Ð/ð (Icelandic eth) with Vietnamese Đ/đ."""
    return s.replace("Ð", "Đ").replace("ð", "đ") if ("Ð" in s or "ð" in s) else s


_MIN_SCORE = 0.75


def _quote(s: str) -> str:
    return "“" + s + "”"


def to_unicode(s: str, prefer: str | None = None, *, person_name: bool = False) -> tuple[str, str | None]:
    """(text in Unicode NFC, legacy encoding it was converted from or None).

    person_name: s is a person's name, so a TCVN3 word typed with a small first letter for want of a capital
    code ("Lª ¸nh") is capitalised like the others ("Lê Ánh").
    A few legacy texts also read as valid Unicode ("Khóc Thõa Dô" is TCVN3 for "Khúc Thừa Dụ"); they stay
    Unicode unless prefer names the encoding the rest of the row or sheet was typed in.
    Raises LegacyEncodingError when the text looks typed in TCVN3/VNI but cannot be converted with confidence
    (a mix of Unicode and legacy letters, a reading that does not make Vietnamese words, or two readings).
    """
    if not s:
        return "", None
    s = unicodedata.normalize("NFC", s)
    if not _LATIN1_RE.search(s):
        return s, None
    decoders = {TCVN3: (lambda t: _decode_tcvn3(t, person_name)), VNI: _decode_vni}
    words = _words(s)
    bad = [w for w in words if not is_vietnamese_word(w)]
    if not bad:
        if prefer in decoders and not _MODERN_RE.search(s):
            decoded = decoders[prefer](s)
            if decoded is not None and decoded != s and _score(_words(decoded)) == 1.0:
                return unicodedata.normalize("NFC", decoded), prefer
        return _fix_eth(s), None
    if _MODERN_RE.search(s):
        # Unicode letters that legacy fonts cannot hold are present: only a mix would be legacy here.
        for w in bad:
            if any(c in _SIGNAL for c in w) or any(
                (d := dec(w)) is not None and is_vietnamese_word(d) for dec in _DECODERS.values()
            ):
                raise LegacyEncodingError(
                    f"Văn bản {_quote(s)} lẫn chữ Unicode với chữ gõ bằng bảng mã cũ (TCVN3/VNI), "
                    "không chuyển đổi được chắc chắn. Hãy gõ lại bằng Unicode.",
                    s,
                    _guess(s),
                    LegacyEncodingError.MIXED,
                )
        return _fix_eth(s), None

    unicode_score = _score(words)
    readings: list[tuple[float, str, str]] = []
    for enc, decode in decoders.items():
        decoded = decode(s)
        if decoded is None:
            continue
        score = _score(_words(decoded))
        if score >= _MIN_SCORE and score > unicode_score:
            readings.append((score, enc, decoded))
    if len(readings) == 2 and readings[0][2] == readings[1][2]:
        readings = readings[:1]
    if len(readings) == 2 and readings[0][0] != readings[1][0]:
        readings = [max(readings)]
    if len(readings) == 2 and prefer in decoders:
        readings = [r for r in readings if r[1] == prefer]
    if len(readings) == 1:
        _, enc, decoded = readings[0]
        return unicodedata.normalize("NFC", decoded), enc
    if readings:
        raise LegacyEncodingError(
            f"Văn bản {_quote(s)} có thể là bảng mã TCVN3 hoặc VNI, không xác định được chắc chắn. "
            "Hãy gõ lại bằng Unicode.",
            s,
            None,
            LegacyEncodingError.AMBIGUOUS,
        )
    looks_legacy = any(c in _SIGNAL for w in bad for c in w) or any(
        _has_inner_capital(w) for w in bad
    )
    if looks_legacy:
        raise LegacyEncodingError(
            f"Văn bản {_quote(s)} có vẻ được gõ bằng bảng mã cũ (TCVN3/VNI) nhưng không chuyển sang "
            "Unicode được chắc chắn. Hãy gõ lại bằng Unicode.",
            s,
            _guess(s),
            LegacyEncodingError.UNREADABLE,
        )
    return _fix_eth(s), None


def _has_inner_capital(word: str) -> bool:
    """A Latin-1 capital after a small letter, as in "NguyÔn"."""
    seen_lower = False
    for c in word:
        if c.islower():
            seen_lower = True
        elif c.isupper() and seen_lower and not c.isascii():
            return True
    return False


def detect_legacy(s: str, prefer: str | None = None, *, person_name: bool = False) -> str | None:
    """"TCVN3", "VNI" or None (Unicode or plain ASCII); a best guess for text that cannot be converted."""
    try:
        return to_unicode(s, prefer, person_name=person_name)[1]
    except LegacyEncodingError as exc:
        return exc.encoding or _guess(s) or TCVN3
