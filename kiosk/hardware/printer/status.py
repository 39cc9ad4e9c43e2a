"""What the printer's status bytes mean, and which states may print (pure: bytes in, a state out).

Real-time queries (`DLE EOT n`) are answered at once, even mid-job; a missing answer is `no_response`, never
`ready` (python-escpos's `paper_status()` says "paper OK" to silence). Bit meanings are Epson's: DLE EOT 2 bit 0x04
cover open, 0x20 paper-end stop, 0x40 error; DLE EOT 4 bits 0x0C near end, 0x60 no paper; DLE EOT 1 bit 0x08 offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.domain.printer_state import PRINTABLE_STATES, PrinterState

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_OFFLINE_CAUSE = b"\x10\x04\x02"
DLE_EOT_PAPER = b"\x10\x04\x04"
REALTIME_QUERIES = (DLE_EOT_PRINTER, DLE_EOT_OFFLINE_CAUSE, DLE_EOT_PAPER)
# GS r 1 is not real-time: the printer answers it only after printing everything sent before it.
COMPLETION_QUERY = b"\x1dr\x01"

_OFFLINE = 0x08
_COVER_OPEN = 0x04
_PAPER_END_STOP = 0x20
_ERROR = 0x40
_PAPER_NEAR_END = 0x0C
_PAPER_ABSENT = 0x60
_COMPLETION_PAPER_ABSENT = 0x0C


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A state with the bytes it was read from (for IT), and a reason code when the printer did not answer."""

    state: PrinterState
    raw: dict[str, str] = field(default_factory=dict)
    detail: str | None = None

    @property
    def printable(self) -> bool:
        return self.state in PRINTABLE_STATES


def is_realtime_status_byte(value: int) -> bool:
    """Every DLE EOT answer has bits 1 and 4 set and bits 0 and 7 clear; anything else is not a status reply."""
    return value & 0x93 == 0x12


def interpret(printer: int | None, offline_cause: int | None, paper: int | None) -> PrinterState:
    """The most urgent state the three status bytes show; a missing byte means the printer did not answer."""
    if printer is None or offline_cause is None or paper is None:
        return PrinterState.NO_RESPONSE
    if not all(is_realtime_status_byte(b) for b in (printer, offline_cause, paper)):
        return PrinterState.ERROR
    if offline_cause & _COVER_OPEN:
        return PrinterState.COVER_OPEN
    if paper & _PAPER_ABSENT or offline_cause & _PAPER_END_STOP:
        return PrinterState.PAPER_OUT
    if offline_cause & _ERROR:
        return PrinterState.ERROR
    if printer & _OFFLINE:
        return PrinterState.OFFLINE
    if paper & _PAPER_NEAR_END:
        return PrinterState.PAPER_NEAR_END
    return PrinterState.READY


def completion_shows_paper_out(value: int) -> bool:
    """The GS r 1 answer: bits 2–3 set when the roll ran out (bits 4 and 7 are always clear)."""
    return value & 0x90 == 0 and value & _COMPLETION_PAPER_ABSENT == _COMPLETION_PAPER_ABSENT
