"""A release of the kiosk software as the hub announces it: the manifest (version, platform, Python, files with
sha256 and size, configuration schemas it runs, Debian packages it needs, expiry), signed with the hub's release
key (a key of its own, not the configuration key). The hub signs and the kiosk verifies the same bytes: the
manifest travels as the exact JSON text that was signed, parsed only after the signature is checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import platform
import sys
from datetime import datetime
from typing import Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, Field, ValidationError

from kiosk.remote_config.envelope import Timestamp, parse_timestamp

RELEASE_FORMAT: Final = "vn-hospital-kiosk-release/1"
PROJECT: Final = "vn-hospital-kiosk"
# A wheel's file name: no path separators, nothing a shell or a URL would read differently.
FileName = str


class ReleaseRefusedError(Exception):
    """The kiosk will not install this release; `reason` is a stable code for the hub, the console and the log."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class ReleaseFile(BaseModel):
    name: FileName = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._+\-]{0,199}$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)


class ReleaseManifest(BaseModel):
    format: Literal["vn-hospital-kiosk-release/1"] = RELEASE_FORMAT
    version: str = Field(min_length=1, max_length=40)
    platform: str = Field(pattern=r"^[a-z0-9_]{1,20}$")  # platform.machine(): x86_64, aarch64
    python: str = Field(pattern=r"^3\.\d{1,2}$")  # the kiosk's Python (major.minor) the wheels are built for
    files: list[ReleaseFile] = Field(min_length=1)
    requirement: str = Field(min_length=1, max_length=200)  # what pip installs from the files
    min_config_schema: int = Field(ge=1)
    max_config_schema: int = Field(ge=1)
    debian_packages: list[str] = Field(default_factory=list)  # apt installs them before; the kiosk checks
    created_at: Timestamp
    expires_at: Timestamp

    def total_size(self) -> int:
        return sum(f.size for f in self.files)


class SignedRelease(BaseModel):
    """What the hub serves: the signed text, the key that signed it, the signature (base64)."""

    signed: str = Field(max_length=1_000_000)
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    signature: str = Field(max_length=200)


class ReleaseOrder(BaseModel):
    """The hub's word to one kiosk, signed when served: run this release (its manifest's hash), as a rollback or
    not, switching inside these maintenance windows (kiosk local time, "HH:MM-HH:MM"; none: any time)."""

    kiosk_id: str = Field(max_length=36)
    version: str = Field(max_length=40)
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    rollback: bool = False
    windows: list[str] = Field(default_factory=list, max_length=12)
    issued_at: Timestamp
    expires_at: Timestamp


class ServedRelease(BaseModel):
    """`GET /fleet/v1/release`: the release (signed once, when added) and this kiosk's order (signed now)."""

    release: SignedRelease
    order: str = Field(max_length=4000)
    order_signature: str = Field(max_length=200)


def manifest_sha256(document: SignedRelease) -> str:
    return hashlib.sha256(document.signed.encode("utf-8")).hexdigest()


def canonical_order(order: ReleaseOrder) -> str:
    return json.dumps(order.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(manifest: ReleaseManifest) -> str:
    return json.dumps(manifest.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def this_platform() -> str:
    return platform.machine()


def this_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def parse_version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion as exc:
        raise ReleaseRefusedError("bad_version", text[:40]) from exc


def _verify(key: Ed25519PublicKey, signature: str, text: str) -> None:
    try:
        key.verify(base64.b64decode(signature, validate=True), text.encode("utf-8"))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        raise ReleaseRefusedError("bad_signature") from exc


def open_signed(document: SignedRelease, key_id: str, key: Ed25519PublicKey) -> ReleaseManifest:
    """The manifest if `key` (the release key this kiosk pinned, named `key_id`) signed exactly this text."""
    if document.key_id != key_id:
        raise ReleaseRefusedError("unknown_release_key", document.key_id)
    _verify(key, document.signature, document.signed)
    try:
        return ReleaseManifest.model_validate_json(document.signed)
    except ValidationError as exc:
        raise ReleaseRefusedError("bad_manifest", str(exc.error_count())) from exc


def open_served(
    served: ServedRelease, kiosk_id: str, key_id: str, key: Ed25519PublicKey, now: datetime
) -> tuple[ReleaseManifest, ReleaseOrder]:
    """The manifest and this kiosk's order, both signed by the pinned release key, the order for this kiosk, about
    this very manifest, and not expired."""
    manifest = open_signed(served.release, key_id, key)
    _verify(key, served.order_signature, served.order)
    try:
        order = ReleaseOrder.model_validate_json(served.order)
    except ValidationError as exc:
        raise ReleaseRefusedError("bad_order", str(exc.error_count())) from exc
    if order.kiosk_id != kiosk_id:
        raise ReleaseRefusedError("not_for_this_kiosk", order.kiosk_id)
    if order.manifest_sha256 != manifest_sha256(served.release) or order.version != manifest.version:
        raise ReleaseRefusedError("order_mismatch", order.version)
    if parse_timestamp(order.expires_at) <= now:
        raise ReleaseRefusedError("expired", f"order {order.expires_at}")
    return manifest, order


def check_fits(
    manifest: ReleaseManifest, *, running: str, now: datetime, config_schema: int, rollback: bool = False,
    machine: str | None = None, python: str | None = None,
) -> None:  # fmt: skip
    """Refuse a signed manifest this kiosk must not install: expired, for another platform or Python, not newer
    than what runs (unless the hub's signed order says roll back), or not able to run the configuration schema
    this kiosk's hub serves."""
    if parse_timestamp(manifest.expires_at) <= now:
        raise ReleaseRefusedError("expired", manifest.expires_at)
    if manifest.platform != (machine or this_platform()):
        raise ReleaseRefusedError("other_platform", f"{manifest.platform}, this kiosk is {machine or this_platform()}")
    if manifest.python != (python or this_python()):
        raise ReleaseRefusedError("other_python", f"{manifest.python}, this kiosk runs {python or this_python()}")
    newer = parse_version(manifest.version) > parse_version(running)
    if not newer and not (rollback and manifest.version != running):
        raise ReleaseRefusedError("not_newer", f"{manifest.version}, this kiosk runs {running}")
    if not manifest.min_config_schema <= config_schema <= manifest.max_config_schema:
        raise ReleaseRefusedError(
            "config_schema",
            f"runs {manifest.min_config_schema}-{manifest.max_config_schema}, hub serves {config_schema}",
        )
