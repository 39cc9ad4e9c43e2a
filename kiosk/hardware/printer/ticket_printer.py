"""The kiosk's ticket printer as the check-in flow sees it: async calls that print and confirm, or raise.

It satisfies the flow's `PrinterPort` (kiosk.flow.ports) structurally; failures carry a `message_key` the flow
shows the patient (Vietnamese first) while the `reason` goes to the log and the IT alert, never patient data.
"""

from __future__ import annotations

import asyncio
import logging

from PIL import Image

from kiosk.domain.printer_state import PrinterState, has_own_message, message_key
from kiosk.domain.ticket import DeskSlip, QueueTicket
from kiosk.hardware.printer.blocks import PrinterProfile
from kiosk.hardware.printer.render import PrintJob, desk_slip_job, ticket_job
from kiosk.hardware.printer.status import StatusReport
from kiosk.hardware.printer.uri import PrinterError, parse_printer_uri
from kiosk.hardware.printer.worker import JobResult, PrinterWorker

log = logging.getLogger(__name__)


class TicketNotPrinted(PrinterError):  # noqa: N818 - named for what happened to the patient's ticket
    """The ticket did not come out (or could not be confirmed): show it on screen and alert IT."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.message_key = message_key(reason)


class EscposTicketPrinter:
    def __init__(self, worker: PrinterWorker, profile: PrinterProfile, logo: Image.Image | None = None) -> None:
        self._worker = worker
        self.profile = profile
        self._logo = logo

    @classmethod
    def from_uri(cls, uri: str, profile: PrinterProfile, *, completion_timeout: float = 15.0) -> EscposTicketPrinter:
        from kiosk.hardware.printer.escpos_adapter import open_transport

        parsed = parse_printer_uri(uri)
        worker = PrinterWorker(
            lambda: open_transport(parsed), completion_timeout=completion_timeout, confirm_with=profile.confirm_with
        )
        return cls(worker, profile)

    async def check(self) -> StatusReport:
        """Before a registration is committed: can this kiosk print a ticket right now?"""
        return await asyncio.wrap_future(self._worker.status())

    async def print_ticket(self, ticket: QueueTicket) -> None:
        await self._print(await asyncio.to_thread(ticket_job, ticket, self.profile, self._logo))

    async def print_desk_slip(self, slip: DeskSlip) -> None:
        await self._print(await asyncio.to_thread(desk_slip_job, slip, self.profile))

    async def _print(self, job: PrintJob) -> None:
        data = await asyncio.to_thread(job.escpos)
        result: JobResult = await asyncio.wrap_future(self._worker.print_job(data))
        if result.sent and result.reason == "write_only_transport":
            # A file or spooler target cannot answer; the job was handed over and that is all anyone can know.
            log.info("ticket written to a write-only printer target; not confirmed")
            return
        if result.confirmed:
            if result.after is not None and result.after.state is PrinterState.PAPER_NEAR_END:
                log.warning("ticket printed; paper near end")
            return
        reason = result.reason or "not_confirmed"
        if result.after is not None and has_own_message(result.after.state):
            reason = result.after.state.value  # what staff must fix beats how the failure showed itself
        log.warning("ticket not printed: %s", reason)
        raise TicketNotPrinted(reason)

    def close(self) -> None:
        self._worker.close()
