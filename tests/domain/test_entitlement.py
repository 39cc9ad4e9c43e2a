from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from kiosk.domain.entitlement import KNOWN_CODES, EntitlementAction, card_valid_on, result_for_code
from tests.domain import public_samples as samples
from tests.domain.strategies import FAST, any_text

A = EntitlementAction


@pytest.mark.parametrize(
    ("code", "action"),
    [
        ("000", A.PROCEED),
        ("001", A.DESK),
        ("002", A.DESK),
        ("003", A.USE_NEW_CARD),
        ("004", A.USE_NEW_CARD),
        ("010", A.FEE_OR_DESK),
        ("050", A.TRY_OTHER_IDENTIFIER),
        ("053", A.TRY_OTHER_IDENTIFIER),
        ("054", A.CONFIGURATION_FAULT),
        ("055", A.CONFIGURATION_FAULT),
        ("060", A.RETRY_ONCE),
        ("061", A.RETRY_ONCE),
        ("070", A.RETRY_ONCE),
        ("100", A.REGISTER_AND_RECHECK),
        ("101", A.REGISTER_AND_RECHECK),
        ("500", A.REGISTER_AND_RECHECK),
        ("110", A.DESK),
        ("122", A.DESK),
        ("130", A.GUARDIAN_FLOW),
        ("205", A.CONFIGURATION_FAULT),
        ("401", A.CONFIGURATION_FAULT),
    ],
)
def test_catalogue(code: str, action: EntitlementAction) -> None:
    result = result_for_code(code)
    assert result.code == code
    assert result.action is action
    assert result.message_key.startswith("entitlement.")


def test_codes_sent_as_numbers_mean_the_same() -> None:
    assert result_for_code("0") == result_for_code("000")
    assert result_for_code(" 10 ") == result_for_code("010")


def test_unknown_codes_go_to_the_desk_keeping_the_code() -> None:
    result = result_for_code("999")
    assert result.action is A.DESK
    assert result.code == "999"
    assert result.message_key == "entitlement.unknown_result"


def test_every_action_is_reachable_and_messages_differ_by_meaning() -> None:
    actions = {result_for_code(code).action for code in KNOWN_CODES}
    assert actions == set(EntitlementAction)
    assert result_for_code("010").message_key != result_for_code("110").message_key


def test_card_validity_window_is_inclusive_and_open_ended() -> None:
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    assert card_valid_on(start, end, start)
    assert card_valid_on(start, end, end)
    assert not card_valid_on(start, end, date(2025, 12, 31))
    assert not card_valid_on(start, end, date(2027, 1, 1))
    assert card_valid_on(start, None, date(2040, 1, 1))
    assert card_valid_on(None, None, date(2040, 1, 1))


@FAST
@given(any_text)
def test_any_code_gets_an_action(code: str) -> None:
    assert result_for_code(code).action in set(EntitlementAction)


def test_catalogue_covers_every_code_public_his_code_knows() -> None:
    # tracnn/qlbv_public config/__tech.php (27 codes of KQNhanLichSuKCB2024) and older PHP catalogues (080, 090).
    public = {*samples.QLBV_INSURANCE_ERROR_CODES, *samples.OLDER_CATALOGUE_EXTRA_CODES}
    assert len(samples.QLBV_INSURANCE_ERROR_CODES) == 27
    assert public <= KNOWN_CODES
    assert all(result_for_code(code).message_key != "entitlement.unknown_result" for code in public)
