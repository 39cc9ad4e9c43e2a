from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.domain.bhyt_code import BhytCardCode, benefit_percent, parse_bhyt_code
from kiosk.domain.errors import DomainParseError
from tests.domain.strategies import FAST, any_text, parses_or_refuses


@pytest.mark.parametrize(("level", "percent"), [(1, 100), (2, 100), (3, 95), (4, 80), (5, 100)])
def test_benefit_percent(level: int, percent: int) -> None:
    assert benefit_percent(level) == percent


@pytest.mark.parametrize("level", [0, 6, -1])
def test_benefit_percent_refuses_other_levels(level: int) -> None:
    with pytest.raises(DomainParseError) as err:
        benefit_percent(level)
    assert err.value.reason == "bad_benefit_level"


def test_old_code_parts() -> None:
    # The example of the BHYT input component in yunkhngn/medconnect (medconnect-fe/components/ui/BHYTInput.README.md).
    card = parse_bhyt_code("HS 4 01 0120878811")
    assert card == BhytCardCode("HS4010120878811", "HS", 4, "01", "0120878811")
    assert card.benefit_percent == 80


def test_new_ten_digit_code() -> None:
    card = parse_bhyt_code("0111077012")
    assert card == BhytCardCode("0111077012", None, None, None, "0111077012")
    assert card.benefit_percent is None


def test_lower_case_is_read_as_printed() -> None:
    assert parse_bhyt_code("dn4790123456789").code == "DN4790123456789"


def test_test_cards_breaking_the_pattern_are_read_loosely() -> None:
    # A benefit digit 9 and a lettered province: unknown parts, not a refusal; the gateway decides.
    card = parse_bhyt_code("TE9AB0123456789")
    assert (card.beneficiary_group, card.benefit_level, card.province_code) == ("TE", None, None)
    assert card.social_insurance_number == "0123456789"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "wrong_length"),
        ("012345678", "wrong_length"),
        ("HS40101208788", "wrong_length"),
        ("123401012087881", "bad_character"),
        ("HS4010120878-11", "bad_character"),
        ("HS401012087881Đ", "bad_character"),
    ],
)
def test_refusals(text: str, reason: str) -> None:
    with pytest.raises(DomainParseError) as err:
        parse_bhyt_code(text)
    assert err.value.reason == reason


@FAST
@given(
    st.sampled_from(["CC", "TE", "CK", "HT", "DN", "HS", "QN", "GD"]),
    st.integers(1, 5),
    st.integers(1, 99),
    st.from_regex(r"[0-9]{10}", fullmatch=True),
)
def test_round_trip(group: str, level: int, province: int, number: str) -> None:
    code = f"{group}{level}{province:02d}{number}"
    assert parse_bhyt_code(code) == BhytCardCode(code, group, level, f"{province:02d}", number)


@FAST
@given(any_text)
def test_raises_only_domain_errors(text: str) -> None:
    parses_or_refuses(parse_bhyt_code, text)
