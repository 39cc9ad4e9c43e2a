"""The signed envelope around a kiosk's configuration, and the statement that hands trust on to a new signing key.

The hub signs and the kiosk verifies the same bytes, defined once here. Format 2 binds a configuration to one
kiosk (and names the group whose rollout it comes from), to when it was signed and to an expiry. Format 1, what an
older hub signed (version and configuration only), is read only from a kiosk's own disk: a document it stored
before it was updated (`docs/security.md`, "Signed configurations and keys").
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ENVELOPE_FORMAT: Final = 2
_TIMESTAMP = "%Y-%m-%dT%H:%M:%SZ"
# Text, not datetime: signed as written, so a round trip through a parser never changes the signed bytes.
Timestamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIMESTAMP)


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, _TIMESTAMP).replace(tzinfo=UTC)


def key_id_of(public_key_raw: bytes) -> str:
    """A key's short name: the first 16 hex digits of the SHA-256 of its raw public bytes."""
    return hashlib.sha256(public_key_raw).hexdigest()[:16]


def _canonical(body: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes from the same content on either side."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def legacy_signed_bytes(version: int, config: dict[str, object]) -> bytes:
    """What an older hub signed (format 1): no audience, no expiry."""
    return _canonical({"version": version, "config": config})


class Audience(BaseModel):
    """Who a configuration is for: one kiosk; the group names the rollout it came from (for the record)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kiosk: str = Field(min_length=1, max_length=64)
    group: str = Field(default="", max_length=64)


class KeyChange(BaseModel):
    """The hub's statement "from now on configurations are signed by `key_id`", signed by the key before it.

    A kiosk trusts a new key only through such a statement signed by the key it already trusts; one that was away
    during several rotations follows the chain of statements one by one."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal[2] = ENVELOPE_FORMAT
    previous_key_id: str = Field(min_length=16, max_length=16)
    key_id: str = Field(min_length=16, max_length=16)
    public_key: str = Field(max_length=64, description="base64 raw Ed25519")
    signed_at: Timestamp
    signature: str = Field(default="", max_length=100)

    def signed_bytes(self) -> bytes:
        body = self.model_dump(exclude={"signature"})
        return _canonical({"purpose": "config-key-change", **body})


class SignedConfig(BaseModel):
    """What the hub serves: one configuration version for one kiosk, signed, with an expiry; `key_changes` travel
    beside it (each signed on its own) so a kiosk can follow a rotation of the hub's key."""

    format: Literal[1, 2] = Field(default=1, description="absent (1) in what an older hub signed")
    version: int = Field(ge=1)
    config: dict[str, object]
    audience: Audience | None = None
    signed_at: Timestamp | None = None
    expires_at: Timestamp | None = None
    key_id: str = ""
    signature: str = Field(default="", description="base64 Ed25519 over `signed_bytes()`")
    key_changes: list[KeyChange] = Field(default_factory=list, max_length=1000)

    @model_validator(mode="after")
    def _format_2_is_bound(self) -> SignedConfig:
        if self.format == 2 and (self.audience is None or self.signed_at is None or self.expires_at is None):
            raise ValueError("a format 2 document names its audience, when it was signed and when it expires")
        return self

    def signed_bytes(self) -> bytes:
        if self.format == 1:
            return legacy_signed_bytes(self.version, self.config)
        assert self.audience is not None  # checked when the document was built
        return _canonical(
            {
                "purpose": "kiosk-config",
                "format": self.format,
                "version": self.version,
                "audience": self.audience.model_dump(),
                "signed_at": self.signed_at,
                "expires_at": self.expires_at,
                "key_id": self.key_id,
                "config": self.config,
            }
        )

    def expired(self, now: datetime) -> bool:
        """Past its expiry (a format 1 document has none)."""
        return self.expires_at is not None and parse_timestamp(self.expires_at) <= now

    def stored(self) -> SignedConfig:
        """The document as a kiosk keeps it on disk: the key changes were followed when it arrived."""
        return self.model_copy(update={"key_changes": []})
