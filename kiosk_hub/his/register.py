"""The hub's own register of patients, bookings and visits, in its own database: the HIS adapter the hub uses
while no hospital HIS is connected (pilots, tests; `demo` adds the demo hospital, `demo_seed.py`). Entry point
`register` in `kiosk_hub.his_adapters`."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.text import nfc, strip_diacritics
from kiosk_hub import wire
from kiosk_hub.db.engine import as_utc, utc_now
from kiosk_hub.db.models import Appointment, Department, Patient, Room
from kiosk_hub.events.outbox import EventType, record_event, subject_of
from kiosk_hub.his import contract as c
from kiosk_hub.his.models import RegisterVisit
from kiosk_hub.his.port import HisRefusedError

_COLUMNS = {
    wire.IdentifierKind.CCCD: Patient.id_number,
    wire.IdentifierKind.BHXH_NUMBER: Patient.bhxh_number,
    wire.IdentifierKind.BHYT_CODE: Patient.bhyt_code,
    wire.IdentifierKind.PATIENT_CODE: Patient.patient_code,
}
# The register's price list: what a fee-paying exam costs (a hospital with a HIS takes its own from the HIS).
EXAM_SERVICE = c.ExamService(code="02.1896", name="Khám bệnh")


def his_patient(p: Patient) -> c.HisPatient:
    return c.HisPatient(
        patient_id=p.id,
        patient_code=p.patient_code,
        full_name=p.full_name,
        date_of_birth=p.date_of_birth,
        sex=wire.Sex(p.sex) if p.sex else None,
        id_number=p.id_number,
        bhxh_number=p.bhxh_number,
        bhyt_code=p.bhyt_code,
    )


def _same_person(p: Patient, r: c.PatientRegistration) -> bool:
    def key(name: str) -> str:
        return " ".join(strip_diacritics(nfc(name)).casefold().split())

    return key(p.full_name) == key(r.full_name) and p.date_of_birth[:4] == r.date_of_birth[:4]


class PatientRegister:
    """A HisAdapter over the hub's own tables (`demo_patients`, `demo_appointments`, `register_visits`).
    A registration and its `patient.registered` event commit together (the register is the hub's database)."""

    announces_registrations = True
    keeps_hub_catalogue = True  # its departments are the hub's tables: nothing to sync

    def __init__(
        self,
        reader: sessionmaker[Session],
        writer: sessionmaker[Session],
        clock: Callable[[], datetime] = utc_now,
        facility_code: str = "",
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock  # a registration's time decides when retention deletes it
        self._facility_code = facility_code

    def about(self) -> c.HisAbout:
        return c.HisAbout(
            vendor="vn-hospital-kiosk",
            product="the hub's own patient register",
            version="1",
            contract_version=c.CONTRACT_VERSION,
            facility_code=self._facility_code or None,
        )

    def find_patient(self, kind: wire.IdentifierKind, value: str) -> c.HisPatient | None:
        with self._reader() as session:
            column = _COLUMNS[kind]
            found = session.scalars(select(Patient).where(column == value.upper()).limit(1)).first()
            if found is None and kind is wire.IdentifierKind.BHYT_CODE and len(value) == 15:
                # A new-style card shows only the 10-digit number: an old code matches on its last 10 digits.
                found = session.scalars(select(Patient).where(Patient.bhxh_number == value[-10:])).first()
            return his_patient(found) if found else None

    def register_patient(self, registration: c.PatientRegistration) -> c.RegisteredPatient:
        if not (registration.id_number or registration.bhxh_number or registration.bhyt_code):
            raise HisRefusedError("identifier_required", "An ID number, BHXH number or BHYT code is required")
        for _attempt in range(3):
            with self._writer() as session:
                existing = self._existing(session, registration)
                if existing is not None:
                    if not _same_person(existing, registration):
                        raise HisRefusedError("patient_identity_conflict", "An identifier belongs to someone else")
                    return c.RegisteredPatient(patient=his_patient(existing), created=False)
                patient = Patient(
                    id=str(uuid.uuid4()),
                    patient_code=f"BN{secrets.randbelow(10**10):010d}",
                    id_number=registration.id_number,
                    bhxh_number=registration.bhxh_number
                    or (registration.bhyt_code[-10:] if registration.bhyt_code else None),
                    bhyt_code=registration.bhyt_code,
                    full_name=nfc(registration.full_name),
                    date_of_birth=registration.date_of_birth,
                    sex=registration.sex,
                    address=registration.address,
                    phone=registration.phone,
                    created_at=self._clock(),
                )
                session.add(patient)
                record_event(
                    session,
                    EventType.PATIENT_REGISTERED,
                    subject=subject_of(patient.id),
                    data={"patient_ref": patient.id, "patient_code": patient.patient_code},
                    occurred_at=patient.created_at,
                )
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()  # the same patient registered by a concurrent retry: read theirs
                    continue
                return c.RegisteredPatient(patient=his_patient(patient), created=True)
        raise RuntimeError("patient registration kept conflicting")

    def _existing(self, session: Session, r: c.PatientRegistration) -> Patient | None:
        bhxh = r.bhxh_number or (r.bhyt_code[-10:] if r.bhyt_code else None)
        for column, value in ((Patient.id_number, r.id_number), (Patient.bhxh_number, bhxh)):
            if value:
                found = session.scalars(select(Patient).where(column == value)).first()
                if found is not None:
                    return found
        return None

    def open_visit(self, opening: c.VisitOpening) -> c.OpenedVisit:
        for _attempt in range(3):
            with self._writer() as session:
                visit = session.get(RegisterVisit, opening.visit_ref)
                if visit is None:
                    if session.get(Patient, opening.patient_id) is None:
                        raise HisRefusedError("patient_not_found", "No such patient in the register")
                    visit = RegisterVisit(
                        visit_ref=opening.visit_ref,
                        visit_code=f"KB{opening.arrived_at:%Y%m%d}{secrets.randbelow(10**8):08d}",
                        patient_id=opening.patient_id,
                        department_id=opening.department_id,
                        visit_type=opening.visit_type.value,
                        status="open",
                        opened_at=utc_now(),
                        entitlement_code=opening.entitlement.result_code if opening.entitlement else None,
                    )
                    session.add(visit)
                    try:
                        session.commit()
                    except IntegrityError:
                        session.rollback()  # a concurrent retry of the same visit: answer theirs
                        continue
                return c.OpenedVisit(
                    visit_code=visit.visit_code,
                    patient_id=visit.patient_id,
                    exam_service=EXAM_SERVICE,
                )
        raise RuntimeError("visit opening kept conflicting")

    def _set_status(self, visit_ref: str, status: str) -> None:
        with self._writer() as session:
            visit = session.get(RegisterVisit, visit_ref)
            if visit is not None and visit.status == "open":
                visit.status = status
                session.commit()

    def cancel_visit(self, visit_ref: str, change: c.VisitChange) -> None:
        self._set_status(visit_ref, "cancelled")

    def close_visit(self, visit_ref: str, change: c.VisitChange) -> None:
        self._set_status(visit_ref, "closed")

    def departments(self) -> c.DepartmentCatalogue:
        with self._reader() as session:
            rooms: dict[str, list[c.HisRoom]] = {}
            for room in session.scalars(select(Room).order_by(Room.id)):
                rooms.setdefault(room.department_id, []).append(
                    c.HisRoom(
                        id=room.id,
                        name_vi=room.name_vi,
                        name_en=room.name_en,
                        location_vi=room.location_vi,
                        location_en=room.location_en,
                    )
                )
            return c.DepartmentCatalogue(
                departments=[
                    c.HisDepartment(
                        id=d.id,
                        name_vi=d.name_vi,
                        name_en=d.name_en,
                        location_vi=d.location_vi,
                        location_en=d.location_en,
                        opening_hours=json.loads(d.opening_hours),
                        rooms=rooms.get(d.id, []),
                    )
                    for d in session.scalars(select(Department).order_by(Department.sort_order, Department.id))
                ]
            )

    def find_appointment(self, code: str) -> c.HisAppointment | None:
        with self._reader() as session:
            found = session.get(Appointment, code)
            return _appointment(found, session.get(Patient, found.patient_id)) if found else None

    def mark_checked_in(self, code: str, moment: datetime) -> c.HisAppointment:
        with self._writer() as session:
            found = session.get(Appointment, code)
            if found is None:
                raise HisRefusedError("appointment_not_found", "No such appointment")
            if found.status == c.AppointmentStatus.BOOKED:
                found.status = c.AppointmentStatus.CHECKED_IN
                found.checked_in_at = moment
                session.commit()
            return _appointment(found, session.get(Patient, found.patient_id))

    def exam_fee(self, query: c.ExamFeeQuery) -> c.ExamFee | None:
        # The hub's own register keeps no prices: the hospital's price list in the console does (payments).
        return None


def _appointment(a: Appointment, patient: Patient | None) -> c.HisAppointment:
    birth_year = patient.date_of_birth[:4] if patient else ""
    return c.HisAppointment(
        code=a.code,
        patient_id=a.patient_id,
        department_id=a.department_id,
        room_id=a.room_id,
        doctor_name=a.doctor_name,
        starts_at=as_utc(a.starts_at),
        status=c.AppointmentStatus(a.status),
        patient_name=patient.full_name if patient else "",
        patient_birth_year=int(birth_year) if birth_year.isdigit() else None,
        patient_id_number=patient.id_number if patient else None,
    )
