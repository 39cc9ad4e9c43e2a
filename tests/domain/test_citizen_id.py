from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.citizen_id import CitizenId, IdMismatch, id_mismatches, parse_citizen_id
from kiosk.domain.dates import PartialDate
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex
from tests.domain.strategies import FAST, any_text, parses_or_refuses


@pytest.mark.parametrize(
    ("number", "sex", "year"),
    [
        ("001089012345", Sex.MALE, 1989),
        ("079195000123", Sex.FEMALE, 1995),
        ("038210000001", Sex.MALE, 2010),
        ("096305123456", Sex.FEMALE, 2005),
        ("001400000001", Sex.MALE, 2100),
    ],
)
def test_sex_and_century_digit(number: str, sex: Sex, year: int) -> None:
    citizen = parse_citizen_id(number)
    assert (citizen.sex, citizen.birth_year) == (sex, year)
    assert citizen.province_code == number[:3]
    assert citizen.serial == number[6:]


def test_typed_spacing_is_ignored_and_province_is_flagged_not_refused() -> None:
    assert parse_citizen_id(" 001 089 012345 ").number == "001089012345"
    assert parse_citizen_id("001-089-012345").number == "001089012345"
    assert parse_citizen_id("079195000123").province_known
    assert not parse_citizen_id("099195000123").province_known


@pytest.mark.parametrize(
    ("text", "reason"),
    [("00108901234", "wrong_length"), ("0010890123456", "wrong_length"), ("00108901234A", "not_digits")],
)
def test_refusals(text: str, reason: str) -> None:
    with pytest.raises(DomainParseError) as err:
        parse_citizen_id(text)
    assert err.value.reason == reason


def test_cross_check_reports_each_mismatch() -> None:
    citizen = parse_citizen_id("001089012345")
    assert id_mismatches(citizen, date(1989, 2, 1), Sex.MALE) == frozenset()
    assert id_mismatches(citizen, date(1998, 2, 1), Sex.MALE) == {IdMismatch.BIRTH_YEAR}
    assert id_mismatches(citizen, PartialDate(1989), Sex.FEMALE) == {IdMismatch.SEX}
    assert id_mismatches(citizen) == frozenset()


@FAST
@given(st.integers(0, 999), st.integers(0, 9), st.integers(0, 99), st.integers(0, 999999))
def test_round_trip(province: int, gender_century: int, yy: int, serial: int) -> None:
    number = f"{province:03d}{gender_century}{yy:02d}{serial:06d}"
    citizen = parse_citizen_id(number)
    assert citizen == CitizenId(
        number, f"{province:03d}", Sex.FEMALE if gender_century % 2 else Sex.MALE,
        1900 + 100 * (gender_century // 2) + yy, f"{serial:06d}",
    )  # fmt: skip


@FAST
@given(any_text)
def test_raises_only_domain_errors(text: str) -> None:
    parses_or_refuses(parse_citizen_id, text)
