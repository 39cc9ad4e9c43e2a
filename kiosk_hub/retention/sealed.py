"""The hub's backup file: the store's dump encrypted and authenticated with a key IT holds, written and read as a
stream of chunks.

Layout: a header (magic, format, a random salt, and JSON metadata) then chunks of at most 64 KiB, each sealed with
AES-256-GCM under a key derived for this file (HKDF-SHA256 of IT's key and the salt), as age and Tink's streaming
AEAD do: the nonce is the chunk's number and a flag on the last one, and every chunk's associated data is the
header's digest. So a changed byte anywhere, a swapped, dropped or added chunk, a cut-off end or a header from
another file is refused, and nothing of a refused file is used.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"KIOSK-HUB-BACKUP"
FORMAT = 1
CHUNK = 64 * 1024
TAG = 16
SALT = 16
KEY_PREFIX = "kiosk-hub-backup-key:1:"
MAX_HEADER = 64 * 1024


class BackupError(Exception):
    """A backup (or key) that cannot be used; the message says why in words IT can act on."""


@dataclass(frozen=True)
class BackupKey:
    secret: bytes

    @property
    def key_id(self) -> str:
        """Names the key in a backup's header without revealing it: which key made this file?"""
        return hashlib.sha256(b"kiosk-hub backup key id\0" + self.secret).hexdigest()[:16]

    @classmethod
    def new(cls) -> BackupKey:
        return cls(secrets.token_bytes(32))

    def write(self, path: Path) -> None:
        """Creates the key file, owner-only (0600); refuses to replace one (that key may be all that opens a backup)."""
        text = KEY_PREFIX + base64.urlsafe_b64encode(self.secret).decode() + "\n"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)

    @classmethod
    def read(cls, path: Path) -> BackupKey:
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise BackupError(f"cannot read the backup key {path}: {exc}") from exc
        if mode & 0o077:
            raise BackupError(f"the backup key {path} is readable by others (mode {mode & 0o777:o}): chmod 600 it")
        if not text.startswith(KEY_PREFIX):
            raise BackupError(f"{path} is not a kiosk-hub backup key (make one with `kiosk-hub backup-key new`)")
        try:
            secret = base64.urlsafe_b64decode(text.removeprefix(KEY_PREFIX))
        except ValueError as exc:
            raise BackupError(f"the backup key {path} is damaged") from exc
        if len(secret) != 32:
            raise BackupError(f"the backup key {path} is damaged")
        return cls(secret)


def _file_cipher(key: BackupKey, salt: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"kiosk-hub backup v1").derive(key.secret)
    return AESGCM(derived)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def seal(key: BackupKey, metadata: dict[str, object], chunks: Iterable[bytes | memoryview], out: BinaryIO) -> None:
    """Writes the header and the sealed chunks of `chunks` (pieces of any size, re-cut to CHUNK) to `out`."""
    salt = secrets.token_bytes(SALT)
    body = json.dumps({**metadata, "key_id": key.key_id}, sort_keys=True).encode()
    header = MAGIC + bytes([FORMAT]) + salt + struct.pack(">I", len(body)) + body
    out.write(header)
    cipher, aad = _file_cipher(key, salt), hashlib.sha256(header).digest()
    index, held = 0, None
    for piece in _recut(chunks):  # one piece held back: the last is only known once the input ends
        if held is not None:
            out.write(cipher.encrypt(_nonce(index, False), held, aad))
            index += 1
        held = piece
    out.write(cipher.encrypt(_nonce(index, True), b"" if held is None else held, aad))


def _recut(chunks: Iterable[bytes | memoryview]) -> Iterator[bytes | memoryview]:
    """The input as pieces of exactly CHUNK bytes and a shorter tail; a large input is sliced, never copied whole."""
    carry = bytearray()
    for data in chunks:
        view = memoryview(data)
        if carry:
            take = min(CHUNK - len(carry), len(view))
            carry += view[:take]
            view = view[take:]
            if len(carry) < CHUNK:
                continue
            yield bytes(carry)
            carry = bytearray()
        while len(view) >= CHUNK:
            yield view[:CHUNK]
            view = view[CHUNK:]
        carry += view
    if carry:
        yield bytes(carry)


def unseal(key: BackupKey, source: BinaryIO) -> tuple[dict[str, object], Iterator[bytes]]:
    """The header's metadata and an iterator of the plaintext chunks; the iterator raises BackupError at the first
    chunk that fails. Read a backup through once to check it before using any of it."""
    head = source.read(len(MAGIC) + 1 + SALT + 4)
    if len(head) < len(MAGIC) + 1 + SALT + 4 or not head.startswith(MAGIC):
        raise BackupError("this is not a kiosk-hub backup")
    if head[len(MAGIC)] != FORMAT:
        raise BackupError(f"backup format {head[len(MAGIC)]} is not known to this hub (it reads {FORMAT})")
    salt = head[len(MAGIC) + 1 : len(MAGIC) + 1 + SALT]
    (length,) = struct.unpack(">I", head[-4:])
    body = source.read(length) if length <= MAX_HEADER else b""
    try:
        metadata = json.loads(body)
    except ValueError as exc:
        raise BackupError("the backup's header is damaged or was tampered with") from exc
    if not isinstance(metadata, dict):
        raise BackupError("the backup's header is damaged or was tampered with")
    if metadata.get("key_id") != key.key_id:
        raise BackupError(
            f"this backup was made with another key (key id {metadata.get('key_id')}; this key is {key.key_id})"
        )
    aad = hashlib.sha256(head + body).digest()
    return metadata, _chunks(_file_cipher(key, salt), aad, source)


def _chunks(cipher: AESGCM, aad: bytes, source: BinaryIO) -> Iterator[bytes]:
    index, block = 0, source.read(CHUNK + TAG)
    while True:
        following = source.read(CHUNK + TAG) if len(block) == CHUNK + TAG else b""
        last = not following
        try:
            yield cipher.decrypt(_nonce(index, last), block, aad)
        except InvalidTag:
            raise BackupError(
                f"the backup is damaged or was tampered with (chunk {index}{', the end is missing' if last else ''})"
            ) from None
        if last:
            return
        index, block = index + 1, following
