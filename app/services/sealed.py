"""Sealing a file at rest with a key the server does not keep whole.

A credential sheet holds one-time passwords in clear. It is written to disk sealed with a key made
of two random halves: one in the database row that binds the sheet to its owner's session, one in the
owner's cookie (``split_key``/``join_key``). Neither half opens the file alone, and the first download
deletes it. Stdlib only: HMAC-SHA256 in counter mode as the keystream, and an HMAC-SHA256 tag over
nonce and ciphertext (encrypt-then-MAC).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

_BLOCK = 32


class SealError(ValueError):
    """The sealed file is missing, altered, or the key is wrong."""


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def _subkeys(key: bytes) -> tuple[bytes, bytes]:
    return (hmac.new(key, b"enc", hashlib.sha256).digest(), hmac.new(key, b"mac", hashlib.sha256).digest())


def seal(data: bytes, key: bytes) -> bytes:
    enc, mac = _subkeys(key)
    nonce = secrets.token_bytes(16)
    stream = _keystream(enc, nonce, len(data))
    cipher = bytes(a ^ b for a, b in zip(data, stream))
    tag = hmac.new(mac, nonce + cipher, hashlib.sha256).digest()
    return nonce + tag + cipher


def unseal(blob: bytes, key: bytes) -> bytes:
    if len(blob) < 16 + _BLOCK:
        raise SealError("Tệp đã hỏng.")
    enc, mac = _subkeys(key)
    nonce, tag, cipher = blob[:16], blob[16:48], blob[48:]
    if not hmac.compare_digest(tag, hmac.new(mac, nonce + cipher, hashlib.sha256).digest()):
        raise SealError("Không mở được tệp (khóa không đúng hoặc tệp đã bị sửa).")
    stream = _keystream(enc, nonce, len(cipher))
    return bytes(a ^ b for a, b in zip(cipher, stream))


def split_key() -> tuple[bytes, bytes]:
    """Two random halves of a new key (server half, client half)."""
    return secrets.token_bytes(32), secrets.token_bytes(32)


def join_key(server_half: bytes, client_half: bytes) -> bytes:
    """The file key from its two halves; either half alone says nothing about it."""
    return hmac.new(server_half, b"credential-sheet" + client_half, hashlib.sha256).digest()


def _path(folder: Path, token: str) -> Path:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise SealError("Mã tệp không hợp lệ.")
    return folder / f"{token}.sealed"


def store(folder: Path, data: bytes, key: bytes) -> str:
    """Seal ``data`` with ``key`` into a new file under ``folder``; return its token. Keep the key elsewhere."""
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(16)
    path = _path(folder, token)
    path.write_bytes(seal(data, key))
    os.chmod(path, 0o600)
    return token


def take(folder: Path, token: str, key: bytes) -> bytes:
    """Open and delete a sealed file (one download)."""
    path = _path(folder, token)
    if not path.exists():
        raise SealError("Tệp không còn (đã tải về hoặc đã hết hạn).")
    data = unseal(path.read_bytes(), key)
    path.unlink()
    return data


def discard(folder: Path, token: str) -> None:
    """Delete a sealed file if it is still there."""
    try:
        _path(folder, token).unlink(missing_ok=True)
    except SealError:
        pass
