"""The kiosk's journal key and sealing: AES-256-GCM with a per-kiosk key in a file only the kiosk user can read."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE = "journal.key"
_NONCE_BYTES = 12


def load_or_create_key(data_dir: Path) -> bytes:
    """The kiosk's key, created 0600 on first use (O_EXCL: two processes starting at once cannot both write one)."""
    path = data_dir / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) != 32:
            raise ValueError("journal key file is damaged") from None
        return key
    key = AESGCM.generate_key(bit_length=256)
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


class Sealer:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plain: bytes, bound_to: str) -> tuple[bytes, bytes]:
        """(nonce, ciphertext); `bound_to` (the entry's key) is authenticated, so rows cannot be swapped."""
        nonce = os.urandom(_NONCE_BYTES)
        return nonce, self._aead.encrypt(nonce, plain, bound_to.encode())

    def open(self, nonce: bytes, sealed: bytes, bound_to: str) -> bytes:
        return self._aead.decrypt(nonce, sealed, bound_to.encode())
