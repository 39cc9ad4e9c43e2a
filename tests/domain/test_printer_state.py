"""A patient reads one of three printer sentences, each in Vietnamese and English; only two states have their own."""

from __future__ import annotations

from kiosk.domain.printer_state import PRINTABLE_STATES, PrinterState, has_own_message, message_key
from kiosk.i18n.catalogue import has


def test_paper_and_cover_have_their_own_sentence_and_every_other_state_the_general_one() -> None:
    assert message_key(PrinterState.PAPER_OUT) == "printer.paper_out"
    assert message_key("cover_open") == "printer.cover_open"
    assert {message_key(s) for s in PrinterState} - {"printer.paper_out", "printer.cover_open"} == {"printer.failed"}
    assert message_key("not_confirmed") == "printer.failed"  # a failure reason, not a state
    assert [s for s in PrinterState if has_own_message(s)] == [PrinterState.PAPER_OUT, PrinterState.COVER_OPEN]
    assert all(has(message_key(s)) for s in PrinterState)


def test_only_ready_and_near_end_print() -> None:
    assert {PrinterState.READY, PrinterState.PAPER_NEAR_END} == PRINTABLE_STATES
