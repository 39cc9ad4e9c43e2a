"""A fake chip reader for the demo and flow tests: it holds a `CardRead` to hand out and scriptable faults
(no card, card pulled, wrong key, not verifiable, reader gone), in the manner of OctoPrint's virtual printer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from kiosk.domain.card_read import CardRead, ChipAccessKey
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.port import CardEvent, CardEventKind

FAKE_READER = "Fake chip reader"


class FakeChipReader:
    """`ChipReaderPort` without hardware. The card opens with any key equal to `accepted_key` (any key if None)."""

    def __init__(self, card: CardRead | None = None, accepted_key: ChipAccessKey | None = None) -> None:
        self._card = card
        self._accepted = accepted_key
        self._next_fault: ChipErrorCode | None = None
        self._reader_present = True
        self._events: asyncio.Queue[CardEvent] = asyncio.Queue()
        self.reads = 0

    def insert_card(self, card: CardRead) -> None:
        self._card = card
        self._events.put_nowait(CardEvent(CardEventKind.CARD_INSERTED, FAKE_READER))

    def remove_card(self) -> None:
        self._card = None
        self._events.put_nowait(CardEvent(CardEventKind.CARD_REMOVED, FAKE_READER))

    def unplug(self) -> None:
        self._reader_present = False
        self._events.put_nowait(CardEvent(CardEventKind.READER_DISCONNECTED, FAKE_READER))

    def plug_in(self) -> None:
        self._reader_present = True
        self._events.put_nowait(CardEvent(CardEventKind.READER_CONNECTED, FAKE_READER))

    def fail_next_read(self, code: ChipErrorCode) -> None:
        """The next read raises this (e.g. CARD_REMOVED for a card pulled mid-read, NOT_VERIFIABLE for a forgery)."""
        self._next_fault = code

    async def read(self, keys: tuple[ChipAccessKey, ...]) -> CardRead:
        self.reads += 1
        await asyncio.sleep(0)  # a real read always yields to the loop
        fault, self._next_fault = self._next_fault, None
        if not self._reader_present:
            raise ChipError(ChipErrorCode.READER_NOT_FOUND)
        if self._card is None:
            raise ChipError(ChipErrorCode.NO_CARD)
        if fault is not None:
            raise ChipError(fault)
        if self._accepted is not None and self._accepted not in keys[:3]:
            raise ChipError(ChipErrorCode.WRONG_KEY)
        return self._card

    async def events(self) -> AsyncIterator[CardEvent]:
        while True:
            yield await self._events.get()

    async def close(self) -> None:
        return None
