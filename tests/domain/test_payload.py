from __future__ import annotations

import pytest
from hypothesis import given

from kiosk.domain.bhyt_code import BhytCardCode
from kiosk.domain.bhyt_qr import BhytQr, format_bhyt_qr
from kiosk.domain.cccd_qr import CccdQr, format_cccd_qr
from kiosk.domain.citizen_id import CitizenId
from kiosk.domain.payload import MAX_PAYLOAD_CHARS, ClassifiedPayload, PayloadKind, classify
from tests.domain import public_samples as samples
from tests.domain.strategies import FAST, any_text, bhyt_cards, cccd_cards

K = PayloadKind


@pytest.mark.parametrize(
    ("payload", "kind", "parsed_type"),
    [
        (samples.BHYT_QR_NEW_SPECIMEN, K.BHYT_QR, BhytQr),
        (samples.BHYT_QR_OLD_SPECIMEN, K.BHYT_QR, BhytQr),
        (samples.BHYT_QR_OLD_14_FIELDS_PSEUDONYMISED, K.BHYT_QR, BhytQr),
        (samples.CCCD_QR_WITH_OLD_ID_PSEUDONYMISED, K.CCCD_QR, CccdQr),
        (samples.CCCD_QR_EMPTY_OLD_ID_PSEUDONYMISED, K.CCCD_QR, CccdQr),
        ("001089012345", K.CCCD_NUMBER, CitizenId),
        ("001 089 012 345", K.CCCD_NUMBER, CitizenId),
        ("0123456789", K.BHXH_NUMBER, BhytCardCode),
        ("HS4010120878811", K.BHYT_CODE, BhytCardCode),
        ("hs 4 01 0120878811", K.BHYT_CODE, BhytCardCode),
        ("123456789", K.CMND_NUMBER, str),
    ],
)
def test_kinds(payload: str, kind: PayloadKind, parsed_type: type) -> None:
    result = classify(payload)
    assert result.kind is kind
    assert isinstance(result.parsed, parsed_type)
    assert result.reason is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("", "empty"),
        ("  \r\n", "empty"),
        ("12345", "unrecognised_number"),
        ("123456789012345", "unrecognised_number"),
        ("https://benhvien.example/appointment/42", "not_recognised"),
        ("HIS|APPT|42", "not_recognised"),
        (samples.CCCD_QR_SIX_FIELDS_FROM_DOCS, "too_few_fields"),
        ("001089012345|x|An|01021989|Nam|HN|15082021", "bad_old_id"),
        ("0123456789|zz$", "too_few_fields"),
        ("x" * (MAX_PAYLOAD_CHARS + 1), "too_long"),
    ],
)
def test_unknown_with_reason(payload: str, reason: str) -> None:
    result = classify(payload)
    assert (result.kind, result.parsed, result.reason) == (K.UNKNOWN, None, reason)


def test_dollar_wins_over_a_twelve_digit_first_field() -> None:
    # A `$` at the end makes it a BHYT QR whatever its first field; a CCCD number there is not a BHYT code.
    assert classify("001089012345|4e67|1989|1$").reason == "wrong_length"


@FAST
@given(any_text)
def test_never_raises_and_unknown_always_has_a_reason(payload: str) -> None:
    result = classify(payload)
    assert (result.kind is K.UNKNOWN) == (result.reason is not None)
    assert (result.parsed is None) == (result.kind is K.UNKNOWN)


@FAST
@given(cccd_cards())
def test_generated_cccd_qr_is_classified_as_such(card: CccdQr) -> None:
    assert classify(format_cccd_qr(card)) == ClassifiedPayload(K.CCCD_QR, card)


@FAST
@given(bhyt_cards())
def test_generated_bhyt_qr_is_classified_as_such(card: BhytQr) -> None:
    assert classify(format_bhyt_qr(card)) == ClassifiedPayload(K.BHYT_QR, card)
