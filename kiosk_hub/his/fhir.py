"""The FHIR R4 HIS adapter (`KIOSK_HUB_HIS_ADAPTER=fhir`, extra `his-fhir`): the port's calls as FHIR REST
interactions, every resource built and read through fhir.resources' R4B models (wire-compatible with R4 for these
resources), so what goes out and what comes back is validated.

Mapping (identifiers of the Vietnamese community IG "VN Core", http://fhir.ehealth.gov.vn/core, where it has
them): Patient.identifier CCCD (`sid/national_id`), BHYT card (`sid/insurance_number`), mã bệnh nhân
(`sid/patient-internal-id`); the 10-digit BHXH number has no IG system, the hub uses its own. A registration is
a conditional create (If-None-Exist on the CCCD, else the BHXH number); a visit is an Encounter (class AMB, status
arrived → cancelled / finished) conditionally created on its visit_ref; the card check is a Coverage. Departments
are Organizations of type `dept` with their rooms as Locations (hours of operation); bookings are Appointments
found by identifier, checked in by setting status `arrived`. FHIR has no common exam price: `exam_fee` is None.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import ValidationError

from kiosk_hub import wire
from kiosk_hub.db.models import AppointmentStatus
from kiosk_hub.his import contract as c
from kiosk_hub.his.port import HisAdapter, HisRefusedError, HisUnavailableError

if TYPE_CHECKING:
    from kiosk_hub.his.loading import AdapterContext

VN_CORE = "http://fhir.ehealth.gov.vn/core/sid/"
SYSTEMS = {
    wire.IdentifierKind.CCCD: VN_CORE + "national_id",
    wire.IdentifierKind.BHYT_CODE: VN_CORE + "insurance_number",
    wire.IdentifierKind.PATIENT_CODE: VN_CORE + "patient-internal-id",
    wire.IdentifierKind.BHXH_NUMBER: "urn:vn-hospital-kiosk:sid:bhxh-number",  # not in the IG
}
VISIT_REF = "urn:vn-hospital-kiosk:sid:visit-ref"
APPOINTMENT_CODE = "urn:vn-hospital-kiosk:sid:appointment-code"
PRIORITY_REASONS = "urn:vn-hospital-kiosk:extension:priority-reasons"
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
FHIR_JSON = "application/fhir+json"


def _model(resource_type: str) -> Any:
    from fhir.resources.R4B import get_fhir_model_class

    return get_fhir_model_class(resource_type)


def _checked(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource through its R4B model: an invalid one is a bug here (going out) or a broken HIS (coming in)."""
    model = _model(resource["resourceType"]).model_validate(resource)
    return dict(model.model_dump(mode="json", exclude_none=True, by_alias=True))


def _identifier(resource: dict[str, Any], system: str) -> str | None:
    return next((i.get("value") for i in resource.get("identifier", []) if i.get("system") == system), None)


def his_patient(p: dict[str, Any]) -> c.HisPatient:
    names = p.get("name") or [{}]
    name = names[0].get("text") or " ".join([names[0].get("family", ""), *names[0].get("given", [])]).strip()
    return c.HisPatient(
        patient_id=p["id"],
        patient_code=_identifier(p, SYSTEMS[wire.IdentifierKind.PATIENT_CODE]) or p["id"],
        full_name=name,
        date_of_birth=p.get("birthDate", "0000")[:10],
        sex={"male": wire.Sex.MALE, "female": wire.Sex.FEMALE}.get(p.get("gender", "")),
        id_number=_identifier(p, SYSTEMS[wire.IdentifierKind.CCCD]),
        bhxh_number=_identifier(p, SYSTEMS[wire.IdentifierKind.BHXH_NUMBER]),
        bhyt_code=_identifier(p, SYSTEMS[wire.IdentifierKind.BHYT_CODE]),
    )


class FhirHis:
    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def close(self) -> None:
        self._http.close()

    # --- plumbing -------------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise HisUnavailableError(f"FHIR {method} {path.split('?')[0]}: {type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code in (401, 403, 408, 429):
            raise HisUnavailableError(f"FHIR {method}: HTTP {response.status_code}")
        if response.status_code >= 400 and response.status_code != 404:
            raise HisRefusedError(f"fhir_{response.status_code}", "the FHIR server refused the resource")
        return response

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
            return _checked(body) if isinstance(body, dict) and "resourceType" in body else {}
        except (ValueError, ValidationError, KeyError) as exc:
            raise HisUnavailableError("FHIR: an answer that is not a valid R4 resource") from exc

    def _search(self, resource_type: str, **params: str) -> list[dict[str, Any]]:
        bundle = self._json(self._request("GET", f"/{resource_type}", params=params))
        return [
            e["resource"] for e in bundle.get("entry", []) if e.get("resource", {}).get("resourceType") == resource_type
        ]

    def _create(self, resource: dict[str, Any], if_none_exist: str) -> tuple[dict[str, Any], bool]:
        body = _checked(resource)
        headers = {"Content-Type": FHIR_JSON, "If-None-Exist": if_none_exist}
        response = self._request("POST", f"/{resource['resourceType']}", json=body, headers=headers)
        return self._json(response), response.status_code == 201

    def _update(self, resource: dict[str, Any]) -> None:
        body = _checked(resource)
        self._request("PUT", f"/{resource['resourceType']}/{resource['id']}", json=body,
                      headers={"Content-Type": FHIR_JSON})  # fmt: skip

    # --- the port -------------------------------------------------------------------------------------------

    def about(self) -> c.HisAbout:
        statement = self._json(self._request("GET", "/metadata"))
        software = statement.get("software", {})
        return c.HisAbout(
            vendor=statement.get("publisher", "FHIR server"),
            product=software.get("name", "FHIR server"),
            version=f"{software.get('version', '?')} (FHIR {statement.get('fhirVersion', '?')})",
            contract_version=c.CONTRACT_VERSION,
        )

    def find_patient(self, kind: wire.IdentifierKind, value: str) -> c.HisPatient | None:
        found = self._search("Patient", identifier=f"{SYSTEMS[kind]}|{value}")
        if not found and kind is wire.IdentifierKind.PATIENT_CODE:
            found = self._search("Patient", _id=value)  # a server without internal ids: its resource id is the code
        return his_patient(found[0]) if found else None

    def register_patient(self, registration: c.PatientRegistration) -> c.RegisteredPatient:
        ids = [(kind, getattr(registration, attr)) for kind, attr in (
            (wire.IdentifierKind.CCCD, "id_number"), (wire.IdentifierKind.BHXH_NUMBER, "bhxh_number"),
            (wire.IdentifierKind.BHYT_CODE, "bhyt_code"))]  # fmt: skip
        present = [(kind, value) for kind, value in ids if value]
        if not present:
            raise HisRefusedError("identifier_required", "an ID number, BHXH number or BHYT code is required")
        resource = {
            "resourceType": "Patient",
            "identifier": [{"system": SYSTEMS[kind], "value": value} for kind, value in present],
            "name": [{"text": registration.full_name}],
            "birthDate": registration.date_of_birth,
            **({"gender": registration.sex.value} if registration.sex else {}),
            **({"telecom": [{"system": "phone", "value": registration.phone}]} if registration.phone else {}),
            **({"address": [{"text": registration.address}]} if registration.address else {}),
        }
        first_kind, first_value = present[0]
        created, is_new = self._create(resource, f"identifier={SYSTEMS[first_kind]}|{first_value}")
        patient = his_patient(created)
        if not is_new and patient.full_name.casefold() != registration.full_name.casefold():
            raise HisRefusedError("patient_identity_conflict", "an identifier belongs to someone else")
        return c.RegisteredPatient(patient=patient, created=is_new)

    def open_visit(self, opening: c.VisitOpening) -> c.OpenedVisit:
        if not self._search("Patient", _id=opening.patient_id):
            raise HisRefusedError("patient_not_found", "no such Patient")
        encounter = {
            "resourceType": "Encounter",
            "identifier": [{"system": VISIT_REF, "value": opening.visit_ref}],
            "status": "arrived",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "type": [{"coding": [{"system": "urn:vn-hospital-kiosk:visit-type", "code": opening.visit_type.value}]}],
            "subject": {"reference": f"Patient/{opening.patient_id}"},
            "period": {"start": opening.arrived_at.isoformat()},
            "serviceProvider": {"reference": f"Organization/{opening.department_id}"},
            **({"location": [{"location": {"reference": f"Location/{opening.room_id}"}}]} if opening.room_id else {}),
            **({"extension": [{"url": PRIORITY_REASONS, "valueString": ",".join(opening.priority_reasons)}]}
               if opening.priority_reasons else {}),
        }  # fmt: skip
        created, _ = self._create(encounter, f"identifier={VISIT_REF}|{opening.visit_ref}")
        if opening.entitlement is not None and opening.entitlement.card_code:
            self._coverage(opening.patient_id, opening.entitlement)
        return c.OpenedVisit(visit_code=created["id"], patient_id=opening.patient_id)

    def _coverage(self, patient_id: str, card: c.EntitlementRecord) -> None:
        period = {k: v.isoformat() for k, v in (("start", card.valid_from), ("end", card.valid_to)) if v}
        coverage = {
            "resourceType": "Coverage",
            "identifier": [{"system": SYSTEMS[wire.IdentifierKind.BHYT_CODE], "value": card.card_code}],
            "status": "active" if card.result_code in ("000", "004") else "draft",
            "beneficiary": {"reference": f"Patient/{patient_id}"},
            "payor": [{"display": "Bảo hiểm xã hội Việt Nam"}],
            **({"period": period} if period else {}),
        }
        self._create(coverage, f"identifier={SYSTEMS[wire.IdentifierKind.BHYT_CODE]}|{card.card_code}")

    def _set_encounter(self, visit_ref: str, status: str) -> None:
        for encounter in self._search("Encounter", identifier=f"{VISIT_REF}|{visit_ref}"):
            if encounter.get("status") not in ("cancelled", "finished"):
                self._update({**encounter, "status": status})

    def cancel_visit(self, visit_ref: str, change: c.VisitChange) -> None:
        self._set_encounter(visit_ref, "cancelled")

    def close_visit(self, visit_ref: str, change: c.VisitChange) -> None:
        self._set_encounter(visit_ref, "finished")

    def departments(self) -> c.DepartmentCatalogue:
        departments = []
        for org in self._search("Organization", type="dept"):
            rooms = self._search("Location", organization=f"Organization/{org['id']}")
            hours = [h for room in rooms for h in room.get("hoursOfOperation", [])]
            departments.append(
                c.HisDepartment(
                    id=org["id"],
                    name_vi=org.get("name", org["id"]),
                    opening_hours=[
                        wire.OpeningPeriod(
                            days=[DAYS.index(d) + 1 for d in h.get("daysOfWeek", [])],
                            opens=h.get("openingTime", "00:00")[:5],
                            closes=h.get("closingTime", "24:00")[:5],
                        )
                        for h in hours[:1]
                    ],
                    rooms=[c.HisRoom(id=r["id"], name_vi=r.get("name", r["id"])) for r in rooms],
                )
            )
        return c.DepartmentCatalogue(departments=departments)

    def _appointment(self, code: str) -> dict[str, Any] | None:
        found = self._search("Appointment", identifier=f"{APPOINTMENT_CODE}|{code}")
        return found[0] if found else None

    def find_appointment(self, code: str) -> c.HisAppointment | None:
        found = self._appointment(code)
        return _booking(code, found) if found else None

    def mark_checked_in(self, code: str, moment: datetime) -> c.HisAppointment:
        found = self._appointment(code)
        if found is None:
            raise HisRefusedError("appointment_not_found", "no such Appointment")
        if found.get("status") == "booked":
            found = {**found, "status": "arrived"}
            self._update(found)
        return _booking(code, found)

    def exam_fee(self, query: c.ExamFeeQuery) -> c.ExamFee | None:
        return None


def _booking(code: str, a: dict[str, Any]) -> c.HisAppointment:
    actors = [p.get("actor", {}) for p in a.get("participant", [])]
    ref = {r.get("reference", "").split("/")[0]: r for r in actors}
    status = {"booked": "booked", "arrived": "checked_in", "checked-in": "checked_in"}.get(
        a.get("status", ""), "cancelled"
    )
    return c.HisAppointment(
        code=code,
        patient_id=ref.get("Patient", {}).get("reference", "/").split("/")[1],
        department_id=ref.get("HealthcareService", {}).get("reference", "/").split("/")[1],
        room_id=(ref.get("Location", {}).get("reference", "/").split("/")[1] or None),
        doctor_name=ref.get("Practitioner", {}).get("display", ""),
        starts_at=a["start"],
        status=AppointmentStatus(status),
    )


def fhir_adapter(context: AdapterContext) -> HisAdapter:
    """Entry point `fhir`: KIOSK_HUB_HIS_URL (the FHIR base), KIOSK_HUB_HIS_TOKEN (bearer, optional)."""
    try:
        import fhir.resources  # noqa: F401 - the models are needed for every call
    except ImportError as exc:
        raise ImportError("the fhir HIS adapter needs the extra: pip install 'vn-hospital-kiosk[his-fhir]'") from exc
    settings = context.settings
    if not settings.base_url:
        raise ValueError("the fhir HIS adapter needs KIOSK_HUB_HIS_URL (the FHIR base URL)")
    token = settings.token.get_secret_value()
    headers = {"Accept": FHIR_JSON, **({"Authorization": f"Bearer {token}"} if token else {})}
    return FhirHis(httpx.Client(base_url=settings.base_url.rstrip("/"), headers=headers,
                                timeout=settings.timeout_seconds))  # fmt: skip
