"""How guessable a chosen password is: the zxcvbn estimator behind the domain's ``PasswordEstimator``.

zxcvbn keeps the person's words in a module-level table it rewrites on every call, so calls are
serialised (about 4 ms each; passwords are chosen rarely). Its English feedback is not used: the match
patterns it found become the domain's reason keys, which the domain words in Vietnamese.
"""
from __future__ import annotations

import threading
from typing import Sequence

from zxcvbn import zxcvbn
from zxcvbn.matching import add_frequency_lists

from app.domain.accounts import PasswordEstimate
from app.domain.password_words import COMMON_WORDS

MAX_ESTIMATED_LENGTH = 72  # zxcvbn refuses longer input; what lies beyond only adds strength

add_frequency_lists({"vietnamese": list(dict.fromkeys(COMMON_WORDS))})
_lock = threading.Lock()

_DICTIONARY_REASONS = {
    "passwords": "common",
    "user_inputs": "personal",
    "vietnamese": "common_word",
    "english_wikipedia": "common_word",
    "us_tv_and_film": "common_word",
    "surnames": "name",
    "male_names": "name",
    "female_names": "name",
}
_PATTERN_REASONS = {"spatial": "keyboard", "repeat": "repeat", "sequence": "sequence", "date": "date"}


def _reasons(sequence: list[dict]) -> tuple[str, ...]:
    """Reason keys for the matches zxcvbn found, longest token first (the part that costs most)."""
    keys: list[str] = []
    for match in sorted(sequence, key=lambda m: -len(m.get("token", ""))):
        pattern = match.get("pattern")
        if pattern == "dictionary":
            keys.append(_DICTIONARY_REASONS.get(match.get("dictionary_name"), "common_word"))
            if match.get("reversed"):
                keys.append("reversed")
            if match.get("l33t"):
                keys.append("substitution")
        elif pattern == "regex" and match.get("regex_name") == "recent_year":
            keys.append("date")
        elif pattern in _PATTERN_REASONS:
            keys.append(_PATTERN_REASONS[pattern])
    return tuple(dict.fromkeys(keys))


def estimate(password: str, personal_words: Sequence[str]) -> PasswordEstimate:
    """zxcvbn's score (0..4) for ``password`` with the person's own words, and why it is low."""
    with _lock:
        result = zxcvbn(password[:MAX_ESTIMATED_LENGTH], user_inputs=list(personal_words))
    return PasswordEstimate(score=int(result["score"]), reasons=_reasons(result["sequence"]))
