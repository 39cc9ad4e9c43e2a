"""The fake reader's faults, and the chip parsers under random input: only typed errors, never a crash."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.domain.card_read import (
    CardRead,
    PassiveAuthResult,
    ReadStats,
    SignatureStatus,
    access_key_from_id,
)
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.fake import FakeChipReader
from kiosk.hardware.chip.lds import parse_dg1, parse_dg2_face, parse_dg13, parse_ef_com, total_length
from kiosk.hardware.chip.passive_auth import parse_security_object
from kiosk.hardware.chip.security_infos import parse_dg14, parse_security_infos
from tests.support.emulated_card_data import build_card
from tests.support.emulated_card_keys import ActiveAuthOffer, ChipAuthOffer, ChipSecurity, PaceOffer

FILES = build_card()
CARD = CardRead(
    document_number="089012345",
    id_number="001089012345",
    full_name="Nguyễn Thị Minh Anh",
    date_of_birth=dt.date(1989, 3, 14),
    sex=None,
    nationality=None,
    ethnicity=None,
    religion=None,
    place_of_origin=None,
    place_of_residence=None,
    identifying_marks=None,
    issue_date=None,
    expiry_date=None,
    father_name=None,
    mother_name=None,
    spouse_name=None,
    old_id_number=None,
    passive_auth=PassiveAuthResult(True, SignatureStatus.VALID),
    stats=ReadStats(7, 150, 1500, 5.0, 1),
)
KEY = access_key_from_id("001089012345", dt.date(1989, 3, 14), dt.date(2029, 3, 14))


async def test_the_fake_reader_reads_and_fails_as_scripted() -> None:
    reader = FakeChipReader(None, KEY[0])
    with pytest.raises(ChipError) as no_card:
        await reader.read(KEY)
    assert no_card.value.code is ChipErrorCode.NO_CARD
    reader.insert_card(CARD)
    assert await reader.read(KEY) is CARD
    wrong = access_key_from_id("001089012345", dt.date(1989, 3, 14), None)
    with pytest.raises(ChipError) as wrong_key:
        await reader.read(wrong)
    assert wrong_key.value.code is ChipErrorCode.WRONG_KEY
    reader.fail_next_read(ChipErrorCode.CARD_REMOVED)
    with pytest.raises(ChipError) as pulled:
        await reader.read(KEY)
    assert pulled.value.code is ChipErrorCode.CARD_REMOVED
    reader.unplug()
    with pytest.raises(ChipError) as gone:
        await reader.read(KEY)
    assert gone.value.code is ChipErrorCode.READER_NOT_FOUND
    events = reader.events()
    assert [(await anext(events)).kind.value for _ in range(2)] == ["card_inserted", "reader_disconnected"]


# EF.CardAccess with two PACEInfos, DG14 with an explicitly written curve and an ActiveAuthenticationInfo.
SECURE = build_card(
    with_face=False,
    security=ChipSecurity(
        pace=(PaceOffer(13, 2), PaceOffer(0, 1)),
        chip_auth=ChipAuthOffer(13, 2, explicit_parameters=True, key_id=1),
        active_auth=ActiveAuthOffer("ecdsa"),
    ),
)
PARSERS = [
    parse_ef_com,
    parse_dg1,
    parse_dg13,
    parse_dg2_face,
    total_length,
    lambda b: parse_security_object(b, []),
    parse_security_infos,
    parse_dg14,
]
SAMPLES = [FILES.files[fid] for fid in (0x011E, 0x0101, 0x010D, 0x0102, 0x011E, 0x011D)] + [
    SECURE.files[0x011C],
    SECURE.files[0x010E],
]
FUZZ = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("index", range(len(PARSERS)))
@FUZZ
@given(data=st.data())
def test_parsers_raise_only_typed_errors_on_mutated_files(index: int, data: st.DataObject) -> None:
    sample = bytearray(SAMPLES[index])
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(sample) - 1))
        sample[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(sample)))
    with contextlib.suppress(ChipError):
        PARSERS[index](bytes(sample[:cut] if data.draw(st.booleans()) else sample))


@pytest.mark.parametrize("index", range(len(PARSERS)))
@FUZZ
@given(blob=st.binary(max_size=300))
def test_parsers_raise_only_typed_errors_on_random_bytes(index: int, blob: bytes) -> None:
    with contextlib.suppress(ChipError):
        PARSERS[index](blob)


def test_dg13_fields_are_found_by_number_whatever_their_order() -> None:
    fields = parse_dg13(FILES.files[0x010D])
    assert fields[13] == [FILES.card.father_name, FILES.card.mother_name]
    assert 14 not in fields  # unmarried: the spouse field is absent
    assert fields[12] == [FILES.card.expiry.strftime("%d/%m/%Y")]  # type: ignore[union-attr]
    assert dataclasses.is_dataclass(FILES.card)


async def test_the_factory_gives_the_fake_for_virtual_and_pcsc_otherwise() -> None:
    from kiosk.hardware.chip.adapter_pyscard import PyscardChipReader
    from kiosk.hardware.virtual import VIRTUAL
    from kiosk.runtime.devices import chip_reader

    fake = chip_reader(VIRTUAL, demo_card=CARD)
    assert isinstance(fake, FakeChipReader)
    assert await fake.read(KEY) is CARD
    real = chip_reader("ACS ACR1252 PICC")
    assert isinstance(real, PyscardChipReader)
    await real.close()


def test_every_error_code_has_a_patient_message_in_vietnamese_and_english() -> None:
    import unicodedata

    from kiosk.hardware.chip.errors import MESSAGE_KEYS
    from kiosk.i18n.catalogue import has, translate

    # The patient reads the kiosk's catalogue (kiosk/i18n/locale): every chip key is there in both languages.
    for code in ChipErrorCode:
        assert has(MESSAGE_KEYS[code])
        vietnamese, english = translate(MESSAGE_KEYS[code], "vi"), translate(MESSAGE_KEYS[code], "en")
        assert vietnamese != english
        assert unicodedata.is_normalized("NFC", vietnamese)
    assert translate(MESSAGE_KEYS[ChipErrorCode.NOT_VERIFIABLE], "en").endswith("go to the reception desk.")
