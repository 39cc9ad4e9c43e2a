"""The PC/SC adapter against pcscd + vpcd + the emulated CCCD card: reads, faults, pulled cards, pcscd restarts."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from smartcard import scard

from kiosk.domain.card_expiry import candidate_expiries
from kiosk.domain.card_read import SignatureStatus, access_key_from_id, access_keys_from_qr
from kiosk.hardware.chip.adapter_pyscard import PcscReaderSettings, PyscardChipReader
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.port import CardEvent, CardEventKind
from tests.support.emulated_card import EmulatedCccd
from tests.support.emulated_card_data import CardFiles, CitizenCard, build_card, dg13, face_jpeg
from tests.support.emulated_card_vpcd import VpcdCardLink
from tests.support.pcsc_daemon import FIRST_READER, PcscDaemon

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(60)]


def _key(card: CitizenCard) -> tuple:  # type: ignore[type-arg]
    return access_key_from_id(card.id_number, card.date_of_birth, card.expiry)


async def test_a_genuine_card_is_read_through_pcscd_with_extended_length(
    reader: PyscardChipReader, card_on_reader: VpcdCardLink, card_files: CardFiles
) -> None:
    read = await reader.read(_key(card_files.card))
    assert read.id_number == card_files.card.id_number
    assert read.full_name == card_files.card.full_name
    assert (read.father_name, read.mother_name) == (card_files.card.father_name, card_files.card.mother_name)
    assert read.passive_auth.hashes_ok
    assert read.passive_auth.signature is SignatureStatus.VALID
    # EF.CardAccess (none: BAC), SELECT, GET CHALLENGE, EXTERNAL AUTHENTICATE, EF.SOD, DG1, DG13
    assert read.stats.apdu_count == 7


async def test_short_length_when_the_card_does_not_offer_extended(
    reader: PyscardChipReader, pcscd: PcscDaemon, card_files: CardFiles
) -> None:
    link = VpcdCardLink(EmulatedCccd(card_files, extended_length=False), pcscd.netns)
    link.insert()
    try:
        read = await reader.read(_key(card_files.card))
    finally:
        link.pull()
    assert read.stats.apdu_count > 7
    assert read.id_number == card_files.card.id_number


async def test_the_qr_alone_opens_the_card(reader: PyscardChipReader, pcscd: PcscDaemon) -> None:
    birth, issued = dt.date(1990, 5, 10), dt.date(2013, 5, 10)
    expiry = candidate_expiries(birth, issued)[1]
    files = build_card(CitizenCard(date_of_birth=birth, issue_date=issued, expiry=expiry), with_face=False)
    link = VpcdCardLink(EmulatedCccd(files), pcscd.netns)
    link.insert()
    try:
        read = await reader.read(access_keys_from_qr(files.card.id_number, birth, issued))
    finally:
        link.pull()
    assert read.stats.key_tries == 2
    assert read.expiry_date == expiry


async def test_a_wrong_key_fails_cleanly_and_fast(
    reader: PyscardChipReader, card_on_reader: VpcdCardLink, card_files: CardFiles
) -> None:
    started = time.monotonic()
    with pytest.raises(ChipError) as caught:
        await reader.read(access_key_from_id(card_files.card.id_number, card_files.card.date_of_birth, None))
    assert caught.value.code is ChipErrorCode.WRONG_KEY
    assert time.monotonic() - started < 3.0
    # The connection was released: the right key works straight after.
    assert (await reader.read(_key(card_files.card))).id_number == card_files.card.id_number


@pytest.mark.parametrize(
    ("fault", "code"),
    [("reject_next_sm_mac", ChipErrorCode.SECURE_MESSAGING), ("deny_reads", ChipErrorCode.ACCESS_DENIED)],
)
async def test_card_status_words_become_typed_errors(
    reader: PyscardChipReader, card_on_reader: VpcdCardLink, card_files: CardFiles, fault: str, code: ChipErrorCode
) -> None:
    setattr(card_on_reader.card.faults, fault, True)
    with pytest.raises(ChipError) as caught:
        await reader.read(_key(card_files.card))
    assert caught.value.code is code


async def test_a_card_pulled_mid_read_is_card_removed_and_the_reader_recovers(
    reader: PyscardChipReader, pcscd: PcscDaemon, card_files: CardFiles
) -> None:
    card = EmulatedCccd(card_files)
    card.faults.pull_after_apdus = 5  # after BAC and the first file
    link = VpcdCardLink(card, pcscd.netns)
    link.insert()
    try:
        with pytest.raises(ChipError) as caught:
            await reader.read(_key(card_files.card))
        assert caught.value.code is ChipErrorCode.CARD_REMOVED
    finally:
        link.pull()
    again = VpcdCardLink(EmulatedCccd(card_files), pcscd.netns)
    again.insert()
    try:
        assert (await reader.read(_key(card_files.card))).id_number == card_files.card.id_number
    finally:
        again.pull()


async def test_no_card_and_unknown_reader(reader: PyscardChipReader, pcscd: PcscDaemon, card_files: CardFiles) -> None:
    with pytest.raises(ChipError) as caught:
        await reader.read(_key(card_files.card))
    assert caught.value.code is ChipErrorCode.NO_CARD
    other = PyscardChipReader(PcscReaderSettings("ACS ACR1252 Dual Reader PICC"))
    try:
        with pytest.raises(ChipError) as missing:
            await other.read(_key(card_files.card))
        assert missing.value.code is ChipErrorCode.READER_NOT_FOUND
    finally:
        await other.close()


async def test_a_tampered_dg13_is_refused(reader: PyscardChipReader, pcscd: PcscDaemon, card_files: CardFiles) -> None:
    forged = card_files.with_file(0x010D, dg13(dataclasses.replace(card_files.card, full_name="Kẻ Giả Mạo")))
    link = VpcdCardLink(EmulatedCccd(forged), pcscd.netns)
    link.insert()
    try:
        with pytest.raises(ChipError) as caught:
            await reader.read(_key(card_files.card))
    finally:
        link.pull()
    assert caught.value.code is ChipErrorCode.NOT_VERIFIABLE
    assert caught.value.message_key == "chip.card_cannot_be_verified_go_to_desk"


async def _next(events: AsyncIterator[CardEvent], kind: CardEventKind) -> CardEvent:
    async with asyncio.timeout(5.0):
        while True:
            event = await anext(events)
            if event.kind is kind:
                return event


async def test_card_events_and_a_reader_gone_and_back(
    reader: PyscardChipReader, pcscd: PcscDaemon, card_files: CardFiles
) -> None:
    events = reader.events()
    await _next(events, CardEventKind.READER_CONNECTED)
    link = VpcdCardLink(EmulatedCccd(card_files), pcscd.netns)
    link.insert()
    inserted = await _next(events, CardEventKind.CARD_INSERTED)
    assert inserted.reader == FIRST_READER
    link.pull()
    await _next(events, CardEventKind.CARD_REMOVED)

    pcscd.stop()  # the reader disappears with the service, as when it is unplugged
    await _next(events, CardEventKind.READER_DISCONNECTED)
    with pytest.raises(ChipError) as caught:
        await reader.read(_key(card_files.card))
    assert caught.value.code is ChipErrorCode.READER_NOT_FOUND

    pcscd.start()
    await _next(events, CardEventKind.READER_CONNECTED)
    back = VpcdCardLink(EmulatedCccd(card_files), pcscd.netns)
    back.insert()
    try:
        await _next(events, CardEventKind.CARD_INSERTED)
        assert (await reader.read(_key(card_files.card))).id_number == card_files.card.id_number
    finally:
        back.pull()


async def test_no_card_data_reaches_the_logs(
    reader: PyscardChipReader, pcscd: PcscDaemon, card_files: CardFiles, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    forged = card_files.with_file(0x010D, dg13(dataclasses.replace(card_files.card, full_name="Kẻ Giả Mạo")))
    link = VpcdCardLink(EmulatedCccd(forged), pcscd.netns)
    link.insert()
    try:
        with pytest.raises(ChipError):
            await reader.read(_key(card_files.card))
    finally:
        link.pull()
    assert "not_verifiable" in caplog.text
    for secret in (card_files.card.id_number, card_files.card.document_number, "Giả Mạo", "Nguyễn"):
        assert secret not in caplog.text


def test_plain_reads_are_refused_by_the_card_through_pcscd(card_on_reader: VpcdCardLink) -> None:
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert result == scard.SCARD_S_SUCCESS
    try:
        result, card, protocol = scard.SCardConnect(
            context, FIRST_READER, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        assert result == scard.SCARD_S_SUCCESS
        try:
            for command, expected in (("00A4040C07A0000002471001", "9000"), ("00B0810000", "6982")):
                result, response = scard.SCardTransmit(card, protocol, list(bytes.fromhex(command)))
                assert result == scard.SCARD_S_SUCCESS
                assert bytes(response).hex().upper() == expected
        finally:
            scard.SCardDisconnect(card, scard.SCARD_RESET_CARD)
    finally:
        scard.SCardReleaseContext(context)


async def test_a_face_past_32_kib_crosses_pcscd_in_extended_apdus(pcscd: PcscDaemon, csca_file: Path) -> None:
    jpeg = face_jpeg((200, 200), noisy=True)
    files = build_card(face=jpeg)
    link = VpcdCardLink(EmulatedCccd(files), pcscd.netns)
    link.insert()
    chip = PyscardChipReader(PcscReaderSettings(FIRST_READER, [csca_file], read_face=True))
    try:
        read = await chip.read(_key(files.card))
    finally:
        await chip.close()
        link.pull()
    assert read.face_jpeg == jpeg
    assert read.stats.apdu_count == 9  # the face takes two: 32767 bytes, then the rest with READ BINARY B1


async def test_a_card_that_stops_answering_times_out(pcscd: PcscDaemon, card_files: CardFiles) -> None:
    card = EmulatedCccd(card_files)
    card.faults.stall_after_apdus = 4
    link = VpcdCardLink(card, pcscd.netns)
    link.insert()
    chip = PyscardChipReader(PcscReaderSettings(FIRST_READER, read_deadline_s=0.5))
    started = time.monotonic()
    try:
        with pytest.raises(ChipError) as caught:
            await chip.read(_key(card_files.card))
        assert caught.value.code is ChipErrorCode.TIMEOUT
        assert time.monotonic() - started < 5.0
    finally:
        link.pull()  # releases the transmit still waiting on the worker thread
        await chip.close()
