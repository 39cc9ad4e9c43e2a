"""The FHIR adapter against our own loopback FHIR R4 server (no real FHIR server was available here): the
conformance suite passes, resources carry the VN Core identifiers, a visit is one Encounter however often it is
asked for, and the card check becomes a Coverage. Both sides validate every resource with fhir.resources R4B."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kiosk_hub.his import contract as c
from kiosk_hub.his.conformance import passed, run_checks
from kiosk_hub.his.fhir import SYSTEMS, VISIT_REF, FhirHis
from kiosk_hub.wire import IdentifierKind
from tests.hub.servers import serve_in_thread
from tests.support.fhir_server import FhirStore, create_fhir_server, seed_hospital


@pytest.fixture
def fhir() -> Iterator[tuple[FhirStore, FhirHis]]:
    store = FhirStore()
    seed_hospital(store)
    with serve_in_thread(create_fhir_server(store)) as url:
        adapter = FhirHis(httpx.Client(base_url=url, timeout=5.0))
        try:
            yield store, adapter
        finally:
            adapter.close()


def test_the_fhir_adapter_passes_the_conformance_suite(fhir: tuple[FhirStore, FhirHis]) -> None:
    store, adapter = fhir
    patient = adapter.register_patient(c.PatientRegistration(full_name="Lê Thị Hẹn", date_of_birth="1970-02-02",
                                                             id_number="001170000002")).patient  # fmt: skip
    store.put({"resourceType": "Appointment", "status": "booked",
               "identifier": [{"system": "urn:vn-hospital-kiosk:sid:appointment-code", "value": "HEN-FHIR-1"}],
               "start": (datetime.now(UTC) + timedelta(minutes=10)).isoformat(),
               "participant": [{"actor": {"reference": f"Patient/{patient.patient_id}"}, "status": "accepted"},
                               {"actor": {"reference": "HealthcareService/NOI"}, "status": "accepted"},
                               {"actor": {"reference": "Location/NOI-01"}, "status": "accepted"}]})  # fmt: skip
    results = run_checks(adapter, booking_code="HEN-FHIR-1")
    outcomes = {r.name: r.outcome for r in results}
    assert passed(results), results
    assert outcomes["exam fee"] == "skip"  # FHIR has no common exam price: the desk takes it
    assert store.refused == 0  # nothing the adapter sent was an invalid R4 resource


def test_resources_carry_the_vn_core_identifiers(fhir: tuple[FhirStore, FhirHis]) -> None:
    store, adapter = fhir
    registration = c.PatientRegistration(full_name="Nguyễn Văn An", date_of_birth="1990-03-15", sex="male",
                                         id_number="001090012345", bhyt_code="DN4010190012345")  # fmt: skip
    patient = adapter.register_patient(registration).patient
    (stored,) = store.resources["Patient"].values()
    systems = {i["system"]: i["value"] for i in stored["identifier"]}
    assert systems["http://fhir.ehealth.gov.vn/core/sid/national_id"] == "001090012345"
    assert systems["http://fhir.ehealth.gov.vn/core/sid/insurance_number"] == "DN4010190012345"
    assert adapter.find_patient(IdentifierKind.BHYT_CODE, "DN4010190012345") == patient
    now = datetime.now(UTC)
    opening = c.VisitOpening(
        visit_ref="6a1f0a3c-1111-4a8e-9d0e-5c1f2a7b9e10", patient_id=patient.patient_id, department_id="NOI",
        room_id="NOI-01", visit_type="bhyt", queue_number=3, display_number="UT-0003", priority=True,
        priority_reasons=["aged_75_plus"], ticket_id="t-3", arrived_at=now,
        entitlement=c.EntitlementRecord(checked_at=now, result_code="000", card_code="DN4010190012345",
                                        valid_from="2026-01-01", valid_to="2026-12-31"),
    )  # fmt: skip
    first = adapter.open_visit(opening)
    assert adapter.open_visit(opening) == first  # conditional create: one Encounter per visit_ref
    (encounter,) = store.resources["Encounter"].values()
    assert encounter["identifier"] == [{"system": VISIT_REF, "value": opening.visit_ref}]
    assert (encounter["class"]["code"], encounter["status"]) == ("AMB", "arrived")
    (coverage,) = store.resources["Coverage"].values()
    assert coverage["identifier"][0]["system"] == SYSTEMS[IdentifierKind.BHYT_CODE]
    assert coverage["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    adapter.close_visit(opening.visit_ref, c.VisitChange())
    assert store.resources["Encounter"][first.visit_code]["status"] == "finished"


def test_a_server_answering_an_invalid_resource_is_no_answer(fhir: tuple[FhirStore, FhirHis]) -> None:
    from kiosk_hub.his.port import HisUnavailableError

    store, adapter = fhir
    cccd = [{"system": SYSTEMS[IdentifierKind.CCCD], "value": "1"}]
    store.resources["Patient"] = {"x": {"resourceType": "Patient", "id": "x", "gender": 12, "identifier": cccd}}
    with pytest.raises(HisUnavailableError):
        adapter.find_patient(IdentifierKind.CCCD, "1")
