"""`kiosk run`'s fleet side: the running kiosk (flow service, printer, reader, camera, app) as the sync agent,
heartbeats and remote actions see it (`KioskHooks`), so they work on the real devices."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import httpx

from kiosk.domain.dates import VN_TZ
from kiosk.domain.ticket import DeskSlip
from kiosk.flow.ports import PrinterPort
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from kiosk.offline.health import OfflineHealth
from kiosk.remote_config import live
from kiosk.remote_config.agent import HealthProbe, ProbeOutcome
from kiosk.remote_config.alerts import FleetAlerts
from kiosk.remote_config.fleet_runtime import KioskHooks
from kiosk.remote_config.funnel import FunnelTally
from kiosk.remote_config.probes import hub_reachable
from kiosk.remote_config.schema import ActionResult, DeviceState, DisplayReport, RemoteConfig
from kiosk.remote_config.screenshot import capture
from kiosk.runtime.devices import camera_state

if TYPE_CHECKING:
    from kiosk.hardware.camera.scanner import CameraScanner
    from kiosk.runtime.display import DisplayMonitor
    from kiosk.screens.app import KioskApp

log = logging.getLogger(__name__)
RESTART_EXIT_CODE = 75  # EX_TEMPFAIL: systemd's Restart=always starts the kiosk again

PrinterFactory = Callable[[str, int], PrinterPort]  # (uri, paper mm) → the printer there


class ReaderHealth(Protocol):
    """Whether the chip reader is there (the chip bridge follows the reader's events)."""

    @property
    def reader_ok(self) -> bool: ...


@dataclass
class RunningKiosk:
    """The parts of `kiosk run` the fleet acts on, each built before it."""

    service: FlowService
    base_config: FlowConfig  # from the settings file; remote fields are laid over it
    printer: live.LivePrinter
    departments: live.ShownDepartments
    make_printer: PrinterFactory
    local_printer_uri: str
    local_paper_mm: int
    reader: ReaderHealth
    camera: CameraScanner | None  # None: a simulated (VIRTUAL) camera
    app: KioskApp | None  # None: no screens (the fleet's tests)
    alerts: FleetAlerts = field(default_factory=FleetAlerts)
    offline: OfflineHealth | None = None  # the hub / printer breakers for the heartbeat
    display: DisplayMonitor | None = None  # None: no panel (the fleet's tests)
    exit_code: int = 0

    def session_active(self) -> bool:
        """A patient (or staff on the maintenance screen) is using the kiosk: configuration waits."""
        session = self.service.session
        return session.step != Step.HOME or session.identity is not None

    async def apply(self, config: RemoteConfig) -> None:
        self.service.config = live.flow_config(self.base_config, config)
        self.departments.shown = frozenset(config.departments_shown)
        uri = live.printer_uri(config, self.local_printer_uri)
        paper = config.printer.paper_width_mm if uri != self.local_printer_uri else self.local_paper_mm
        if (uri, paper) != (self.printer.uri, self.printer.paper_mm):
            try:
                self.printer.swap(self.make_printer(uri, paper), uri, paper)
            except Exception as exc:  # a URI that cannot even be opened: the printer probe will say so
                log.warning("printer %s could not be set up: %s", uri, type(exc).__name__)
                self.printer.swap(_BrokenPrinter(type(exc).__name__), uri, paper)
        log.info(
            "remote configuration in effect: idle %ss, warning %ss, %d departments shown, printer %s",
            self.service.config.idle_after_s, self.service.config.warning_s, len(self.departments.shown), uri,
        )  # fmt: skip

    async def printer_probe(self, _config: RemoteConfig) -> ProbeOutcome:
        status = await self.printer.check()
        return ProbeOutcome(status.printable, "" if status.printable else f"not ready ({status.state})")

    async def reader_probe(self, _config: RemoteConfig) -> ProbeOutcome:
        ok = self.reader.reader_ok
        return ProbeOutcome(ok, "" if ok else "reader not found")

    async def camera_probe(self, _config: RemoteConfig) -> ProbeOutcome:
        state = camera_state(self.camera)
        return ProbeOutcome(state == DeviceState.OK, "" if state == DeviceState.OK else f"camera {state}")

    def device_states(self) -> dict[str, DeviceState]:
        ok, fault = DeviceState.OK, DeviceState.FAULT
        states = {
            "printer": ok if self.service.printer_ok else fault,
            "reader": ok if self.reader.reader_ok else DeviceState.MISSING,
            "camera": camera_state(self.camera),
            "hub": ok if self.service.hub_ok else DeviceState.DEGRADED,
        }
        if self.display is not None:
            states["display"] = self.display.state()
        return {**states, **self.offline.device_states()} if self.offline is not None else states

    async def test_print(self) -> ActionResult:
        if self.session_active():
            return ActionResult(ok=False, detail="patient_session_active")
        status = await self.printer.check()
        if not status.printable:
            return ActionResult(ok=False, detail=f"printer not ready: {status.state}")
        config = self.service.config
        when = datetime.now(VN_TZ)
        await self.printer.print_desk_slip(
            DeskSlip(config.hospital_name, "test_print", f"kiosk:{config.kiosk_name}", when)
        )
        return ActionResult(ok=True, detail=f"test slip printed on {self.printer.uri}")

    async def screenshot(self) -> ActionResult:
        return capture(self.app.root if self.app is not None else None)

    def display_report(self) -> DisplayReport | None:
        return self.display.report() if self.display is not None else None

    def refused(self) -> None:
        """The hub refuses this kiosk's token (revoked in the console): start again, into the out-of-service panel,
        which checks back with a long backoff instead of every heartbeat."""
        log.warning("the hub refuses this kiosk's token (revoked?): starting again out of service")
        self._leave()

    def restart(self) -> None:
        """Leave the app with a non-zero code; systemd starts a fresh process."""
        log.warning("restart asked from the fleet console")
        self._leave()

    def _leave(self) -> None:
        self.exit_code = RESTART_EXIT_CODE
        if self.app is not None:
            self.app.stop()
        else:
            os._exit(RESTART_EXIT_CODE)

    def hooks(self, fleet_http: httpx.AsyncClient, funnel: FunnelTally) -> KioskHooks:
        probes: dict[str, HealthProbe] = {
            "reader": self.reader_probe,
            "printer": self.printer_probe,
            "camera": self.camera_probe,
            "hub": hub_reachable(fleet_http),
        }
        return KioskHooks(
            apply=self.apply, probes=probes, session_active=self.session_active, device_states=self.device_states,
            funnel=funnel, restart=self.restart, test_print=self.test_print, screenshot=self.screenshot,
            alerts=self.alerts, display=self.display_report, refused=self.refused,
        )  # fmt: skip


@dataclass(frozen=True)
class _BrokenStatus:
    state: str
    printable: bool = False


class _BrokenPrinter:
    """Stands in for a printer whose URI could not be opened, so the probe fails and the agent reverts."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def check(self) -> _BrokenStatus:
        await asyncio.sleep(0)
        return _BrokenStatus(f"cannot_open: {self.reason}")

    async def print_ticket(self, _ticket: object) -> None:
        raise OSError(self.reason)

    async def print_desk_slip(self, _slip: object) -> None:
        raise OSError(self.reason)
