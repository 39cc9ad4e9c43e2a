"""The key file that seals the hub's config-signing key (and the other secrets the hub keeps in its database, such
as the BHXH lookup officer's CCCD): 32 random bytes, outside the database, mode 0600.

A copy of the database (a backup, a stolen disk image, an SQL injection reading tables) holds the signing key
only sealed with AES-256-GCM under this file's key, so it cannot sign configurations. Every hub process of one
hospital reads the same file (copy it to each host before its hub first starts). The file is made on the first
start that needs it, unless the database already holds a key sealed by another file: then the hub refuses to
guess and says which file it needs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger("kiosk_hub.keys")

_NONCE_BYTES = 12
_AAD = b"vn-hospital-kiosk hub: "


class KeyFileError(RuntimeError):
    """The key file is missing, unreadable, readable by others, or not the one that sealed the key."""


def file_key_id(file_key: bytes) -> str:
    """Names a key file's key (in the database, beside what it sealed) without revealing it."""
    return hashlib.sha256(b"key-file-id " + file_key).hexdigest()[:16]


def read_key_file(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read the key file {path}: {type(exc).__name__}") from exc
    if mode & 0o077:
        raise KeyFileError(f"the key file {path} is readable by other users: chmod 600 it (and check who copied it)")
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFileError(f"the key file {path} is not base64") from exc
    if len(key) != 32:
        raise KeyFileError(f"the key file {path} does not hold a 32-byte key")
    return key


def create_key_file(path: Path) -> bytes:
    """A new key file (0600, its directory 0700), or the one another hub process made at the same moment."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".key-", dir=path.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as tmp:
            tmp.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
            tmp.flush()
            os.fsync(tmp.fileno())
        os.link(tmp_name, path)  # fails if another process got there first: theirs wins
    except FileExistsError:
        return read_key_file(path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    log.warning(
        "created the config-signing key file %s (mode 0600): back it up apart from the database, and copy it to "
        "every host that runs this hub; without it the hub cannot sign kiosk configurations",
        path,
    )
    return read_key_file(path)


def seal(file_key: bytes, label: str, secret: bytes) -> str:
    """`secret` sealed for the database: base64 of nonce and ciphertext, bound to `label` (what it is: a sealed
    value cannot be passed off as another)."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return base64.b64encode(nonce + AESGCM(file_key).encrypt(nonce, secret, _AAD + label.encode())).decode()


def unseal(file_key: bytes, label: str, sealed: str) -> bytes:
    blob = base64.b64decode(sealed)
    try:
        return AESGCM(file_key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _AAD + label.encode())
    except InvalidTag as exc:
        raise KeyFileError(f"the key file does not open {label}") from exc
