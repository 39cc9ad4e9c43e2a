"""The chip bridge with the chip reader's fake: a card on the reader waits for its QR, the QR's printed facts open
the chip, and a chip that will not open falls back to the QR's own data."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest

from kiosk.demo.devices import cccd_qr_text, chip_card, demo_card
from kiosk.domain.card_read import ChipAuthProtocol, ChipAuthResult, ChipAuthStatus, access_keys_from_qr
from kiosk.domain.cccd_qr import parse_cccd_qr
from kiosk.flow.chip_bridge import ChipBridge
from kiosk.flow.events import CardNeedsKey, CardPresented, CardRemoved, CardUnreadable, Event, QrScanned
from kiosk.flow.records import IdentitySource
from kiosk.hardware.chip.errors import ChipErrorCode
from kiosk.hardware.chip.fake import FakeChipReader

CARD = demo_card("000")
QR = cccd_qr_text(CARD)


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def dispatch(self, event: Event) -> None:
        self.events.append(event)


@pytest.fixture
async def bridge() -> AsyncIterator[tuple[ChipBridge, FakeChipReader, Recorder]]:
    qr = parse_cccd_qr(QR)
    right_key = access_keys_from_qr(qr.id_number, qr.date_of_birth, qr.issue_date)[0]
    reader, flow = FakeChipReader(accepted_key=right_key), Recorder()
    chip = ChipBridge(reader, flow)
    watching = asyncio.ensure_future(chip.watch())
    yield chip, reader, flow
    watching.cancel()


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_card_waits_for_its_qr_then_the_chip_identifies_the_patient(
    bridge: tuple[ChipBridge, FakeChipReader, Recorder],
) -> None:
    chip, reader, flow = bridge
    reader.insert_card(chip_card(CARD))
    await settle()
    assert flow.events == [CardNeedsKey()]
    chip.qr_scanned(QR)
    await settle()
    presented = flow.events[-1]
    assert isinstance(presented, CardPresented)
    assert presented.identity.source == IdentitySource.CHIP
    assert presented.identity.id_number == CARD.id_number
    assert reader.reads == 1


async def test_a_chip_that_does_not_open_leaves_the_qr_to_identify(
    bridge: tuple[ChipBridge, FakeChipReader, Recorder],
) -> None:
    chip, reader, flow = bridge
    reader.insert_card(chip_card(CARD))
    await settle()
    reader.fail_next_read(ChipErrorCode.WRONG_KEY)
    chip.qr_scanned(QR)
    await settle()
    assert flow.events[-1] == QrScanned.of(QR)


async def test_a_card_pulled_mid_read_asks_to_place_it_again(
    bridge: tuple[ChipBridge, FakeChipReader, Recorder],
) -> None:
    chip, reader, flow = bridge
    reader.insert_card(chip_card(CARD))
    await settle()
    reader.fail_next_read(ChipErrorCode.CARD_REMOVED)
    chip.qr_scanned(QR)
    await settle()
    assert flow.events[-1] == CardUnreadable("chip.card_removed_place_again")


async def test_without_a_card_a_qr_goes_straight_to_the_flow_and_removal_is_reported(
    bridge: tuple[ChipBridge, FakeChipReader, Recorder],
) -> None:
    chip, reader, flow = bridge
    chip.qr_scanned(QR)
    assert flow.events == [QrScanned.of(QR)]
    reader.insert_card(chip_card(CARD))
    reader.remove_card()
    await settle()
    assert flow.events[-1] == CardRemoved()
    assert not chip.card_present
    assert reader.reads == 0


async def test_a_qr_of_another_card_does_not_open_this_chip_as_someone_else(
    bridge: tuple[ChipBridge, FakeChipReader, Recorder],
) -> None:
    chip, reader, flow = bridge
    other = demo_card("000", 1)
    reader.insert_card(chip_card(other))  # the reader accepts any key here… but the card is someone else's
    reader._accepted = None
    await settle()
    chip.qr_scanned(QR)
    await settle()
    assert flow.events[-1] == CardUnreadable("identify.card_unreadable")


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (ChipErrorCode.NOT_VERIFIABLE, CardUnreadable("chip.card_cannot_be_verified_go_to_desk")),
        (ChipErrorCode.SECURE_MESSAGING, CardUnreadable("chip.card_removed_place_again")),
        (ChipErrorCode.BAD_DATA, QrScanned.of(QR)),  # an unreadable chip: the QR's printed facts still identify
        (ChipErrorCode.READER_ERROR, QrScanned.of(QR)),
    ],
)
async def test_each_chip_failure_reaches_the_patient_with_its_own_message_or_the_qr(
    bridge: tuple[ChipBridge, FakeChipReader, Recorder], fault: ChipErrorCode, expected: Event
) -> None:
    chip, reader, flow = bridge
    reader.insert_card(chip_card(CARD))
    await settle()
    reader.fail_next_read(fault)
    chip.qr_scanned(QR)
    await settle()
    assert flow.events[-1] == expected


@pytest.mark.parametrize("protocol", list(ChipAuthProtocol))
async def test_a_chip_that_fails_chip_or_active_authentication_goes_to_the_desk_like_a_forged_one(
    bridge: tuple[ChipBridge, FakeChipReader, Recorder], protocol: ChipAuthProtocol
) -> None:
    chip, reader, flow = bridge
    clone = dataclasses.replace(chip_card(CARD), chip_auth=ChipAuthResult(ChipAuthStatus.FAILED, protocol))
    reader.insert_card(clone)
    await settle()
    chip.qr_scanned(QR)
    await settle()
    # The same event as a data group that fails passive authentication: a desk slip, no ticket under this identity.
    assert flow.events[-1] == CardUnreadable("chip.card_cannot_be_verified_go_to_desk")
    assert not any(isinstance(event, CardPresented | QrScanned) for event in flow.events)


async def test_a_genuine_chip_identifies_the_patient(bridge: tuple[ChipBridge, FakeChipReader, Recorder]) -> None:
    chip, reader, flow = bridge
    genuine = ChipAuthResult(ChipAuthStatus.GENUINE, ChipAuthProtocol.CHIP_AUTHENTICATION)
    reader.insert_card(dataclasses.replace(chip_card(CARD), chip_auth=genuine))
    await settle()
    chip.qr_scanned(QR)
    await settle()
    assert isinstance(flow.events[-1], CardPresented)
