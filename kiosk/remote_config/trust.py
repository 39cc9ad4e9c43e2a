"""What a kiosk trusts a configuration for: signed by the hub's key it pinned at enrolment (or a key that key
handed on to), meant for this kiosk, not expired, and not older than what its group ran when it enrolled.

A document from the hub passes every check (`check_served`). One read back from the kiosk's own disk was checked
when it arrived: it needs only a signature from a key this kiosk ever trusted and its own kiosk id
(`check_stored`); an expired one still runs (availability first) and is reported.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ValidationError

from kiosk.remote_config.enrolment import KioskCredentials
from kiosk.remote_config.envelope import ENVELOPE_FORMAT, KeyChange, SignedConfig
from kiosk.remote_config.schema import RemoteConfig
from kiosk.remote_config.signature import (
    ConfigRefusedError,
    load_public_key,
    public_key_id,
    verify,
    verify_key_change,
)
from kiosk.remote_config.store import CURRENT, LAST_GOOD, ConfigStore, atomic_write

log = logging.getLogger(__name__)

TRUSTED_KEYS = "trusted-keys.json"
# A kiosk's clock may run a little ahead of the hub's: a document is expired only this long after its expiry.
CLOCK_LEEWAY = timedelta(minutes=5)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class _KeyRecord(BaseModel):
    key_id: str
    public_key: str


@dataclass(frozen=True)
class TrustedKey:
    key_id: str
    public_b64: str

    @property
    def key(self) -> Ed25519PublicKey:
        return load_public_key(self.public_b64)


class TrustedKeys:
    """The config-signing keys this kiosk has trusted, oldest first: the first pinned at enrolment, each next one
    handed on by a key change the one before signed. The last one signs what the kiosk applies now."""

    def __init__(self, path: Path, pinned_b64: str) -> None:
        self._path = path
        pinned = TrustedKey(public_key_id(load_public_key(pinned_b64)), pinned_b64)
        self._keys = self._load(pinned)

    def _load(self, pinned: TrustedKey) -> list[TrustedKey]:
        try:
            records = [_KeyRecord.model_validate(r) for r in json.loads(self._path.read_bytes())["keys"]]
        except FileNotFoundError:
            return [pinned]
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            log.warning("%s unreadable (%s): trusting the enrolment key only", self._path.name, type(exc).__name__)
            return [pinned]
        keys = [TrustedKey(r.key_id, r.public_key) for r in records]
        if not keys or keys[0] != pinned:
            log.warning("%s does not start at the enrolment key: trusting the enrolment key only", self._path.name)
            return [pinned]
        return keys

    @property
    def current(self) -> TrustedKey:
        return self._keys[-1]

    def known(self) -> list[TrustedKey]:
        return list(self._keys)

    def find(self, key_id: str) -> TrustedKey | None:
        return next((k for k in self._keys if k.key_id == key_id), None)

    def follow(self, changes: Sequence[KeyChange]) -> None:
        """Walk the hub's key changes from the key trusted now; each step must be signed by the key before it."""
        added = False
        while (step := next((c for c in changes if c.previous_key_id == self.current.key_id), None)) is not None:
            verify_key_change(step, self.current.key)
            if self.find(step.key_id) is not None:
                raise ConfigRefusedError("bad_key_change", f"{step.key_id} was trusted before")
            self._keys.append(TrustedKey(step.key_id, step.public_key))
            log.info("configuration key %s trusted: handed on by %s", step.key_id, step.previous_key_id)
            added = True
        if added:
            body = {"keys": [{"key_id": k.key_id, "public_key": k.public_b64} for k in self._keys]}
            atomic_write(self._path, json.dumps(body, indent=1).encode())


class ConfigTrust:
    """The checks a configuration must pass on this kiosk before it is applied, or run again after a restart."""

    def __init__(self, kiosk_id: str, enrolled_version: int, keys: TrustedKeys, clock: Clock = utc_now) -> None:
        self.kiosk_id = kiosk_id
        self.enrolled_version = enrolled_version
        self.keys = keys
        self.clock = clock

    @classmethod
    def of(cls, credentials: KioskCredentials, store: ConfigStore, clock: Clock = utc_now) -> ConfigTrust:
        """This kiosk's trust: from its enrolment, and the keys it followed since (kept beside its configurations)."""
        keys = TrustedKeys(store.directory / TRUSTED_KEYS, credentials.config_public_key)
        return cls(credentials.kiosk_id, credentials.enrolled_config_version, keys, clock)

    def check_served(self, document: SignedConfig) -> None:
        """Everything, for a document the hub just served; raises ConfigRefusedError with the first that fails."""
        if document.format < ENVELOPE_FORMAT:
            raise ConfigRefusedError("unbound_document", f"format {document.format} names no kiosk and no expiry")
        self.keys.follow(document.key_changes)
        key = self.keys.current
        if document.key_id != key.key_id:
            raise ConfigRefusedError("unknown_key", document.key_id[:16])
        verify(document, key.key)
        self._check_audience(document)
        self.check_fresh(document)
        if document.version < self.enrolled_version:
            raise ConfigRefusedError("older_version", f"{document.version} < {self.enrolled_version} (enrolment)")

    def check_fresh(self, document: SignedConfig) -> None:
        """Not past its expiry (a document held for a patient is checked again when it is applied)."""
        if document.expired(self.clock() - CLOCK_LEEWAY):
            raise ConfigRefusedError("expired", f"expired {document.expires_at}")

    def check_stored(self, document: SignedConfig) -> None:
        """A document from this kiosk's disk: signed by a key it has trusted, and (format 2) meant for it."""
        named = self.keys.find(document.key_id) if document.key_id else None
        if document.format == ENVELOPE_FORMAT and named is None:
            raise ConfigRefusedError("unknown_key", document.key_id[:16])
        # What an older hub signed names its key too; it is tried against every key only if it does not.
        candidates = [named] if named is not None else self.keys.known()
        refusal = ConfigRefusedError("bad_signature")
        for candidate in candidates:
            try:
                verify(document, candidate.key)
                break
            except ConfigRefusedError as exc:
                refusal = exc
        else:
            raise refusal
        if document.format == ENVELOPE_FORMAT:
            self._check_audience(document)

    def expired(self, document: SignedConfig) -> bool:
        return document.expired(self.clock() - CLOCK_LEEWAY)

    def _check_audience(self, document: SignedConfig) -> None:
        assert document.audience is not None  # a format 2 document always names one
        if document.audience.kiosk != self.kiosk_id:
            raise ConfigRefusedError("wrong_audience", f"for kiosk {document.audience.kiosk[:36]}")


@dataclass(frozen=True)
class StartingConfig:
    """What a kiosk runs at start: the newest stored document that passes `check_stored`, or the defaults."""

    document: SignedConfig | None  # None: the built-in defaults (version 0)
    problems: tuple[str, ...] = ()  # stored files set aside, as "<file>: <reason code>"

    @property
    def config(self) -> RemoteConfig:
        return RemoteConfig.model_validate(self.document.config) if self.document else RemoteConfig()

    @property
    def version(self) -> int:
        return self.document.version if self.document else 0


def starting_config(store: ConfigStore, trust: ConfigTrust) -> StartingConfig:
    """The applied document if it still checks out, else the last good one (made current again, so a hand-edited
    or foreign file cannot block the real configurations), else the defaults. A refused file is set aside."""
    problems: list[str] = []
    for name, document in ((CURRENT, store.current()), (LAST_GOOD, store.last_good())):
        if document is None:
            continue
        try:
            trust.check_stored(document)
        except ConfigRefusedError as refused:
            log.warning("stored configuration %s refused (%s): set aside", name, refused)
            problems.append(f"{name}: {refused.reason}")
            store.set_aside(name)
            continue
        if name == LAST_GOOD:
            store.write_current(document)
        return StartingConfig(document, tuple(problems))
    return StartingConfig(None, tuple(problems))
