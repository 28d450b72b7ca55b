"""Sealing a file at rest with a key the server does not keep.

The credential sheet of an import holds one-time passwords in clear. It is written to disk sealed
with a random key that lives only in the importing admin's session; the server alone cannot open
it, and the first download deletes it. Stdlib only: HMAC-SHA256 in counter mode as the keystream,
and an HMAC-SHA256 tag over nonce and ciphertext (encrypt-then-MAC).
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


def store(folder: Path, data: bytes) -> tuple[str, str]:
    """Seal ``data`` into a new file under ``folder``; return (token, hex key). Keep the key elsewhere."""
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(16)
    key = secrets.token_bytes(32)
    path = folder / f"{token}.sealed"
    path.write_bytes(seal(data, key))
    os.chmod(path, 0o600)
    return token, key.hex()


def take(folder: Path, token: str, key_hex: str) -> bytes:
    """Open and delete a sealed file (one download)."""
    if not token.replace("-", "").replace("_", "").isalnum():
        raise SealError("Mã tệp không hợp lệ.")
    path = folder / f"{token}.sealed"
    if not path.exists():
        raise SealError("Tệp không còn (đã tải về hoặc đã hết hạn).")
    data = unseal(path.read_bytes(), bytes.fromhex(key_hex))
    path.unlink()
    return data
