from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.errors import DomainParseError
from kiosk.domain.mrz import Td1Mrz, bac_key_seed, check_digit, document_number_from_id, format_td1, parse_td1
from kiosk.domain.people import Sex
from tests.domain.strategies import FAST, any_text, parses_or_refuses

# ICAO Doc 9303 part 3 §4.9 worked example and the TD1 specimen of part 5 (Utopia, D23145890).
ICAO_TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"

# Made up, in the layout of Vietnamese chip cards: line 1 ends with the 7-3-1 check digit of the 12-digit ID, as on
# a public eKYC demo's card (the FTech eKYC Android demo, ai/ftech/demo/JavaActivity.java; its person is not copied).
VN_TD1 = "IDVNM0890123456001089012345<<7\n8902018M4902010VNM<<<<<<<<<<<0\nNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<"


def test_check_digit_examples_from_icao_9303() -> None:
    assert check_digit("520727") == 3
    assert check_digit("D23145890") == 7
    assert check_digit("AB2134<<<") == 5
    assert check_digit("") == 0


def test_bac_key_seed_of_the_icao_worked_example() -> None:
    # ICAO 9303-11 appendix D.2: document L898902C<, DOB 690806, expiry 940623 → "L898902C<369080619406236".
    assert bac_key_seed("L898902C", date(1969, 8, 6), date(1994, 6, 23)) == "L898902C<369080619406236"


def test_bac_key_seed_of_a_card_without_expiry() -> None:
    # 089012345 → 6, 500201 → 0, 991231 → 5 (7-3-1 by hand); no-expiry cards carry 991231.
    assert bac_key_seed("089012345", date(1950, 2, 1), None) == "089012345650020109912315"
    assert bac_key_seed("12345", date(1950, 2, 1), None).startswith("12345<<<<")


def test_document_number_is_the_last_nine_digits() -> None:
    assert document_number_from_id("001089012345") == "089012345"
    with pytest.raises(DomainParseError):
        document_number_from_id("12345")


def test_parse_vietnamese_card() -> None:
    mrz = parse_td1(VN_TD1)
    assert mrz == Td1Mrz(
        document_number="089012345",
        id_number="001089012345",
        date_of_birth=date(1989, 2, 1),
        sex=Sex.MALE,
        expiry=date(2049, 2, 1),
        surname="NGUYEN",
        given_names="VAN AN",
        nationality="VNM",
    )
    assert parse_td1(VN_TD1.replace("\n", "")) == mrz
    assert format_td1(mrz) == VN_TD1


def test_century_comes_from_the_id_number() -> None:
    born_2010 = Td1Mrz(
        "310123456", "079310123456", date(2010, 3, 4), Sex.FEMALE, date(2024, 3, 4), "LE", "THI B", "VNM"
    )
    assert parse_td1(format_td1(born_2010)).date_of_birth == date(2010, 3, 4)
    no_expiry = Td1Mrz("045012345", "001045012345", date(1945, 1, 1), Sex.MALE, None, "TRAN", "C", "VNM")
    assert parse_td1(format_td1(no_expiry)).expiry is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (VN_TD1[:-1], "wrong_length"),
        (VN_TD1.replace("0890123456", "0890123455"), "bad_check_digit"),
        (VN_TD1.replace("8902018M", "8902028M"), "bad_check_digit"),
        (VN_TD1.replace("<<<0\n", "<<<5\n"), "bad_check_digit"),
        (VN_TD1.replace("NGUYEN<", "NGUYỄN<"), "bad_character"),
        (VN_TD1.replace("IDVNM", "PDVNM"), "not_an_id_card"),
        (ICAO_TD1, "not_digits"),
    ],
)
def test_refusals(text: str, reason: str) -> None:
    with pytest.raises(DomainParseError) as err:
        parse_td1(text)
    assert err.value.reason == reason


@st.composite
def vn_cards(draw: st.DrawFn) -> Td1Mrz:
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2099, 12, 31)))
    century_digit = (born.year // 100 - 19) * 2
    sex = draw(st.sampled_from(Sex))
    gender_century = century_digit + (1 if sex is Sex.FEMALE else 0)
    id_number = f"{draw(st.integers(1, 96)):03d}{gender_century}{born.year % 100:02d}{draw(st.integers(0, 999999)):06d}"
    expiry = draw(st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 30))))
    name = st.text(alphabet="ABCDEFGHIKLMNOPQRSTUVXY", min_size=1, max_size=6)
    return Td1Mrz(id_number[3:], id_number, born, sex, expiry, draw(name), draw(name), "VNM")


@FAST
@given(vn_cards())
def test_round_trip(card: Td1Mrz) -> None:
    assert parse_td1(format_td1(card)) == card


@FAST
@given(any_text)
def test_parse_raises_only_domain_errors(text: str) -> None:
    parses_or_refuses(parse_td1, text)


@FAST
@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<", min_size=90, max_size=90))
def test_random_mrz_alphabet_raises_only_domain_errors(text: str) -> None:
    parses_or_refuses(parse_td1, text)
