"""The ticket printer's states as the kiosk names them, which may print, and what a patient reads for each.

A patient reads one of three sentences: paper out, cover open (each a thing staff fix at the kiosk), or "the
printer failed"; IT's alert carries the state itself. Named state groups, so callers react to kinds of state
(OctoPrint's habit), never to loose strings.
"""

from __future__ import annotations

from enum import StrEnum


class PrinterState(StrEnum):
    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"
    NO_RESPONSE = "no_response"


# The kiosk prints only in these; near-end still prints but tells IT to change the roll.
PRINTABLE_STATES = frozenset({PrinterState.READY, PrinterState.PAPER_NEAR_END})

PRINTER_FAILED = "printer.failed"  # the message for any state without a sentence of its own
_MESSAGE_KEYS: dict[str, str] = {
    PrinterState.PAPER_OUT: "printer.paper_out",
    PrinterState.COVER_OPEN: "printer.cover_open",
}


def has_own_message(state: str) -> bool:
    """Whether the state says what staff must fix (and so beats how a failure showed itself)."""
    return state in _MESSAGE_KEYS


def message_key(state: str) -> str:
    """The message key a patient reads for a printer in `state` (a state name or a failure reason)."""
    return _MESSAGE_KEYS.get(state, PRINTER_FAILED)
