"""Every gateway answer has a path (kiosk.domain.entitlement's catalogue), table-driven over the result codes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from kiosk.domain.dates import PartialDate
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.domain.entitlement import KNOWN_CODES
from kiosk.domain.ticket import VisitType
from kiosk.flow.effects import AlertIt, CheckEntitlement, LoadDepartments, PrintDeskSlip
from kiosk.flow.events import (
    CardPresented,
    ChooseDesk,
    ChooseVisit,
    EntitlementChecked,
    PatientFound,
    StartBenefitLookup,
)
from kiosk.flow.fakes import answer_for
from kiosk.flow.records import PresentedIdentity
from kiosk.flow.state import Step
from tests.flow.driver import CHIP, PATIENT, Driver

VALID = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "valid_today": True}


def at_entitlement_check(identity: PresentedIdentity = CHIP) -> Driver:
    d = Driver()
    d.send(CardPresented(identity))
    effects = d.send(PatientFound(0, PATIENT))
    assert effects == (CheckEntitlement(0, identity.card_codes()[0], "Nguyễn Văn An", dob("1989-02-01"), "P1"),)
    assert d.step == Step.CHECKING_ENTITLEMENT
    return d


# code → the step the patient lands on (check-in), and whether IT is alerted
EXPECTED = {
    "000": (Step.VISIT_TYPE, False),
    "001": (Step.DESK_SLIP_PRINTING, False),
    "002": (Step.DESK_SLIP_PRINTING, False),
    "003": (Step.VISIT_TYPE, False),
    "004": (Step.VISIT_TYPE, False),
    "010": (Step.ENTITLEMENT_PROBLEM, False),
    "050": (Step.DESK_SLIP_PRINTING, False),  # a chip gives one identifier only: nothing else to try
    "051": (Step.DESK_SLIP_PRINTING, False),
    "052": (Step.DESK_SLIP_PRINTING, False),
    "053": (Step.DESK_SLIP_PRINTING, False),
    "054": (Step.DESK_SLIP_PRINTING, True),
    "055": (Step.DESK_SLIP_PRINTING, True),
    "060": (Step.DESK_SLIP_PRINTING, False),  # no correction in this answer: nothing to retry with
    "061": (Step.DESK_SLIP_PRINTING, False),
    "070": (Step.DESK_SLIP_PRINTING, False),
    "100": (Step.VISIT_TYPE, False),
    "101": (Step.VISIT_TYPE, False),
    "500": (Step.VISIT_TYPE, False),
    "080": (Step.DESK_SLIP_PRINTING, False),
    "090": (Step.DESK_SLIP_PRINTING, False),
    "110": (Step.DESK_SLIP_PRINTING, False),
    "120": (Step.DESK_SLIP_PRINTING, False),
    "121": (Step.DESK_SLIP_PRINTING, False),
    "122": (Step.DESK_SLIP_PRINTING, False),
    "123": (Step.DESK_SLIP_PRINTING, False),
    "124": (Step.DESK_SLIP_PRINTING, False),
    "130": (Step.DESK_SLIP_PRINTING, False),
    "205": (Step.DESK_SLIP_PRINTING, True),
    "401": (Step.DESK_SLIP_PRINTING, True),
    "999": (Step.DESK_SLIP_PRINTING, False),  # unknown codes go to the desk
}


def test_the_table_covers_every_code_the_domain_knows() -> None:
    assert set(KNOWN_CODES) <= set(EXPECTED)


@pytest.mark.parametrize(("code", "expected"), sorted(EXPECTED.items()))
def test_each_gateway_code_leads_somewhere(code: str, expected: tuple[Step, bool]) -> None:
    d = at_entitlement_check()
    effects = d.send(EntitlementChecked(0, answer_for(code, **VALID)))
    step, alerted = expected
    assert d.step == step
    assert any(isinstance(e, AlertIt) for e in effects) == alerted
    if step == Step.DESK_SLIP_PRINTING:
        slip = next(e for e in effects if isinstance(e, PrintDeskSlip)).slip
        assert slip.reason_code == f"bhxh_{code}"
        data = json.loads(slip.data_qr_payload)
        assert (data["id"], data["name"], data["dob"], data["patient_id"]) == (
            "001089012345",
            "Nguyễn Văn An",
            "1989-02-01",
            "P1",
        )


def test_an_it_alert_carries_the_reason_only() -> None:
    d = at_entitlement_check()
    effects = d.send(EntitlementChecked(0, answer_for("054")))
    assert effects[0] == AlertIt("bhxh_054")


def test_a_valid_card_offers_bhyt_and_fee_paying() -> None:
    d = at_entitlement_check()
    d.send(EntitlementChecked(0, answer_for("000", **VALID)))
    assert d.session.bhyt_allowed
    assert d.send(ChooseVisit(VisitType.BHYT)) == (LoadDepartments(0),)
    assert (d.step, d.session.visit) == (Step.DEPARTMENT, VisitType.BHYT)


def test_a_gateway_outage_registers_the_patient_to_be_rechecked() -> None:
    d = at_entitlement_check()
    d.send(EntitlementChecked(0, answer_for("500", to_recheck=True)))
    assert d.step == Step.VISIT_TYPE
    assert d.session.bhyt_allowed  # care is never refused because the gateway is down
    assert d.session.entitlement is not None
    assert d.session.entitlement.to_recheck


def test_a_code_000_card_out_of_its_validity_dates_cannot_be_used_for_bhyt() -> None:
    d = at_entitlement_check()
    d.send(EntitlementChecked(0, answer_for("000", valid_to=date(2025, 12, 31), valid_today=False)))
    assert (d.step, d.session.notice_key) == (Step.ENTITLEMENT_PROBLEM, "entitlement.card_not_valid_today")
    d.send(ChooseVisit(VisitType.BHYT))
    assert d.step == Step.ENTITLEMENT_PROBLEM


def test_an_expired_card_offers_fee_paying_or_the_desk() -> None:
    d = at_entitlement_check()
    d.send(EntitlementChecked(0, answer_for("010")))
    assert d.session.notice_key == "entitlement.card_expired"
    assert d.send(ChooseVisit(VisitType.FEE)) == (LoadDepartments(0),)
    assert (d.step, d.session.visit) == (Step.DEPARTMENT, VisitType.FEE)
    e = at_entitlement_check()
    e.send(EntitlementChecked(0, answer_for("010")))
    effects = e.send(ChooseDesk())
    assert isinstance(effects[0], PrintDeskSlip)
    assert effects[0].slip.reason_code == "bhxh_010"


@pytest.mark.parametrize(
    ("code", "correction", "name", "born"),
    [
        ("060", {"gateway_full_name": "Nguyễn Văn Ân"}, "Nguyễn Văn Ân", dob("1989-02-01")),
        ("070", {"gateway_date_of_birth": dob("1989")}, "Nguyễn Văn An", dob("1989")),
    ],
)
def test_a_mismatch_is_retried_once_with_the_gateways_value(
    code: str, correction: dict[str, object], name: str, born: PartialDate
) -> None:
    d = at_entitlement_check()
    effects = d.send(EntitlementChecked(0, answer_for(code, **correction)))
    assert effects == (CheckEntitlement(0, "001089012345", name, born, "P1"),)
    assert d.session.step == Step.CHECKING_ENTITLEMENT
    d.send(EntitlementChecked(0, answer_for("000", **VALID)))
    assert d.step == Step.VISIT_TYPE


def test_a_second_mismatch_goes_to_the_desk() -> None:
    d = at_entitlement_check()
    d.send(EntitlementChecked(0, answer_for("060", gateway_full_name="Nguyễn Văn Ân")))
    effects = d.send(EntitlementChecked(0, answer_for("060", gateway_full_name="Nguyễn Văn Ấn")))
    assert d.step == Step.DESK_SLIP_PRINTING
    assert isinstance(effects[0], PrintDeskSlip)


def test_another_identifier_is_tried_before_the_desk() -> None:
    with_card = replace(CHIP, bhyt_code="HS4010123456789")
    d = at_entitlement_check(with_card)
    effects = d.send(EntitlementChecked(0, answer_for("051")))
    assert effects == (CheckEntitlement(0, "001089012345", "Nguyễn Văn An", dob("1989-02-01"), "P1"),)
    effects = d.send(EntitlementChecked(0, answer_for("050")))
    assert d.step == Step.DESK_SLIP_PRINTING
    assert d.session.codes_tried == ("HS4010123456789", "001089012345")


@pytest.mark.parametrize("code", ["000", "010", "054", "130", "500"])
def test_benefit_lookup_always_ends_on_the_benefit_screen(code: str) -> None:
    d = Driver()
    d.send(StartBenefitLookup())
    d.send(CardPresented(CHIP))
    d.send(PatientFound(0, PATIENT))
    effects = d.send(EntitlementChecked(0, answer_for(code, **VALID)))
    assert d.step == Step.BENEFIT
    assert d.session.notice_key == f"entitlement.{answer_for(code).message_key.split('.', 1)[1]}"
    assert not any(isinstance(e, PrintDeskSlip) for e in effects)
    assert any(isinstance(e, AlertIt) for e in effects) == (code == "054")


def test_benefit_lookup_retries_a_mismatch_too() -> None:
    d = Driver()
    d.send(StartBenefitLookup())
    d.send(CardPresented(CHIP))
    d.send(PatientFound(0, PATIENT))
    effects = d.send(EntitlementChecked(0, answer_for("070", gateway_date_of_birth=dob("1989-03-01"))))
    assert effects == (CheckEntitlement(0, "001089012345", "Nguyễn Văn An", dob("1989-03-01"), "P1"),)
