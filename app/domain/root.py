"""The instance's root: its name and its kind ("Phường", "Xã", "Thành phố", "Sở", …), and the words
every screen, export and message uses for it instead of a hard-coded "quận".

Since 1/7/2025 Hà Nội has no district level: an instance serves a ward, a commune, a city department or
the whole city. The running app installs a provider (``install``) that reads its settings; outside an app
the default root (a ward) answers, so the domain stays pure.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

# Longest first: "Thành phố Hà Nội" must not match "Thành".
KNOWN_KINDS: tuple[str, ...] = (
    "Thành phố", "Thị xã", "Thị trấn", "Đặc khu", "Phường", "Xã", "Quận", "Huyện", "Tỉnh", "Sở", "Ban", "Cục", "Bộ",
)

DEFAULT_NAME = "Phường Ba Đình"
DEFAULT_KIND = "Phường"


def infer_kind(name: str) -> Optional[str]:
    """The kind a root's name starts with ("Quận Ba Đình" → "Quận"), or None."""
    text = " ".join((name or "").split())
    folded = text.lower()
    for kind in sorted(KNOWN_KINDS, key=len, reverse=True):
        k = kind.lower()
        if folded == k or folded.startswith(k + " "):
            return kind
    return None


@dataclass(frozen=True)
class Root:
    """The root of the org tree and its words (kind "Phường" → "cấp phường", "toàn phường")."""

    name: str
    kind: str

    @property
    def word(self) -> str:
        """The kind in lower case: "phường", "thành phố", "sở"."""
        return self.kind[:1].lower() + self.kind[1:]

    @property
    def level(self) -> str:
        return f"cấp {self.word}"

    @property
    def admin(self) -> str:
        """The root's administrator, inside a sentence: "quản trị cấp phường"."""
        return f"quản trị cấp {self.word}"

    @property
    def admin_title(self) -> str:
        """The same at the start of a label: "Quản trị cấp phường"."""
        return f"Quản trị cấp {self.word}"

    @property
    def whole(self) -> str:
        """Everything under the root: "toàn phường"."""
        return f"toàn {self.word}"

    @property
    def whole_title(self) -> str:
        return f"Toàn {self.word}"

    @property
    def kind_title(self) -> str:
        return self.kind[:1].upper() + self.kind[1:]


DEFAULT_ROOT = Root(DEFAULT_NAME, DEFAULT_KIND)

_provider: Callable[[], Optional[Root]] = lambda: None


def install(provider: Callable[[], Optional[Root]]) -> None:
    """Set where ``current`` reads the running instance's root (the app's settings)."""
    global _provider
    _provider = provider


def current() -> Root:
    """The running instance's root, or the default one outside an app."""
    try:
        found = _provider()
    except RuntimeError:  # no app context
        found = None
    return found or DEFAULT_ROOT


__all__ = ["Root", "KNOWN_KINDS", "DEFAULT_ROOT", "infer_kind", "install", "current"]
