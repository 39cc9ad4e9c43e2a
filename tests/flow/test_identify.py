"""Home and identification: chip, CCCD QR, BHYT QR or a typed number, whichever comes first."""

from __future__ import annotations

import pytest

from kiosk.domain.dates import PartialDate
from kiosk.flow.effects import FindPatient, SessionWiped
from kiosk.flow.events import (
    Back,
    CardNeedsKey,
    CardPresented,
    CardRemoved,
    CardUnreadable,
    ChooseLanguage,
    KeypadDigit,
    KeypadErase,
    KeypadSubmit,
    PatientFound,
    PatientNotFound,
    QrScanned,
    StartBenefitLookup,
    StartCheckIn,
)
from kiosk.flow.records import IdentifierKind, IdentitySource
from kiosk.flow.state import Mode, Step
from tests.flow.driver import CCCD_QR, CHIP, PATIENT, Driver

BHYT_QR = (
    "HS4010123456789|4e677579e1bb856e2056c4836e20416e|01/02/1989|1|-|01 - 043|01/01/2026|31/12/2026"
    "|01/01/2026|0100|-|4|01/01/2024|8c2a1b3d4e5f6a7b-1a2b$"
)


def test_a_chip_at_home_starts_a_check_in_by_the_citizen_id() -> None:
    d = Driver()
    effects = d.send(CardPresented(CHIP))
    assert d.step == Step.FINDING_PATIENT
    assert d.session.mode == Mode.CHECK_IN
    assert effects == (FindPatient(0, IdentifierKind.CCCD, "001089012345"),)


def test_a_cccd_qr_carries_name_and_birth_date() -> None:
    d = Driver()
    effects = d.send(QrScanned.of(CCCD_QR))
    assert effects == (FindPatient(0, IdentifierKind.CCCD, "001089012345"),)
    assert d.session.identity is not None
    assert d.session.identity.full_name == "Nguyễn Văn An"
    assert d.session.identity.date_of_birth == PartialDate(1989, 2, 1)
    assert d.session.identity.source == IdentitySource.CCCD_QR


def test_a_bhyt_qr_looks_the_patient_up_by_card_code() -> None:
    d = Driver()
    effects = d.send(QrScanned.of(BHYT_QR))
    assert effects == (FindPatient(0, IdentifierKind.BHYT_CODE, "HS4010123456789"),)
    assert d.session.identity is not None
    assert d.session.identity.bhyt_code == "HS4010123456789"
    assert d.session.identity.full_name == "Nguyễn Văn An"


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("001089012345", IdentifierKind.CCCD), ("0123456789", IdentifierKind.BHXH_NUMBER)],
)
def test_a_typed_number_is_looked_up_by_its_kind(typed: str, kind: IdentifierKind) -> None:
    d = Driver()
    d.send(StartCheckIn())
    for digit in typed + "9":
        d.send(KeypadDigit(digit))
    d.send(KeypadErase())
    assert d.session.typed == typed
    effects = d.send(KeypadSubmit())
    assert effects == (FindPatient(0, kind, typed),)
    assert d.session.typed == ""


def test_the_keypad_stops_at_fifteen_characters_and_ignores_other_keys() -> None:
    d = Driver()
    d.send(StartCheckIn())
    for digit in "1234567890123456789":
        d.send(KeypadDigit(digit))
    d.send(KeypadDigit("."))
    assert d.session.typed == "123456789012345"


@pytest.mark.parametrize(
    ("typed", "notice"),
    [("123456789", "identify.old_cmnd_not_accepted"), ("12345", "identify.not_recognised")],
)
def test_a_number_the_kiosk_cannot_use_gets_a_message_and_a_clear_keypad(typed: str, notice: str) -> None:
    d = Driver()
    d.send(StartCheckIn())
    for digit in typed:
        d.send(KeypadDigit(digit))
    assert d.send(KeypadSubmit()) == ()
    assert (d.step, d.session.notice_key, d.session.typed) == (Step.IDENTIFY, notice, "")


def test_an_unknown_qr_is_explained_not_ignored() -> None:
    d = Driver()
    assert d.send(QrScanned.of("https://vneid.gov.vn/dynamic/abc")) == ()
    assert (d.step, d.session.notice_key) == (Step.HOME, "identify.not_recognised")


def test_an_unreadable_card_keeps_the_patient_on_the_same_screen_with_a_reason() -> None:
    d = Driver()
    d.send(StartCheckIn())
    d.send(CardUnreadable("chip.card_removed_place_again"))
    assert (d.step, d.session.notice_key) == (Step.IDENTIFY, "chip.card_removed_place_again")
    d.send(CardNeedsKey())
    assert (d.step, d.session.notice_key) == (Step.IDENTIFY, "identify.show_card_qr")


def test_whichever_comes_first_wins_a_second_identity_is_ignored() -> None:
    d = Driver()
    d.send(CardPresented(CHIP))
    assert d.send(QrScanned.of(CCCD_QR)) == ()
    assert d.send(CardPresented(CHIP)) == ()
    assert d.step == Step.FINDING_PATIENT


def test_benefit_lookup_is_its_own_mode() -> None:
    d = Driver()
    d.send(StartBenefitLookup())
    assert (d.step, d.session.mode) == (Step.IDENTIFY, Mode.BENEFIT_LOOKUP)
    d.send(QrScanned.of(CCCD_QR))
    assert d.session.mode == Mode.BENEFIT_LOOKUP


def test_back_from_identify_returns_home_as_a_fresh_session() -> None:
    d = Driver()
    d.send(ChooseLanguage("en"))
    d.send(StartCheckIn())
    d.send(KeypadDigit("1"))
    assert d.send(Back()) == (SessionWiped(),)
    assert (d.step, d.session.typed, d.session.language, d.gen) == (Step.HOME, "", "vi", 1)


def test_language_switches_live_on_any_step_and_unknown_languages_are_refused() -> None:
    d = Driver()
    d.send(CardPresented(CHIP))
    d.send(ChooseLanguage("en"))
    assert (d.session.language, d.step) == ("en", Step.FINDING_PATIENT)
    d.send(ChooseLanguage("fr"))
    assert d.session.language == "en"


def test_an_unknown_patient_with_name_and_birth_date_is_registered() -> None:
    from kiosk.flow.effects import RegisterPatient

    d = Driver()
    d.send(CardPresented(CHIP))
    assert d.send(PatientNotFound(0)) == (RegisterPatient(0, CHIP),)
    assert d.step == Step.FINDING_PATIENT


def test_an_unknown_typed_number_goes_back_to_identify_with_a_message() -> None:
    d = Driver()
    d.send(StartCheckIn())
    for digit in "0123456789":
        d.send(KeypadDigit(digit))
    d.send(KeypadSubmit())
    assert d.send(PatientNotFound(0)) == ()
    assert (d.step, d.session.notice_key, d.session.identity) == (Step.IDENTIFY, "identify.patient_not_found", None)


def test_card_removal_wipes_a_chip_session_but_not_a_qr_session() -> None:
    d = Driver()
    d.send(CardPresented(CHIP))
    d.send(PatientFound(0, PATIENT))
    assert d.send(CardRemoved()) == (SessionWiped(),)
    assert (d.step, d.session.identity, d.session.patient) == (Step.HOME, None, None)
    q = Driver()
    q.send(QrScanned.of(CCCD_QR))
    assert q.send(CardRemoved()) == ()
    assert q.step == Step.FINDING_PATIENT


def test_a_card_that_cannot_be_verified_sends_the_patient_to_the_desk_with_a_slip() -> None:
    from kiosk.flow.effects import PrintDeskSlip
    from kiosk.flow.events import Printed

    d = Driver()
    d.send(CardNeedsKey())  # a card on the reader at home: the identify screen asks for its QR
    assert (d.step, d.session.notice_key) == (Step.IDENTIFY, "identify.show_card_qr")
    (slip,) = d.send(CardUnreadable("chip.card_cannot_be_verified_go_to_desk"))
    assert isinstance(slip, PrintDeskSlip)
    assert slip.slip.reason_code == "chip_not_verifiable"
    assert d.session.identity is None  # nothing from an unverified chip or its QR is passed on
    d.send(Printed(d.gen))
    assert (d.step, d.session.desk_reason, d.session.printed) == (Step.DESK, "chip_not_verifiable", True)
