"""Between the chip reader, the camera and the flow: a CCCD chip opens only with facts printed on the card, so a
card on the reader waits for its QR; the QR's facts open the chip, and the chip's data identify the patient.

If the chip cannot be read with those facts, the QR alone identifies the patient (its data are printed on the card
and are what the desk would type). Card events reach the flow as events; nothing read is kept here beyond the read.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from kiosk.domain.card_read import ChipAuthStatus, access_keys_from_qr
from kiosk.domain.cccd_qr import CccdQr
from kiosk.flow.events import CardNeedsKey, CardPresented, CardRemoved, CardUnreadable, Event, QrScanned
from kiosk.flow.identify import identity_from_card
from kiosk.hardware.chip.port import CardEventKind, ChipReaderPort

log = logging.getLogger("kiosk.flow.chip")
READ_DEADLINE_S = 10.0  # BAC + DG1/DG13 take well under a second; a stuck reader must not hold the patient
# Chip failures the patient must hear about in the chip's own words. Any other failure (wrong key, unreadable chip,
# reader fault) leaves the QR's printed facts to identify the patient, as the desk would type them.
TOLD_TO_PATIENT = frozenset({"chip.card_removed_place_again", "chip.card_cannot_be_verified_go_to_desk"})


class Dispatcher(Protocol):
    def dispatch(self, event: Event) -> None: ...


class ChipBridge:
    def __init__(self, reader: ChipReaderPort, flow: Dispatcher) -> None:
        self._reader, self._flow = reader, flow
        self.card_present = False
        self.reader_ok = True
        self._reading: asyncio.Task[None] | None = None

    async def watch(self) -> None:
        """Follow the reader's events until cancelled."""
        async for event in self._reader.events():
            if event.kind == CardEventKind.CARD_INSERTED:
                self.card_present = True
                self._flow.dispatch(CardNeedsKey())
            elif event.kind == CardEventKind.CARD_REMOVED:
                self.card_present = False
                if self._reading is not None:
                    self._reading.cancel()
                self._flow.dispatch(CardRemoved())
            else:
                self.reader_ok = event.kind == CardEventKind.READER_CONNECTED

    def qr_scanned(self, text: str) -> None:
        """The camera saw a QR: with a card on the reader and a CCCD QR, open the chip; otherwise pass it on."""
        scan = QrScanned.of(text)
        parsed = scan.payload.parsed
        if not (self.card_present and isinstance(parsed, CccdQr)) or self._reading is not None:
            self._flow.dispatch(scan)
            return
        self._reading = asyncio.ensure_future(self._read(scan, parsed))
        self._reading.add_done_callback(self._done)

    def _done(self, _task: asyncio.Task[None]) -> None:
        self._reading = None

    async def _read(self, scan: QrScanned, qr: CccdQr) -> None:
        keys = access_keys_from_qr(qr.id_number, qr.date_of_birth, qr.issue_date)
        try:
            card = await asyncio.wait_for(self._reader.read(keys), READ_DEADLINE_S)
        except TimeoutError:
            log.warning("chip read timed out; the QR identifies the patient")
            self._flow.dispatch(scan)
            return
        except Exception as exc:  # ChipError and reader faults: the QR's printed facts still identify the patient
            key = getattr(exc, "message_key", "identify.card_unreadable")
            log.warning("chip read failed: %s", getattr(exc, "code", type(exc).__name__))
            if key in TOLD_TO_PATIENT:
                # Not verifiable: the chip's data do not match its signed security object. Its QR must not stand in
                # for it (it may be a forged card); staff check the card at the desk.
                self._flow.dispatch(CardUnreadable(key))
                return
            self._flow.dispatch(scan)
            return
        if card.chip_auth.status is ChipAuthStatus.FAILED:
            # A clone carries genuinely signed data, not the chip's key: like a forged card, staff check it at the
            # desk and its QR does not stand in for it.
            log.warning("chip failed chip/active authentication")
            self._flow.dispatch(CardUnreadable("chip.card_cannot_be_verified_go_to_desk"))
            return
        if card.id_number != qr.id_number:
            log.warning("chip and QR belong to different cards")
            self._flow.dispatch(CardUnreadable("identify.card_unreadable"))
            return
        self._flow.dispatch(CardPresented(identity_from_card(card)))
