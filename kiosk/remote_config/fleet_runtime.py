"""The kiosk's fleet side in one place for the composition root: the sync agent and heartbeats with remote actions,
on the kiosk's event loop. (READY=1 and the watchdog stay with the app, which knows when its first screen is up:
`kiosk run` calls sd_notify itself.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from kiosk.remote_config.agent import ApplyConfig, HealthProbe, SessionActive, SyncAgent
from kiosk.remote_config.alerts import FleetAlerts
from kiosk.remote_config.enrolment import KioskCredentials
from kiosk.remote_config.funnel import FunnelTally
from kiosk.remote_config.heartbeat import ActionHandler, HeartbeatSender
from kiosk.remote_config.schema import ActionKind, ActionResult, DeviceState, DisplayReport, Heartbeat, RemoteConfig
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import Clock, ConfigTrust, StartingConfig, utc_now

RESTART_DELAY_SECONDS = 1.0  # long enough for the action result to reach the hub


@dataclass
class KioskHooks:
    """What the app provides: applying a config, probes, the patient-session flag, device states, the funnel,
    and the actions only the app can do. `restart` should exit non-zero; systemd's Restart=always brings it back."""

    apply: ApplyConfig
    probes: Mapping[str, HealthProbe]
    session_active: SessionActive
    device_states: Callable[[], dict[str, DeviceState]]
    funnel: FunnelTally
    restart: Callable[[], None]
    test_print: ActionHandler
    screenshot: ActionHandler  # PNG of the current screen with personal data masked
    alerts: FleetAlerts | None = None  # IT alerts ride on the next heartbeat
    display: Callable[[], DisplayReport | None] = lambda: None  # what the panel shows (driver, size, frames)
    refused: Callable[[], None] = lambda: None  # the hub refuses the kiosk's token: it was revoked


class FleetRuntime:
    def __init__(
        self, http: httpx.AsyncClient, store: ConfigStore, credentials: KioskCredentials, hooks: KioskHooks,
        app_version: str, start: StartingConfig | None = None, clock: Clock = utc_now,
    ) -> None:  # fmt: skip
        self.hooks = hooks
        self.app_version = app_version
        self.started = time.monotonic()
        self.agent = SyncAgent(
            http, store, ConfigTrust.of(credentials, store, clock), apply=self._apply, probes=hooks.probes,
            session_active=hooks.session_active, start=start,
            alert=hooks.alerts.alert if hooks.alerts is not None else None,
        )  # fmt: skip
        handlers: dict[ActionKind, ActionHandler] = {
            ActionKind.RESTART: self._restart,
            ActionKind.RELOAD_CONFIG: self._reload,
            ActionKind.TEST_PRINT: hooks.test_print,
            ActionKind.SCREENSHOT: hooks.screenshot,
        }
        self.sender = HeartbeatSender(
            http, self.heartbeat, handlers, on_config_wanted=lambda _v: self.agent.reload(), delivered=self._delivered,
            refused=hooks.refused,
        )  # fmt: skip
        if hooks.alerts is not None:
            hooks.alerts.on_new = self.sender.wake.set  # IT hears of it now, not a heartbeat interval later

    def heartbeat(self) -> Heartbeat:
        day, funnel = self.hooks.funnel.snapshot()
        return Heartbeat(
            app_version=self.app_version,
            config_version=self.agent.applied_version,
            config_status=self.agent.last_status,
            devices=self.hooks.device_states(),
            funnel=funnel,
            day=day,
            uptime_seconds=int(time.monotonic() - self.started),
            alerts=self.hooks.alerts.waiting() if self.hooks.alerts else [],
            display=self.hooks.display(),
        )

    async def _apply(self, config: RemoteConfig) -> None:
        await self.hooks.apply(config)
        # The console learns the new state (and its heartbeat interval starts) now, not an old interval later.
        self.sender.wake.set()

    def _delivered(self, beat: Heartbeat) -> None:
        if self.hooks.alerts is not None:
            self.hooks.alerts.delivered(beat.alerts)

    async def _restart(self) -> ActionResult:
        asyncio.get_running_loop().call_later(RESTART_DELAY_SECONDS, self.hooks.restart)
        return ActionResult(ok=True, detail="restarting")

    async def _reload(self) -> ActionResult:
        self.agent.reload()
        return ActionResult(ok=True, detail="reloading")

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: poll config every `poll_seconds`, beat every `heartbeat_seconds` (from the applied config)."""
        await asyncio.gather(
            self.agent.run(stop, lambda: float(self.agent.config.poll_seconds)),
            self.sender.run(stop, lambda: float(self.agent.config.heartbeat_seconds)),
        )
