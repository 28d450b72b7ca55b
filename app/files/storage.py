"""Evidence files on disk: one folder (``EVIDENCE_DIR``; several app servers share a mounted one).

Files are named by the SHA-256 of their bytes (``ab/cd/abcd…``): the same file uploaded twice is stored
once, nothing of the name a person gave reaches the disk, and no state beyond the folder is needed.
Writes go to a temporary name and are renamed into place, so a reader never sees half a file.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Optional, Protocol


class Storage(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, digest: str) -> Optional[bytes]: ...
    def exists(self, digest: str) -> bool: ...


def _valid(digest: str) -> bool:
    return len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


class LocalStorage:
    """A folder of content-addressed files."""

    def __init__(self, root: os.PathLike | str):
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if not _valid(digest):
            raise ValueError("not a sha256 digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".up-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        return digest

    def get(self, digest: str) -> Optional[bytes]:
        try:
            return self.path(digest).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def exists(self, digest: str) -> bool:
        try:
            return self.path(digest).exists()
        except ValueError:
            return False


def evidence_storage() -> LocalStorage:
    """The running app's evidence folder (``EVIDENCE_DIR``, default ``<instance>/evidence``)."""
    from app.settings import settings

    s = settings()
    return LocalStorage(s.evidence_dir or Path(s.instance_dir or "instance") / "evidence")
