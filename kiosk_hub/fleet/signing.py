"""The hub's config-signing keys: the active one signs each configuration as it is served; a rotation retires it
(`key_rotation.py`). Private halves live in the database sealed with the key file's key (`key_file.py`); each hub
process opens a key once and keeps it in memory.
"""

from __future__ import annotations

import base64
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.remote_config.envelope import key_id_of
from kiosk_hub.fleet.key_file import KeyFileError, create_key_file, file_key_id, read_key_file, seal, unseal
from kiosk_hub.fleet.models import ACTIVE_KEY, ConfigSigningKey

log = logging.getLogger("kiosk_hub.keys")


class SigningKeyUnavailableError(RuntimeError):
    """The hub cannot sign configurations now: no key yet, or the key file is missing or wrong (`KeyFileError`)."""


@dataclass(frozen=True)
class HubSigningKey:
    private: Ed25519PrivateKey
    key_id: str
    public_b64: str

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self.private.sign(data)).decode("ascii")


def _public_b64(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


_ACTIVE = select(ConfigSigningKey).where(ConfigSigningKey.active == ACTIVE_KEY)


def _label(key_id: str) -> str:
    return f"configuration key {key_id}"


class ConfigKeys:
    """The keys as one hub process sees them: the key file read once, each key opened once."""

    def __init__(self, key_file: Path) -> None:
        self.key_file = key_file
        self._file_key: bytes | None = None
        self._opened: dict[str, HubSigningKey] = {}
        self._lock = threading.Lock()

    def active(self, session: Session, *, for_update: bool = False) -> HubSigningKey:
        row = session.scalars(_ACTIVE.with_for_update() if for_update else _ACTIVE).first()
        if row is None:
            raise SigningKeyUnavailableError("no configuration key yet")
        return self.open(session, row)

    def prepare(self, session: Session, now: datetime) -> HubSigningKey:
        """The active key, made if there is none; a key an older hub kept in clear is sealed now. The hub calls
        this at start (and `kiosk-hub migrate` after upgrading), so the key file is made then, with its log line."""
        for row in session.scalars(select(ConfigSigningKey).where(ConfigSigningKey.private_pem.is_not(None))):
            self._seal_clear_key(session, row)
        try:
            return self.active(session)
        except SigningKeyUnavailableError:
            pass
        try:
            with session.begin_nested():
                return self.add(session, now, active=True)
        except IntegrityError:  # another hub process made it first: use theirs
            return self.active(session)

    def add(self, session: Session, now: datetime, *, active: bool) -> HubSigningKey:
        """A new key, sealed with the key file's key and stored (the active one, or not yet)."""
        file_key = self._key_of_file(session)
        private = Ed25519PrivateKey.generate()
        raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        key = HubSigningKey(private, key_id_of(raw), _public_b64(private))
        sealed = seal(file_key, _label(key.key_id), private.private_bytes_raw())
        session.add(
            ConfigSigningKey(
                key_id=key.key_id, public_b64=key.public_b64, private_sealed=sealed, sealed_by=file_key_id(file_key),
                active=ACTIVE_KEY if active else None, created_at=now,
            )
        )  # fmt: skip
        session.flush()
        self._opened[key.key_id] = key
        return key

    def open(self, session: Session, row: ConfigSigningKey) -> HubSigningKey:
        found = self._opened.get(row.key_id)
        if found is not None:
            return found
        if row.private_sealed is not None:
            try:
                raw = unseal(self._key_of_file(session), _label(row.key_id), row.private_sealed)
            except KeyFileError as exc:
                raise SigningKeyUnavailableError(f"{exc} (sealed by key file {row.sealed_by})") from exc
            private = Ed25519PrivateKey.from_private_bytes(raw)
        elif row.private_pem is not None:  # written by an older hub; sealed at this hub's next start
            loaded = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
            assert isinstance(loaded, Ed25519PrivateKey)
            private = loaded
        else:
            raise SigningKeyUnavailableError(f"configuration key {row.key_id} has no private half")
        if _public_b64(private) != row.public_b64:
            raise SigningKeyUnavailableError(f"configuration key {row.key_id} does not match its public half")
        key = self._opened[row.key_id] = HubSigningKey(private, row.key_id, row.public_b64)
        return key

    def seal_value(self, session: Session, label: str, secret: bytes) -> str:
        """Another secret of the hub's sealed with the same key file (made now if the hub has none yet)."""
        return seal(self._key_of_file(session), label, secret)

    def open_value(self, session: Session, label: str, sealed: str) -> bytes:
        try:
            return unseal(self._key_of_file(session), label, sealed)
        except KeyFileError as exc:
            raise SigningKeyUnavailableError(str(exc)) from exc

    def sealing_key_id(self, session: Session) -> str:
        """The key file's id, stored beside what it sealed."""
        return file_key_id(self._key_of_file(session))

    def _key_of_file(self, session: Session) -> bytes:
        with self._lock:
            if self._file_key is None:
                self._file_key = self._read_or_create(session)
            return self._file_key

    def _read_or_create(self, session: Session) -> bytes:
        try:
            return read_key_file(self.key_file)
        except FileNotFoundError:
            sealed = session.scalar(select(func.count()).where(ConfigSigningKey.private_sealed.is_not(None)))
            if sealed:
                raise SigningKeyUnavailableError(
                    f"the key file {self.key_file} is missing, and this database holds keys sealed by one: copy it "
                    "from another host of this hub or restore it from its backup (KIOSK_HUB_KEY_FILE names it)"
                ) from None
            return create_key_file(self.key_file)
        except KeyFileError as exc:
            raise SigningKeyUnavailableError(str(exc)) from exc

    def _seal_clear_key(self, session: Session, row: ConfigSigningKey) -> None:
        key = self.open(session, row)
        file_key = self._key_of_file(session)
        row.private_sealed = seal(file_key, _label(row.key_id), key.private.private_bytes_raw())
        row.sealed_by = file_key_id(file_key)
        row.private_pem = None
        session.flush()
        log.warning(
            "sealed configuration key %s, which an older hub kept in clear in the database; copies of the database "
            "made before now still hold it in clear: rotate it (kiosk-hub keys rotate-config) once every kiosk "
            "runs this release",
            row.key_id,
        )
