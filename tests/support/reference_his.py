"""The reference HIS: the generic REST contract (`docs/his-adapter.openapi.json`) implemented over real HTTP, kept
in memory, with switchable faults (slow, 5xx, nonsense, refusing the token). The conformance suite runs against it;
the hub's HIS-outage tests count what it really did (one visit per visit_ref, however often the hub asked)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import FastAPI, Header, Request, Response
from fastapi.responses import JSONResponse

from kiosk_hub.his import contract as c
from kiosk_hub.wire import IdentifierKind, OpeningPeriod, Sex

TOKEN = "reference-his-token"
WEEKDAYS = OpeningPeriod(days=[1, 2, 3, 4, 5, 6], opens="07:00", closes="16:30")


@dataclass
class Faults:
    delay_seconds: float = 0.0  # every answer waits this long (the work is done first: a slow HIS still does it)
    fail_next: int = 0  # the next N requests answer 503 without doing anything
    nonsense_next: int = 0  # the next N requests do the work, then answer 200 with HTML
    down: bool = False  # every request answers 503


@dataclass
class ReferenceHis:
    faults: Faults = field(default_factory=Faults)
    patients: dict[str, c.HisPatient] = field(default_factory=dict)
    visits: dict[str, c.OpenedVisit] = field(default_factory=dict)
    visit_status: dict[str, str] = field(default_factory=dict)
    openings: list[c.VisitOpening] = field(default_factory=list)
    opened_count: Counter[str] = field(default_factory=Counter)  # visits created per visit_ref: must stay 1
    opened_at: dict[str, float] = field(default_factory=dict)  # wall clock of each opening (bench/his.py)
    requests: Counter[str] = field(default_factory=Counter)
    appointments: dict[str, c.HisAppointment] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def departments(self) -> c.DepartmentCatalogue:
        return c.DepartmentCatalogue(
            departments=[
                c.HisDepartment(
                    id="NOI",
                    name_vi="Khoa Nội tổng hợp",
                    name_en="Internal Medicine",
                    location_vi="Tầng 2, nhà A",
                    opening_hours=[WEEKDAYS],
                    rooms=[c.HisRoom(id="NOI-01", name_vi="Phòng khám Nội 1", waiting=4)],
                    waiting=4,
                ),
                c.HisDepartment(
                    id="NHI",
                    name_vi="Khoa Nhi",
                    name_en="Paediatrics",
                    location_vi="Tầng 2, nhà B",
                    opening_hours=[WEEKDAYS],
                    rooms=[
                        c.HisRoom(id="NHI-01", name_vi="Phòng khám Nhi 1"),
                        c.HisRoom(id="NHI-02", name_vi="Phòng khám Nhi 2"),
                    ],
                ),
            ]
        )

    def add_booking(self, code: str, patient_id: str, starts_at: datetime) -> None:
        self.appointments[code] = c.HisAppointment(
            code=code, patient_id=patient_id, department_id="NOI", room_id="NOI-01", starts_at=starts_at,
            status=c.AppointmentStatus.BOOKED, doctor_name="BS. Trần Thị Bình",
        )  # fmt: skip

    def find(self, kind: IdentifierKind, value: str) -> c.HisPatient | None:
        attribute = {"cccd": "id_number", "bhxh_number": "bhxh_number", "bhyt_code": "bhyt_code"}.get(
            kind.value, "patient_code"
        )
        for patient in self.patients.values():
            if getattr(patient, attribute) == value or (
                kind is IdentifierKind.BHYT_CODE and patient.bhxh_number and value[-10:] == patient.bhxh_number
            ):
                return patient
        return None  # fmt: skip

    def register(self, r: c.PatientRegistration) -> tuple[c.HisPatient, bool]:
        for kind, value in ((IdentifierKind.CCCD, r.id_number), (IdentifierKind.BHXH_NUMBER, r.bhxh_number)):
            found = self.find(kind, value) if value else None
            if found is not None:
                if found.full_name.casefold() != r.full_name.casefold():
                    raise LookupError("patient_identity_conflict")
                return found, False
        code = f"BN{next(self._numbers):010d}"
        bhxh = r.bhxh_number or (r.bhyt_code[-10:] if r.bhyt_code else None)
        patient = c.HisPatient(patient_id=code, patient_code=code, full_name=r.full_name,
                               date_of_birth=r.date_of_birth, sex=r.sex, id_number=r.id_number, bhxh_number=bhxh,
                               bhyt_code=r.bhyt_code)  # fmt: skip
        self.patients[code] = patient
        return patient, True

    def open(self, opening: c.VisitOpening) -> c.OpenedVisit:
        if opening.visit_ref not in self.visits:
            patient = self.patients.get(opening.patient_id)
            if patient is None:
                raise LookupError("patient_not_found")
            self.visits[opening.visit_ref] = c.OpenedVisit(
                visit_code=f"KB{next(self._numbers):010d}", patient_id=opening.patient_id, patient_category="1.1",
                exam_service=c.ExamService(code="02.1896", name="Khám Nội"), patient=patient,
            )  # fmt: skip
            self.visit_status[opening.visit_ref] = "open"
            self.openings.append(opening)
            self.opened_count[opening.visit_ref] += 1
            self.opened_at[opening.visit_ref] = time.time()
        return self.visits[opening.visit_ref]


def problem(status: int, code: str) -> JSONResponse:
    return JSONResponse({"code": code, "title": code.replace("_", " ")}, status_code=status)


def create_reference_his(his: ReferenceHis) -> FastAPI:
    app = FastAPI(title="reference HIS")

    @app.middleware("http")
    async def faults(request: Request, call_next):  # type: ignore[no-untyped-def]
        his.requests[request.url.path] += 1
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return problem(401, "unauthorized")
        if his.faults.down:
            return problem(503, "down")
        if his.faults.fail_next > 0:
            his.faults.fail_next -= 1
            return problem(503, "failing")
        response = await call_next(request)
        if his.faults.delay_seconds:
            await asyncio.sleep(his.faults.delay_seconds)
        if his.faults.nonsense_next > 0:
            his.faults.nonsense_next -= 1
            return Response("<html>Lỗi hệ thống</html>", status_code=200, media_type="text/html")
        return response

    @app.get("/about")
    def about() -> c.HisAbout:
        return c.HisAbout(vendor="Kiểm thử", product="reference HIS", version="1.0",
                          contract_version=c.CONTRACT_VERSION, facility_code="01043")  # fmt: skip

    @app.post("/patients/search")
    def search(query: c.PatientQuery) -> Response:
        found = his.find(query.kind, query.value)
        return JSONResponse(found.model_dump(mode="json")) if found else problem(404, "patient_not_found")

    @app.post("/patients")
    def register(registration: c.PatientRegistration) -> Response:
        if not (registration.id_number or registration.bhxh_number or registration.bhyt_code):
            return problem(422, "identifier_required")
        try:
            patient, created = his.register(registration)
        except LookupError as refusal:
            return problem(409, str(refusal))
        body = c.RegisteredPatient(patient=patient, created=created).model_dump(mode="json")
        return JSONResponse(body, status_code=201 if created else 200)

    @app.post("/visits")
    def open_visit(opening: c.VisitOpening, idempotency_key: str = Header(alias="Idempotency-Key")) -> Response:
        if idempotency_key != opening.visit_ref:
            return problem(400, "idempotency_key_mismatch")
        try:
            return JSONResponse(his.open(opening).model_dump(mode="json"))
        except LookupError as refusal:
            return problem(409, str(refusal))

    def change(visit_ref: str, status: str) -> Response:
        if his.visit_status.get(visit_ref) == "open":
            his.visit_status[visit_ref] = status
        return Response(status_code=204)

    @app.post("/visits/{visit_ref}/cancel")
    def cancel(visit_ref: str, _body: c.VisitChange) -> Response:
        return change(visit_ref, "cancelled")

    @app.post("/visits/{visit_ref}/close")
    def close(visit_ref: str, _body: c.VisitChange) -> Response:
        return change(visit_ref, "closed")

    @app.get("/departments")
    def departments() -> c.DepartmentCatalogue:
        return his.departments()

    @app.get("/appointments/{code}")
    def appointment(code: str) -> Response:
        found = his.appointments.get(code)
        return JSONResponse(found.model_dump(mode="json")) if found else problem(404, "appointment_not_found")

    @app.post("/appointments/{code}/check-in")
    def check_in(code: str, _arrival: c.AppointmentArrival) -> Response:
        found = his.appointments.get(code)
        if found is None:
            return problem(404, "appointment_not_found")
        if found.status is c.AppointmentStatus.BOOKED:
            found = his.appointments[code] = found.model_copy(update={"status": c.AppointmentStatus.CHECKED_IN})
        return JSONResponse(found.model_dump(mode="json"))

    @app.post("/exam-fees/quote")
    def exam_fee(query: c.ExamFeeQuery) -> c.ExamFee:
        return c.ExamFee(service=c.ExamService(code="02.1896", name="Khám Nội"), amount_vnd=150_000,
                         bhyt_covered=query.visit_type == "bhyt")  # fmt: skip

    return app


__all__ = ["TOKEN", "Faults", "ReferenceHis", "Sex", "create_reference_his"]
