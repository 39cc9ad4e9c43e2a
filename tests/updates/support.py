"""What the update tests share: a release bundle as `scripts/build-release` lays it out, a hub on loopback with
enrolled kiosks (through the real enrolment API, so they pin the release key), and their credentials."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from kiosk.remote_config.enrolment import KioskCredentials
from kiosk.updates.manifest import this_platform, this_python
from kiosk_hub.app import create_app
from kiosk_hub.fleet import enrolment
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.hub.servers import serve_in_thread


def bundle(directory: Path, version: str, wheels: dict[str, bytes], **info: object) -> Path:
    """A bundle directory: release.json and wheels/ (any bytes: the hub hashes and serves, never opens them)."""
    (directory / "wheels").mkdir(parents=True, exist_ok=True)
    for name, data in wheels.items():
        (directory / "wheels" / name).write_bytes(data)
    described = {"version": version, "platform": this_platform(), "python": this_python(),
                 "requirement": f"vn-hospital-kiosk=={version}", "debian_packages": ["python3"], **info}  # fmt: skip
    (directory / "release.json").write_text(json.dumps(described), encoding="utf-8")
    return directory


@dataclass
class HubWorld:
    hub: Hub
    url: str

    def code(self, group: str | None = None) -> str:
        with self.hub.writer() as session:
            code = enrolment.create_code(session, "test", self.hub.clock(), group)
            session.commit()
        return code

    def enrol(self, name: str, group: str | None = None) -> KioskCredentials:
        answer = httpx.post(f"{self.url}/fleet/v1/enrol", json={"code": self.code(group), "name": name}, timeout=20)
        assert answer.status_code == 201, answer.text
        reply = answer.json()
        return KioskCredentials(
            kiosk_id=reply["kiosk_id"], token=reply["token"], config_public_key=reply["config_public_key"],
            hub_url=self.url, group_id=reply["group_id"], release_public_key=reply["release_public_key"],
            release_key_id=reply["release_key_id"],
        )  # fmt: skip

    def client(self, credentials: KioskCredentials) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=20, headers={"Authorization": f"Bearer {credentials.token}"})


@contextmanager
def hub_world(directory: Path) -> Iterator[HubWorld]:
    url = f"sqlite:///{directory / 'hub.sqlite3'}"
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url))
    try:
        with serve_in_thread(create_app(hub, background=False)) as base:
            yield HubWorld(hub, base)
    finally:
        hub.engine.dispose()
