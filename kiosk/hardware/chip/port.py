"""The chip reader port: what the check-in flow asks of a reader (read a card, hear cards come and go).

Implemented by the PC/SC adapter (`adapter_pyscard`) and the scriptable fake (`fake`); both return domain types and
raise `ChipError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kiosk.domain.card_read import CardRead, ChipAccessKey


class CardEventKind(StrEnum):
    """What the reader noticed; screens react to groups of these, not to strings."""

    READER_CONNECTED = "reader_connected"
    READER_DISCONNECTED = "reader_disconnected"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"


@dataclass(frozen=True, slots=True)
class CardEvent:
    kind: CardEventKind
    reader: str


class ChipReaderPort(Protocol):
    """A chip reader seen from the asyncio loop: every call returns there, never on a device thread."""

    async def read(self, keys: tuple[ChipAccessKey, ...]) -> CardRead:
        """Open the card with the first key it accepts (at most 3 are tried) and read it; raises ChipError."""
        ...

    def events(self) -> AsyncIterator[CardEvent]:
        """Reader and card presence changes, delivered on the loop."""
        ...

    async def close(self) -> None: ...
