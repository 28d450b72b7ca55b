"""Who comments on and who grades a person: the texts of two Mẫu 01 columns resolved to people."""
from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace

from app.domain.text import fold, normalize_text

OK = "ok"
AMBIGUOUS = "ambiguous"
UNKNOWN = "unknown"
EMPTY = "empty"


@dataclass(frozen=True)
class Person:
    """Somebody a routing text may name."""

    key: Hashable  # whatever the caller identifies people by (a user id, a sheet row, …)
    username: str | None
    full_name: str
    unit: str | None  # the unit's name, as people read it
    place: Hashable = None  # what identifies the unit (an id); None: the folded unit name


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one text: status, the person when found, the candidates when ambiguous."""

    status: str  # "ok" | "ambiguous" | "unknown" | "empty"
    person: Person | None = None
    candidates: tuple[Person, ...] = field(default=())
    text: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    @property
    def message(self) -> str:
        """What a person reads about this outcome (empty when found or blank)."""
        if self.status == AMBIGUOUS:
            who = "; ".join(
                f"{p.full_name} ({p.username or 'chưa có tài khoản'}, {p.unit or 'không rõ đơn vị'})"
                for p in self.candidates
            )
            return (
                f"Có {len(self.candidates)} người cùng tên “{self.text}”: {who}. "
                "Hãy ghi tài khoản của người cần chọn."
            )
        if self.status == UNKNOWN:
            return f"Không tìm thấy người có tên hoặc tài khoản “{self.text}”."
        return ""


_HONORIFICS = (("dong", "chi"), ("d/c",), ("dc",), ("d.c",), ("ong",), ("ba",), ("anh",), ("chi",))
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
_SEPARATORS = re.compile(r"\s+[-–—]\s+|\s*[,;]\s*")


def _variants(text: str) -> list[str]:
    """Cleaner readings of a routing text: the e-mail's local part, without "(…)", honorifics, "- title"."""
    out: list[str] = []
    if "@" in text:
        out.append(text.split("@", 1)[0])
    t = normalize_text(_PARENS.sub(" ", text))
    t = _SEPARATORS.split(t)[0] if t else t
    words = t.split()
    folded = [fold(w) for w in words]
    for h in _HONORIFICS:
        if len(words) > len(h) + 1 and tuple(folded[: len(h)]) == h:
            words = words[len(h):]
            break
    t = " ".join(words)
    if t and t != text:
        out.append(t)
    return out


class Directory:
    """People indexed by username, by (unit, full name) and by full name: O(1) lookups."""

    def __init__(self, people: Iterable[Person] = ()):
        self._by_key: dict[Hashable, Person] = {}
        self._by_username: dict[str, list[Person]] = {}
        self._by_unit_name: dict[tuple[str, str], list[Person]] = {}
        self._by_name: dict[str, list[Person]] = {}
        for p in people:
            self.add(p)

    def __len__(self) -> int:
        return len(self._by_key)

    def _keys(self, p: Person) -> tuple[str | None, tuple[Hashable, str], str]:
        name = fold(p.full_name)
        username = p.username.strip().lower() if p.username else None
        return username, (p.place if p.place is not None else fold(p.unit), name), name

    def add(self, person: Person) -> None:
        """Add a person; one with the same key is replaced."""
        if person.key in self._by_key:
            self.remove(person.key)
        self._by_key[person.key] = person
        username, unit_name, name = self._keys(person)
        if username:
            self._by_username.setdefault(username, []).append(person)
        self._by_unit_name.setdefault(unit_name, []).append(person)
        self._by_name.setdefault(name, []).append(person)

    def remove(self, key: Hashable) -> None:
        """Forget the person with this key (nothing happens when there is none)."""
        person = self._by_key.pop(key, None)
        if person is None:
            return
        username, unit_name, name = self._keys(person)
        for index, k in ((self._by_username, username), (self._by_unit_name, unit_name), (self._by_name, name)):
            if k is None:
                continue
            bucket = index.get(k)
            if bucket:
                bucket[:] = [p for p in bucket if p.key != key]
                if not bucket:
                    del index[k]

    def resolve(self, text: object, unit: object = None, place: Hashable = None) -> Resolution:
        """Exact username; else full name in the same unit; else full name among everybody in the directory.

        The unit is ``place`` when given (people added with the same ``place``), else the unit's name.
        """
        t = normalize_text(text)
        if not t:
            return Resolution(EMPTY, text=t)
        unit_key = place if place is not None else fold(unit)
        result = self._resolve(t, unit_key)
        if result.status == UNKNOWN:
            for variant in _variants(t):
                found = self._resolve(variant, unit_key)
                if found.status != UNKNOWN:
                    result = found
                    break
        return replace(result, text=t)

    def _resolve(self, t: str, unit_key: Hashable) -> Resolution:
        hits = self._by_username.get(t.lower())
        if hits:
            return _decide(hits)
        name = fold(t)
        if unit_key:
            hits = self._by_unit_name.get((unit_key, name))
            if hits:
                return _decide(hits)
        hits = self._by_name.get(name)
        if hits:
            return _decide(hits)
        return Resolution(UNKNOWN)


def _decide(hits: list[Person]) -> Resolution:
    if len(hits) == 1:
        return Resolution(OK, hits[0], (hits[0],))
    return Resolution(AMBIGUOUS, None, tuple(hits))
