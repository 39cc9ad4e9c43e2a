"""A kiosk without screen or devices for fleet tests and benches: enrols with a code, then runs the real sync agent
and heartbeat sender against a hub on loopback, in its own thread and event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx

from kiosk.remote_config.agent import ProbeOutcome, SyncAgent
from kiosk.remote_config.enrolment import enrol, save_credentials
from kiosk.remote_config.heartbeat import HeartbeatSender
from kiosk.remote_config.schema import DeviceState, FunnelCounters, Heartbeat, RemoteConfig
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import ConfigTrust


class HeadlessKiosk:
    def __init__(self, base_url: str, code: str, name: str, directory: Path, interval: float = 0.5) -> None:
        self.base_url, self.code, self.name, self.directory = base_url, code, name, directory
        self.interval = interval
        self.applied: list[tuple[float, RemoteConfig]] = []  # (monotonic time, config)
        self.agent: SyncAgent | None = None
        self.funnel = FunnelCounters(identifications={"chip": 3, "cccd_qr": 2}, tickets=4, desk_slips=1)
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.error: BaseException | None = None

    def start(self) -> HeadlessKiosk:
        self._thread.start()
        if not self._ready.wait(30) or self.error:
            raise RuntimeError(f"headless kiosk did not start: {self.error!r}")
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    @property
    def applied_version(self) -> int:
        return self.agent.applied_version if self.agent else 0

    def wait_for_version(self, version: int, timeout: float = 30) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.applied_version >= version:
                return time.monotonic()
            time.sleep(0.01)
        raise TimeoutError(f"{self.name} never applied v{version} (has v{self.applied_version})")

    async def _apply(self, config: RemoteConfig) -> None:
        self.applied.append((time.monotonic(), config))

    async def _probe(self, _config: RemoteConfig) -> ProbeOutcome:
        return ProbeOutcome(True)

    def _snapshot(self) -> Heartbeat:
        assert self.agent is not None
        return Heartbeat(
            app_version="0.1.0",
            config_version=self.agent.applied_version,
            config_status=self.agent.last_status,
            devices={"printer": DeviceState.OK, "reader": DeviceState.OK, "camera": DeviceState.OK},
            funnel=self.funnel,
            day="2026-11-23",
        )

    async def _main(self) -> None:
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as anonymous:
                credentials = await enrol(anonymous, self.code, self.name)
            save_credentials(self.directory / "credentials.json", credentials)
            headers = {"Authorization": f"Bearer {credentials.token}"}
            async with httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=10) as http:
                store = ConfigStore(self.directory / "config")
                self.agent = SyncAgent(
                    http, store, ConfigTrust.of(credentials, store),
                    apply=self._apply, probes={"printer": self._probe, "reader": self._probe},
                    session_active=lambda: False,
                )  # fmt: skip
                sender = HeartbeatSender(http, self._snapshot, {}, on_config_wanted=lambda _v: self.agent.reload())  # type: ignore[union-attr]
                stop = asyncio.Event()
                self._ready.set()
                tasks = [
                    asyncio.create_task(self.agent.run(stop, lambda: self.interval)),
                    asyncio.create_task(sender.run(stop, lambda: self.interval)),
                ]
                await asyncio.to_thread(self._stop.wait)  # the test thread says when
                stop.set()
                await asyncio.gather(*tasks)
        except BaseException as exc:
            self.error = exc
            self._ready.set()
            raise
