from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.bhyt_qr import BhytQr, encode_hex_text, format_bhyt_qr, normalise_facility, parse_bhyt_qr
from kiosk.domain.dates import PartialDate
from kiosk.domain.errors import DomainParseError
from kiosk.domain.people import Sex
from tests.domain import public_samples as samples
from tests.domain.strategies import FAST, any_text, bhyt_cards, parses_or_refuses

NAME_HEX = encode_hex_text("Nguyễn Văn An")


def test_new_specimen_card() -> None:
    card = parse_bhyt_qr(samples.BHYT_QR_NEW_SPECIMEN)
    assert card == BhytQr(
        card_code="0111077012",
        full_name="Nguyễn Tiến Đạt",
        date_of_birth=PartialDate(1988, 3, 29),
        sex=Sex.MALE,
        address=None,  # `-` on new cards; field 15 is the issuing district, not the patient's address
        registered_facility="01C54",
        valid_from=date(2023, 7, 1),
        valid_to=None,
        issue_date=date(2023, 7, 31),
        five_year_date=date(2027, 10, 1),
        guardian_name=None,
    )


def test_old_specimen_card() -> None:
    card = parse_bhyt_qr(samples.BHYT_QR_OLD_SPECIMEN)
    assert card.card_code == "HS4010120878837"
    assert (card.card.beneficiary_group, card.card.benefit_level) == ("HS", 4)
    assert card.full_name == "Vũ Xuân Minh"
    assert card.address == "Phường Nghĩa Đô, Quận Cầu Giấy, Thành phố Hà Nội"
    assert card.registered_facility == "01028"
    assert (card.valid_from, card.valid_to, card.issue_date) == (date(2019, 1, 24), None, date(2019, 1, 24))
    assert card.five_year_date is None  # only 10 fields: nothing read past the end


def test_hcm_card_from_public_his_comment() -> None:
    card = parse_bhyt_qr(samples.BHYT_QR_HCM_PSEUDONYMISED)
    assert (card.full_name, card.registered_facility) == ("Trần Văn Bình", "79034")
    assert card.five_year_date == date(2015, 1, 1)


def test_old_card_with_14_fields_and_an_odd_checksum() -> None:
    card = parse_bhyt_qr(samples.BHYT_QR_OLD_14_FIELDS_PSEUDONYMISED)
    assert (card.full_name, card.sex, card.address) == ("Phạm Thị Hà", Sex.FEMALE, "Cty CP CNTT Việt Ba")
    assert (card.registered_facility, card.five_year_date) == ("01065", date(2019, 8, 1))
    assert card.card.benefit_percent == 80


def test_made_up_child_card_with_partial_dob_and_guardian() -> None:
    guardian = encode_hex_text("Lê Thị Mai")
    address = encode_hex_text("Hà Nội")
    text = f"TE1010123456789|{NAME_HEX}|2021|2|{address}|01 - 043|01/01/2026|31/12/2026|01/01/2026|-|{guardian}$"
    card = parse_bhyt_qr(text)
    assert card.date_of_birth.iso() == "2021"
    assert card.sex is Sex.FEMALE
    assert card.guardian_name == "Lê Thị Mai"
    assert card.card.benefit_level == 1
    assert parse_bhyt_qr(text.replace("|2021|", "|06/2021|")).date_of_birth.iso() == "2021-06"


def test_short_payload_never_indexes_past_the_end() -> None:
    card = parse_bhyt_qr(f"0123456789|{NAME_HEX}|01/02/1989|1$")
    assert (card.registered_facility, card.valid_from, card.valid_to, card.guardian_name) == (None, None, None, None)


def test_uncertain_fields_do_not_cost_the_card() -> None:
    text = samples.BHYT_QR_NEW_SPECIMEN.replace("| 01/10/2027|", "|soon|").replace("|-|4|", "|zz|4|")
    card = parse_bhyt_qr(text)
    assert card.five_year_date is None
    assert card.guardian_name == "zz"  # plain text kept: some printers skip the hex (M)


@pytest.mark.parametrize(
    ("value", "expected"), [("01 - 043", "01043"), ("01-043", "01043"), (" 79 - 034 ", "79034"), ("01 - c54", "01C54")]
)
def test_facility_codes(value: str, expected: str) -> None:
    assert normalise_facility(value) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (samples.BHYT_QR_OLD_SPECIMEN[:-1], "no_terminator"),
        ("0123456789|41|1989$", "too_few_fields"),
        ("$", "too_few_fields"),
        (f"-|{NAME_HEX}|1989|1$", "missing_field"),
        (f"0123456789|{NAME_HEX}|13/1989|1$", "bad_date"),
        (f"0123456789|{NAME_HEX}|1989|3$", "bad_sex"),
        ("0123456789|ff00|1989|1$", "bad_hex_text"),
        (f"01234|{NAME_HEX}|1989|1$", "wrong_length"),
        (f"0123456789|{NAME_HEX}|1989|1|-|01 / 043$", "bad_facility"),
        (f"0123456789|{NAME_HEX}|1989|1|-|01 - 043|32/01/2026$", "bad_date"),
    ],
)
def test_refusals(text: str, reason: str) -> None:
    with pytest.raises(DomainParseError) as err:
        parse_bhyt_qr(text)
    assert err.value.reason == reason


@FAST
@given(bhyt_cards())
def test_round_trip(card: BhytQr) -> None:
    assert parse_bhyt_qr(format_bhyt_qr(card)) == card


@FAST
@given(any_text)
def test_raises_only_domain_errors(text: str) -> None:
    parses_or_refuses(parse_bhyt_qr, text)
    parses_or_refuses(parse_bhyt_qr, text + "$")


@FAST
@given(st.lists(st.one_of(any_text.map(lambda t: t.replace("|", "")), st.just("-")), min_size=1, max_size=18))
def test_arbitrary_fields_raise_only_domain_errors(fields: list[str]) -> None:
    parses_or_refuses(parse_bhyt_qr, "0123456789|" + "|".join(fields) + "$")
