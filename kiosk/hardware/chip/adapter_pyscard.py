"""The chip reader on PC/SC (pyscard's `scard` layer): the reader is found by its configured name, every card call
runs on the reader's own worker thread with a deadline, and a monitor thread turns reader and card presence
changes into `CardEvent`s handed to the asyncio loop. A pcscd restart or a reader unplugged and plugged back is
survived: contexts are re-established and the reader looked up again by name.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from smartcard import scard

from kiosk.domain.card_read import CardRead, ChipAccessKey
from kiosk.hardware.chip.atr import offers_extended_length
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.passive_auth import load_trust_anchors
from kiosk.hardware.chip.port import CardEvent, CardEventKind
from kiosk.hardware.chip.read_card import ReadOptions, read_card

log = logging.getLogger(__name__)

_GONE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE}
_REMOVED = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD}
_READER_MISSING = {scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_NO_READERS_AVAILABLE}
_POLL_MS = 300
SHORT_APDU_LIMIT = 261  # 5 header bytes + 256: a reader limited to this cannot carry extended APDUs


@dataclass(frozen=True)
class PcscReaderSettings:
    """Reader configuration: its PC/SC name (exact, or a prefix ending before the slot numbers), CSCA files."""

    reader_name: str
    trust_anchor_paths: list[Path] = field(default_factory=list)
    read_face: bool = False
    extended_length: bool | None = None  # None: use it when the card's ATR offers it
    read_deadline_s: float = 8.0


def _check(result: int, what: str) -> None:
    if result == scard.SCARD_S_SUCCESS:
        return
    if result in _REMOVED:
        raise ChipError(ChipErrorCode.CARD_REMOVED, what)
    if result in _READER_MISSING or result in _GONE:
        raise ChipError(ChipErrorCode.READER_NOT_FOUND, what)
    if result == scard.SCARD_E_TIMEOUT:
        raise ChipError(ChipErrorCode.TIMEOUT, what)
    raise ChipError(ChipErrorCode.READER_ERROR, f"{what}: {scard.SCardGetErrorMessage(result)}")


def match_reader(configured: str, available: list[str]) -> str | None:
    """The reader the hospital configured: an exact name, else the one name that starts with it."""
    if configured in available:
        return configured
    prefixed = [name for name in available if name.startswith(configured)]
    return prefixed[0] if len(prefixed) == 1 else None


class _Connection:
    """One connected card; transmit maps PC/SC failures (card pulled, service gone) to ChipError."""

    def __init__(self, card: int, protocol: int) -> None:
        self._card, self._protocol = card, protocol

    def transmit(self, command: bytes) -> bytes:
        result, response = scard.SCardTransmit(self._card, self._protocol, list(command))
        if result == scard.SCARD_E_NOT_TRANSACTED:
            raise ChipError(ChipErrorCode.CARD_REMOVED, "transaction failed")  # what a card leaving looks like
        _check(result, "transmit")
        if len(response) < 2:
            # vpcd (and some readers) report success with no answer when the card leaves mid-command.
            raise ChipError(ChipErrorCode.CARD_REMOVED, "no answer")
        return bytes(response)

    def reset(self) -> None:
        """A warm reset: ends every session on the card (after a failed chip authentication the read starts over)."""
        result, protocol = scard.SCardReconnect(
            self._card,
            scard.SCARD_SHARE_EXCLUSIVE,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
            scard.SCARD_RESET_CARD,
        )
        _check(result, "reset")
        self._protocol = protocol

    def max_message(self) -> int | None:
        """The largest APDU the reader carries (SCARD_ATTR_MAXINPUT), when its driver says (CCID does)."""
        result, value = scard.SCardGetAttrib(self._card, scard.SCARD_ATTR_MAXINPUT)
        if result != scard.SCARD_S_SUCCESS or len(value) < 4:
            return None
        return int.from_bytes(bytes(value[:4]), "little")

    def atr(self) -> bytes:
        result, _reader, _state, _protocol, atr = scard.SCardStatus(self._card)
        _check(result, "status")
        return bytes(atr)


class PyscardChipReader:
    """`ChipReaderPort` on PC/SC. Create it on the loop; call `close()` to stop its threads."""

    def __init__(self, settings: PcscReaderSettings) -> None:
        self._settings = settings
        self._anchors = load_trust_anchors(settings.trust_anchor_paths)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chip-reader")
        self._context: int | None = None  # used only on the worker thread
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[CardEvent] = asyncio.Queue()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None

    # --- reading, on the worker thread -------------------------------------------------------------------------

    async def read(self, keys: tuple[ChipAccessKey, ...]) -> CardRead:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._worker, self.read_blocking, keys)
        try:
            # The session checks the deadline between APDUs; this outer one covers a transmit that never returns.
            return await asyncio.wait_for(future, self._settings.read_deadline_s + 2.0)
        except TimeoutError as exc:
            raise ChipError(ChipErrorCode.TIMEOUT) from exc

    def _establish(self) -> int:
        if self._context is None:
            result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            _check(result, "establish context")
            self._context = context
        return self._context

    def _drop_context(self) -> None:
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None

    def _connect(self) -> tuple[int, _Connection]:
        context = self._establish()
        result, readers = scard.SCardListReaders(context, [])
        if result in _GONE:
            self._drop_context()  # pcscd restarted: the next call starts afresh
        if result not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_NO_READERS_AVAILABLE):
            _check(result, "list readers")
        name = match_reader(self._settings.reader_name, list(readers or []))
        if name is None:
            raise ChipError(ChipErrorCode.READER_NOT_FOUND)
        result, card, protocol = scard.SCardConnect(
            context, name, scard.SCARD_SHARE_EXCLUSIVE, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if result in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD):
            raise ChipError(ChipErrorCode.NO_CARD)
        _check(result, "connect")
        return card, _Connection(card, protocol)

    def read_blocking(self, keys: tuple[ChipAccessKey, ...]) -> CardRead:
        """The read itself, blocking: `read` runs it on the worker thread (the benchmark calls it directly)."""
        try:
            card, connection = self._connect()
        except ChipError as exc:
            if exc.code is ChipErrorCode.READER_NOT_FOUND:
                self._drop_context()
            raise
        disposition = scard.SCARD_RESET_CARD  # ends the BAC session on the card
        try:
            extended, budget = self._link_limits(connection)
            options = ReadOptions(
                self._settings.read_face,
                extended,
                self._anchors,
                self._settings.read_deadline_s,
                response_budget=budget,
            )
            return read_card(connection, keys, options)
        except ChipError as exc:
            log.info("chip read failed: %s", exc.code)  # the code only: never card data
            if exc.code in (ChipErrorCode.CARD_REMOVED, ChipErrorCode.READER_NOT_FOUND):
                disposition = scard.SCARD_LEAVE_CARD  # resetting a card that left confuses pcscd's slot state
            raise
        finally:
            scard.SCardDisconnect(card, disposition)

    def _link_limits(self, connection: _Connection) -> tuple[bool, int | None]:
        """Extended length when the card offers it (or the config forces it) and the reader can carry it; each answer
        then fits the reader's own message limit (the read size follows from it and the channel's cipher)."""
        extended = self._settings.extended_length
        if extended is None:
            extended = offers_extended_length(connection.atr())
        if not extended:
            return False, None
        limit = connection.max_message()
        if limit is None:
            return True, None
        if limit <= SHORT_APDU_LIMIT:
            return False, None
        return True, limit - 2  # the status word travels in the same message

    # --- events, on the monitor thread, delivered to the loop ---------------------------------------------------

    async def events(self) -> AsyncIterator[CardEvent]:
        if self._monitor is None:
            self._loop = asyncio.get_running_loop()
            self._monitor = threading.Thread(target=self._watch, name="chip-reader-monitor", daemon=True)
            self._monitor.start()
        while True:
            yield await self._queue.get()

    def _emit(self, kind: CardEventKind, reader: str) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._queue.put_nowait, CardEvent(kind, reader))

    def _watch(self) -> None:
        reader: str | None = None
        present = False
        context: int | None = None
        while not self._stop.is_set():
            if context is None:
                result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if result != scard.SCARD_S_SUCCESS:
                    context = None
                    self._stop.wait(_POLL_MS / 1000)
                    continue
            result, readers = scard.SCardListReaders(context, [])
            name = match_reader(self._settings.reader_name, list(readers or [])) if result == 0 else None
            if name != reader:
                if reader is not None:
                    if present:
                        self._emit(CardEventKind.CARD_REMOVED, reader)
                    self._emit(CardEventKind.READER_DISCONNECTED, reader)
                reader, present = name, False
                if name is not None:
                    self._emit(CardEventKind.READER_CONNECTED, name)
            if result in _GONE:
                scard.SCardReleaseContext(context)
                context = None
            if reader is None or context is None:
                self._stop.wait(_POLL_MS / 1000)
                continue
            present = self._wait_for_change(context, reader, present)
        if context is not None:
            scard.SCardReleaseContext(context)

    def _wait_for_change(self, context: int, reader: str, present: bool) -> bool:
        state = scard.SCARD_STATE_PRESENT if present else scard.SCARD_STATE_EMPTY
        result, states = scard.SCardGetStatusChange(context, _POLL_MS, [(reader, state)])
        if result != scard.SCARD_S_SUCCESS:
            if result != scard.SCARD_E_TIMEOUT:
                self._stop.wait(_POLL_MS / 1000)
            return present
        now_present = bool(states[0][1] & scard.SCARD_STATE_PRESENT)
        if now_present != present:
            self._emit(CardEventKind.CARD_INSERTED if now_present else CardEventKind.CARD_REMOVED, reader)
        return now_present

    async def close(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            await asyncio.to_thread(self._monitor.join, 2.0)
        await asyncio.get_running_loop().run_in_executor(self._worker, self._drop_context)
        self._worker.shutdown(wait=False)
