"""Remote-config fixtures: a signing key, a small config hub over httpx's MockTransport, a kiosk with fake probes."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.remote_config.agent import ProbeOutcome, SyncAgent
from kiosk.remote_config.schema import RemoteConfig, SignedConfig, canonical_bytes
from kiosk.remote_config.store import ConfigStore


def sign(key: Ed25519PrivateKey, version: int, config: dict[str, Any]) -> SignedConfig:
    signature = key.sign(canonical_bytes(version, config))
    return SignedConfig(version=version, config=config, signature=base64.b64encode(signature).decode())


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
async def agent(hub: ConfigHub, kiosk: Kiosk, store: ConfigStore, key: Ed25519PrivateKey) -> AsyncIterator[SyncAgent]:
    transport = httpx.MockTransport(hub.handler)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        yield SyncAgent(
            http,
            store,
            key.public_key(),
            apply=kiosk.apply,
            probes={"reader": kiosk.reader_probe, "printer": kiosk.printer_probe},
            session_active=lambda: kiosk.patient_present,
        )
