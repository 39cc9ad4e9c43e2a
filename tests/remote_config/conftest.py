"""Remote-config fixtures: a signing key, a small config hub over httpx's MockTransport, a kiosk with fake probes,
a clock the tests move."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.remote_config.agent import ProbeOutcome, SyncAgent
from kiosk.remote_config.envelope import (
    Audience,
    KeyChange,
    SignedConfig,
    key_id_of,
    legacy_signed_bytes,
    timestamp,
)
from kiosk.remote_config.schema import RemoteConfig
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import TRUSTED_KEYS, ConfigTrust, TrustedKeys

KIOSK_ID = "5b0e8f0c-kiosk-under-test"
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
VALID = timedelta(days=7)


def public_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(key: Ed25519PrivateKey) -> str:
    return key_id_of(base64.b64decode(public_b64(key)))


def sign(
    key: Ed25519PrivateKey,
    version: int,
    config: dict[str, Any],
    *,
    kiosk: str = KIOSK_ID,
    signed_at: datetime = START,
    valid: timedelta = VALID,
    changes: Sequence[KeyChange] = (),
) -> SignedConfig:
    """A document as the hub signs it for one kiosk (format 2)."""
    unsigned = SignedConfig(
        format=2, version=version, config=config, audience=Audience(kiosk=kiosk, group="sanh-a"),
        signed_at=timestamp(signed_at), expires_at=timestamp(signed_at + valid), key_id=key_id(key),
    )  # fmt: skip
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return unsigned.model_copy(update={"signature": signature, "key_changes": list(changes)})


def sign_legacy(key: Ed25519PrivateKey, version: int, config: dict[str, Any]) -> SignedConfig:
    """What an older hub signed (format 1): any kiosk, for ever."""
    signature = base64.b64encode(key.sign(legacy_signed_bytes(version, config))).decode()
    return SignedConfig(version=version, config=config, signature=signature, key_id=key_id(key))


def key_change(old: Ed25519PrivateKey, new: Ed25519PrivateKey, at: datetime = START) -> KeyChange:
    change = KeyChange(previous_key_id=key_id(old), key_id=key_id(new), public_key=public_b64(new),
                       signed_at=timestamp(at))  # fmt: skip
    return change.model_copy(update={"signature": base64.b64encode(old.sign(change.signed_bytes())).decode()})


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def config_with(**changes: Any) -> dict[str, Any]:
    base = RemoteConfig().model_dump(mode="json")
    for dotted, value in changes.items():
        target = base
        *parents, leaf = dotted.split("__")
        for part in parents:
            target = target[part]
        target[leaf] = value
    return base


@dataclass
class ConfigHub:
    """Serves one document with an ETag and keeps what the kiosk reports: the hub's side, reduced to its wire."""

    document: SignedConfig | None = None
    raw: bytes | None = None  # overrides `document` to serve broken bodies
    reports: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/fleet/v1/config/report":
            self.reports.append(json.loads(request.content))
            return httpx.Response(204)
        body = self.raw
        if body is None:
            body = self.document.model_dump_json().encode() if self.document else b""
        if not body:
            return httpx.Response(204)
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if request.headers.get("If-None-Match") == etag:
            return httpx.Response(304, headers={"ETag": etag})
        return httpx.Response(200, content=body, headers={"ETag": etag, "Content-Type": "application/json"})


@dataclass
class Kiosk:
    """The kiosk side: its session flag, what it applied, and devices whose probes tests can break."""

    patient_present: bool = False
    applied: list[RemoteConfig] = field(default_factory=list)
    printer_ok_for: set[str] | None = None  # printer URIs that answer; None: any

    async def apply(self, config: RemoteConfig) -> None:
        self.applied.append(config)

    async def printer_probe(self, config: RemoteConfig) -> ProbeOutcome:
        if self.printer_ok_for is None or config.printer.uri in self.printer_ok_for:
            return ProbeOutcome(True)
        return ProbeOutcome(False, "no answer")

    async def reader_probe(self, _config: RemoteConfig) -> ProbeOutcome:
        return ProbeOutcome(True)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def hub() -> ConfigHub:
    return ConfigHub()


@pytest.fixture
def kiosk() -> Kiosk:
    return Kiosk()


@pytest.fixture
def store(tmp_path: Path) -> ConfigStore:
    return ConfigStore(tmp_path / "config")


@pytest.fixture
def clock() -> Clock:
    return Clock()


def trust_for(store: ConfigStore, key: Ed25519PrivateKey, clock: Clock, enrolled_version: int = 0) -> ConfigTrust:
    """The trust of a kiosk enrolled with `key` pinned (the keys it followed since live beside its configurations)."""
    return ConfigTrust(KIOSK_ID, enrolled_version, TrustedKeys(store.directory / TRUSTED_KEYS, public_b64(key)), clock)


@pytest.fixture
def trust(store: ConfigStore, key: Ed25519PrivateKey, clock: Clock) -> ConfigTrust:
    return trust_for(store, key, clock)


@dataclass
class Alerts:
    raised: list[str] = field(default_factory=list)

    async def alert(self, reason: str) -> None:
        self.raised.append(reason)


@pytest.fixture
def alerts() -> Alerts:
    return Alerts()


def make_agent(
    http: httpx.AsyncClient, store: ConfigStore, trust: ConfigTrust, kiosk: Kiosk, alerts: Alerts
) -> SyncAgent:
    return SyncAgent(
        http,
        store,
        trust,
        apply=kiosk.apply,
        probes={"reader": kiosk.reader_probe, "printer": kiosk.printer_probe},
        session_active=lambda: kiosk.patient_present,
        alert=alerts.alert,
    )


@pytest.fixture
async def http(hub: ConfigHub) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(hub.handler), base_url="http://hub.test") as client:
        yield client


@pytest.fixture
def agent(http: httpx.AsyncClient, store: ConfigStore, trust: ConfigTrust, kiosk: Kiosk, alerts: Alerts) -> SyncAgent:
    return make_agent(http, store, trust, kiosk, alerts)
