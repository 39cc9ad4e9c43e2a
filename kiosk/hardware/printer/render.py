"""One call from a ticket to both outputs: the PNG preview for the screen and the ESC/POS job for the printer."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from kiosk.domain.ticket import DeskSlip, QueueTicket
from kiosk.hardware.printer.blocks import Block, PaperWidth, PrinterProfile
from kiosk.hardware.printer.escpos_encode import encode
from kiosk.hardware.printer.preview import TicketPreview, render_preview
from kiosk.hardware.printer.ticket_layout import desk_slip_blocks, ticket_blocks


@dataclass(frozen=True, slots=True)
class PrintJob:
    """A laid-out ticket; the preview and the bytes come from the same blocks."""

    blocks: tuple[Block, ...]
    profile: PrinterProfile

    def escpos(self) -> bytes:
        return encode(list(self.blocks), self.profile)

    def preview(self) -> TicketPreview:
        return render_preview(list(self.blocks), self.profile.paper)

    def preview_png(self) -> bytes:
        out = io.BytesIO()
        # Level 1: the screen reads the PNG at once and a 1-bit ticket is small at any level; level 6 costs ms.
        self.preview().image.save(out, format="PNG", compress_level=1)
        return out.getvalue()

    def paper_length_mm(self) -> float:
        """Length of paper the ticket uses, for the print-time estimate (203 dpi: 8 dots per mm)."""
        return self.preview().image.height / 8


def ticket_job(ticket: QueueTicket, profile: PrinterProfile, logo: Image.Image | None = None) -> PrintJob:
    return PrintJob(tuple(ticket_blocks(ticket, profile.paper, logo)), profile)


def desk_slip_job(slip: DeskSlip, profile: PrinterProfile) -> PrintJob:
    return PrintJob(tuple(desk_slip_blocks(slip, profile.paper)), profile)


def sample_ticket_job(profile: PrinterProfile) -> PrintJob:
    """The ticket `kiosk printer test-print` sends: every kind of block, Vietnamese with stacked tone marks."""
    from kiosk.hardware.printer.sample import sample_ticket

    return ticket_job(sample_ticket(), profile)


__all__ = ["PaperWidth", "PrintJob", "PrinterProfile", "desk_slip_job", "sample_ticket_job", "ticket_job"]
