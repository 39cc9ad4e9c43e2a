"""The remote configuration inside a running kiosk: which fields take effect at once, and the two ports that can
change under the flow (the printer, the departments shown) without the flow knowing.

Live: idle timeouts, the start language when the old one is no longer offered, the hospital name on tickets and
slips (ticket.header_vi), departments shown, the printer (URI and paper width). At restart: the reader name, the
camera device (`at_start`) and the chip's trust anchors (`trust_anchor_files`). A field IT left unset (None) keeps
the kiosk's own settings file, so a configuration that does not name a printer never moves the kiosk's printer.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.domain.dates import PartialDate
from kiosk.domain.language import DEFAULT_LANGUAGE
from kiosk.domain.ticket import DeskSlip, QueueTicket
from kiosk.flow.ports import HisPort, PrinterPort, PrinterStatus, bookings_of, help_of
from kiosk.flow.records import (
    AppointmentRecord,
    DepartmentChoice,
    EntitlementAnswer,
    IdentifierKind,
    IssuedTicket,
    PatientRecord,
    PresentedIdentity,
    TicketOrder,
)
from kiosk.flow.transition import FlowConfig
from kiosk.remote_config.schema import RemoteConfig
from kiosk.remote_config.store import atomic_write

log = logging.getLogger(__name__)


def printer_uri(config: RemoteConfig, local_uri: str) -> str:
    return config.printer.uri if config.printer.uri is not None else local_uri


def at_start(config: RemoteConfig, reader: str, camera: str) -> tuple[str, str]:
    """(reader name, camera device) to open at start-up: the remote ones when IT set them."""
    remote_camera = config.camera.device if config.camera.device is not None else camera
    return (config.reader_name or reader), remote_camera


def trust_anchor_files(config: RemoteConfig, directory: Path) -> list[Path]:
    """The console's CSCA certificates as PEM files for the chip reader (read at start-up); old ones removed."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("anchor-*.pem"):
        old.unlink()
    paths = []
    for n, pem in enumerate(config.trust_anchors_pem):
        path = directory / f"anchor-{n:02d}.pem"
        atomic_write(path, pem.encode("ascii"))
        paths.append(path)
    return paths


def flow_config(base: FlowConfig, config: RemoteConfig) -> FlowConfig:
    """The flow's settings with the remote fields that apply between patients."""
    language = base.language if base.language in config.languages else DEFAULT_LANGUAGE
    header = config.ticket.header_vi if config.ticket.header_vi is not None else base.hospital_name
    idle, warning = config.idle.screen_seconds, config.idle.wipe_after_warning_seconds
    return dataclasses.replace(
        base,
        idle_after_s=float(idle) if idle is not None else base.idle_after_s,
        warning_s=float(warning) if warning is not None else base.warning_s,
        language=language,
        hospital_name=header,
    )


class LivePrinter:
    """`PrinterPort` whose printer the fleet may replace between patients (a new URI from the console)."""

    def __init__(self, printer: PrinterPort, uri: str, paper_mm: int) -> None:
        self.current, self.uri, self.paper_mm = printer, uri, paper_mm

    def swap(self, printer: PrinterPort, uri: str, paper_mm: int) -> None:
        old, self.current, self.uri, self.paper_mm = self.current, printer, uri, paper_mm
        close: Callable[[], Any] | None = getattr(old, "close", None)
        if close is not None:
            close()

    async def check(self) -> PrinterStatus:
        return await self.current.check()

    async def print_ticket(self, ticket: QueueTicket) -> None:
        await self.current.print_ticket(ticket)

    async def print_desk_slip(self, slip: DeskSlip) -> None:
        await self.current.print_desk_slip(slip)


class ShownDepartments:
    """`HisPort` that offers patients only the departments IT chose for this kiosk (all when the list is empty)."""

    def __init__(self, his: HisPort) -> None:
        self._his = his
        self.shown: frozenset[str] = frozenset()

    async def departments(self) -> list[DepartmentChoice]:
        offered = await self._his.departments()
        return [d for d in offered if d.id in self.shown] if self.shown else offered

    async def find_patient(self, kind: IdentifierKind, value: str) -> PatientRecord | None:
        return await self._his.find_patient(kind, value)

    async def register_patient(self, identity: PresentedIdentity) -> PatientRecord:
        return await self._his.register_patient(identity)

    async def check_entitlement(
        self, card_code: str, full_name: str, date_of_birth: PartialDate | None, patient_id: str | None
    ) -> EntitlementAnswer:
        return await self._his.check_entitlement(card_code, full_name, date_of_birth, patient_id)

    async def issue_ticket(self, order: TicketOrder) -> IssuedTicket:
        return await self._his.issue_ticket(order)

    async def find_appointment(self, code: str) -> AppointmentRecord | None:
        return await bookings_of(self._his).find_appointment(code)

    async def check_in_appointment(self, code: str, order: TicketOrder) -> IssuedTicket:
        return await bookings_of(self._his).check_in_appointment(code, order)

    async def call_for_help(self, location: str, screen: str) -> None:
        await help_of(self._his).call_for_help(location, screen)
