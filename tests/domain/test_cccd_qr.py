from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.cccd_qr import CccdQr, format_cccd_qr, parse_cccd_qr
from kiosk.domain.citizen_id import IdMismatch
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex
from tests.domain import public_samples as samples
from tests.domain.strategies import FAST, any_text, cccd_cards, parses_or_refuses

# Made up: a 1989 man from Hà Nội with a 9-digit old CMND.
MADE_UP = "001089012345|123456789|Nguyễn Văn An|01021989|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021"


def test_made_up_card() -> None:
    card = parse_cccd_qr(MADE_UP)
    assert card == CccdQr(
        id_number="001089012345",
        old_id_number="123456789",
        full_name="Nguyễn Văn An",
        date_of_birth=date(1989, 2, 1),
        sex=Sex.MALE,
        address="Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội",
        issue_date=date(2021, 8, 15),
    )
    assert card.id_mismatches == frozenset()
    assert format_cccd_qr(card) == MADE_UP


def test_public_sample_with_old_id() -> None:
    card = parse_cccd_qr(samples.CCCD_QR_WITH_OLD_ID_PSEUDONYMISED)
    assert (card.id_number, card.old_id_number) == ("089202000001", "350000001")
    assert (card.date_of_birth, card.sex, card.issue_date) == (date(2002, 5, 23), Sex.MALE, date(2021, 12, 31))
    assert card.address == "Ấp An Thái, Hòa Bình, Chợ Mới, An Giang"
    assert card.id_mismatches == frozenset()


def test_public_sample_with_empty_old_id() -> None:
    card = parse_cccd_qr(samples.CCCD_QR_EMPTY_OLD_ID_PSEUDONYMISED)
    assert card.old_id_number is None
    assert card.full_name == "Khuất Văn Hoà"


def test_six_field_sample_from_public_docs_is_refused_not_shifted() -> None:
    with pytest.raises(DomainParseError) as err:
        parse_cccd_qr(samples.CCCD_QR_SIX_FIELDS_FROM_DOCS)
    assert err.value.reason == "too_few_fields"


def test_stripped_diacritics_decomposed_text_and_extra_fields() -> None:
    woman = "079195000123||TRAN THI BICH|05061995|Nu|Quan 1, TP HCM|01072022|extra|fields"
    card = parse_cccd_qr(woman)
    assert card.sex is Sex.FEMALE
    assert card.full_name == "TRAN THI BICH"
    decomposed = unicodedata.normalize("NFD", MADE_UP)
    assert parse_cccd_qr(decomposed) == parse_cccd_qr(MADE_UP)
    assert parse_cccd_qr("\ufeff" + MADE_UP + "\r\n") == parse_cccd_qr(MADE_UP)


def test_slashed_dates_from_third_party_generators_are_read() -> None:
    card = parse_cccd_qr("001089012345||Nguyễn Văn An|01/02/1989|Nam||15/08/2021")
    assert card.date_of_birth == date(1989, 2, 1)
    assert card.address is None


def test_mismatch_between_qr_fields_and_id_is_reported() -> None:
    # ID digit 0 = male born 1900s, but the QR says Nữ and 1998.
    card = parse_cccd_qr("001089012345||Nguyễn Thị An|01021998|Nữ|Hà Nội|15082021")
    assert card.id_mismatches == {IdMismatch.SEX, IdMismatch.BIRTH_YEAR}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "too_few_fields"),
        ("00108901234|123456789|An|01021989|Nam|HN|15082021", "wrong_length"),
        ("001089012345|12345|An|01021989|Nam|HN|15082021", "bad_old_id"),
        ("001089012345||   |01021989|Nam|HN|15082021", "missing_name"),
        ("001089012345||An|31021989|Nam|HN|15082021", "bad_date"),
        ("001089012345||An|01021989|M|HN|15082021", "bad_sex"),
        ("001089012345||An|01021989|Nam|HN|15081980", "issued_before_birth"),
    ],
)
def test_refusals(text: str, reason: str) -> None:
    with pytest.raises(DomainParseError) as err:
        parse_cccd_qr(text)
    assert err.value.reason == reason


@FAST
@given(cccd_cards())
def test_round_trip(card: CccdQr) -> None:
    parsed = parse_cccd_qr(format_cccd_qr(card))
    assert parsed == card
    assert parsed.id_mismatches == frozenset()


@FAST
@given(any_text)
def test_raises_only_domain_errors(text: str) -> None:
    parses_or_refuses(parse_cccd_qr, text)


@FAST
@given(st.lists(any_text.map(lambda t: t.replace("|", "")), min_size=7, max_size=9).map("|".join))
def test_seven_plus_garbage_fields_raise_only_domain_errors(text: str) -> None:
    parses_or_refuses(parse_cccd_qr, text)
