"""The hub's own register of patients and bookings, in its own database: the HIS adapter the hub uses while no
hospital HIS is connected (demos, tests, pilots). The demo hospital that fills it is `demo_seed.py`."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.masking import mask_id
from kiosk.domain.text import nfc, strip_diacritics
from kiosk_hub import errors, wire
from kiosk_hub.db.engine import as_utc, utc_now
from kiosk_hub.db.models import Appointment, AppointmentStatus, Patient
from kiosk_hub.his.port import BookedAppointment

_COLUMNS = {
    wire.IdentifierKind.CCCD: Patient.id_number,
    wire.IdentifierKind.BHXH_NUMBER: Patient.bhxh_number,
    wire.IdentifierKind.BHYT_CODE: Patient.bhyt_code,
    wire.IdentifierKind.PATIENT_CODE: Patient.patient_code,
}


def patient_wire(p: Patient) -> wire.Patient:
    return wire.Patient(
        id=p.id,
        patient_code=p.patient_code,
        full_name=p.full_name,
        date_of_birth=p.date_of_birth,
        sex=wire.Sex(p.sex) if p.sex else None,
        id_number_masked=mask_id(p.id_number) if p.id_number else None,
        bhxh_number=p.bhxh_number,
        bhyt_code=p.bhyt_code,
    )


def _same_person(p: Patient, r: wire.PatientRegistration) -> bool:
    def key(name: str) -> str:
        return " ".join(strip_diacritics(nfc(name)).casefold().split())

    return key(p.full_name) == key(r.full_name) and p.date_of_birth[:4] == r.date_of_birth[:4]


class PatientRegister:
    """A HisAdapter over the hub's own patient and booking tables (`demo_patients`, `demo_appointments`)."""

    def __init__(
        self, reader: sessionmaker[Session], writer: sessionmaker[Session], clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._clock = clock  # a registration's time decides when retention deletes it

    def find_patient(self, kind: wire.IdentifierKind, value: str) -> wire.Patient | None:
        with self._reader() as session:
            column = _COLUMNS[kind]
            found = session.scalars(select(Patient).where(column == value.upper()).limit(1)).first()
            if found is None and kind is wire.IdentifierKind.BHYT_CODE and len(value) == 15:
                # A new-style card shows only the 10-digit number: an old code matches on its last 10 digits.
                found = session.scalars(select(Patient).where(Patient.bhxh_number == value[-10:])).first()
            return patient_wire(found) if found else None

    def register_patient(self, registration: wire.PatientRegistration) -> tuple[wire.Patient, bool]:
        if not (registration.id_number or registration.bhxh_number or registration.bhyt_code):
            raise errors.HubError(422, "identifier_required", "An ID number, BHXH number or BHYT code is required")
        for _attempt in range(3):
            with self._writer() as session:
                existing = self._existing(session, registration)
                if existing is not None:
                    if not _same_person(existing, registration):
                        raise errors.patient_identity_conflict()
                    return patient_wire(existing), False
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
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()  # the same patient registered by a concurrent retry: read theirs
                    continue
                return patient_wire(patient), True
        raise RuntimeError("patient registration kept conflicting")

    def _existing(self, session: Session, r: wire.PatientRegistration) -> Patient | None:
        bhxh = r.bhxh_number or (r.bhyt_code[-10:] if r.bhyt_code else None)
        for column, value in ((Patient.id_number, r.id_number), (Patient.bhxh_number, bhxh)):
            if value:
                found = session.scalars(select(Patient).where(column == value)).first()
                if found is not None:
                    return found
        return None

    def find_appointment(self, code: str) -> BookedAppointment | None:
        with self._reader() as session:
            found = session.get(Appointment, code)
            return _booked(found, session.get(Patient, found.patient_id)) if found else None

    def mark_checked_in(self, code: str, moment: datetime) -> BookedAppointment:
        with self._writer() as session:
            found = session.get(Appointment, code)
            if found is None:
                raise errors.not_found("appointment")
            if found.status == AppointmentStatus.BOOKED:
                found.status = AppointmentStatus.CHECKED_IN
                found.checked_in_at = moment
                session.commit()
            return _booked(found, session.get(Patient, found.patient_id))


def _booked(a: Appointment, patient: Patient | None) -> BookedAppointment:
    birth_year = patient.date_of_birth[:4] if patient else ""
    return BookedAppointment(
        code=a.code,
        patient_id=a.patient_id,
        department_id=a.department_id,
        room_id=a.room_id,
        doctor_name=a.doctor_name,
        starts_at=as_utc(a.starts_at),
        status=AppointmentStatus(a.status),
        patient_name=patient.full_name if patient else "",
        patient_birth_year=int(birth_year) if birth_year.isdigit() else None,
        patient_id_masked=mask_id(patient.id_number) if patient and patient.id_number else None,
    )
