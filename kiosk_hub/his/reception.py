"""The hub's reception desk towards the HIS: finding and registering patients through the adapter, and what
happens when the HIS does not answer.

HIS down, slow, failing or answering nonsense: a lookup answers 404 `his_unavailable` (the kiosk then registers
the patient from the card, as for someone new); a registration is kept (`his_pending_registrations`) and answered
with a provisional patient `pending:<id>`, so the patient gets their number; the visit dispatcher registers them in
the HIS when it answers again (registering someone it already has returns them) and wipes what was kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.masking import mask_id
from kiosk_hub import errors, wire
from kiosk_hub.events.outbox import EventType, record_event, subject_of
from kiosk_hub.his import contract as c
from kiosk_hub.his.models import PendingRegistration
from kiosk_hub.his.port import HisAdapter, HisRefusedError, HisUnavailableError

log = logging.getLogger("kiosk_hub.his")
PENDING = "pending:"
_REFUSALS: dict[str, Callable[[], errors.HubError]] = {
    "patient_identity_conflict": errors.patient_identity_conflict,
    "identifier_required": errors.identifier_required,
}


def patient_wire(p: c.HisPatient) -> wire.Patient:
    """What the kiosk sees of a patient: the ID number masked to its last 4 digits."""
    return wire.Patient(
        id=p.patient_id,
        patient_code=p.patient_code,
        full_name=p.full_name,
        date_of_birth=p.date_of_birth,
        sex=p.sex,
        id_number_masked=mask_id(p.id_number) if p.id_number else None,
        bhxh_number=p.bhxh_number,
        bhyt_code=p.bhyt_code,
    )


def identity_key(r: wire.PatientRegistration) -> str:
    ids = "|".join(f"{k}={v}" for k, v in (("cccd", r.id_number), ("bhxh", r.bhxh_number), ("bhyt", r.bhyt_code)) if v)
    return hashlib.sha256(ids.encode()).hexdigest()


class Reception:
    def __init__(
        self,
        adapter: HisAdapter,
        reader: sessionmaker[Session],
        writer: sessionmaker[Session],
        clock: Callable[[], datetime],
    ) -> None:
        self.adapter = adapter
        self._reader = reader
        self._writer = writer
        self._clock = clock

    def find_patient(self, kind: wire.IdentifierKind, value: str) -> wire.Patient | None:
        try:
            found = self.adapter.find_patient(kind, value)
        except HisUnavailableError as exc:
            log.warning("HIS did not answer a patient lookup (%s)", type(exc.__cause__ or exc).__name__)
            raise errors.his_unavailable() from exc
        return patient_wire(found) if found else None

    def register_patient(self, registration: wire.PatientRegistration) -> tuple[wire.Patient, bool]:
        """The patient and whether they are new; a provisional patient when the HIS cannot answer."""
        try:
            answer = self.adapter.register_patient(c.PatientRegistration.model_validate(registration.model_dump()))
        except HisRefusedError as exc:
            refusal = _REFUSALS.get(exc.code)
            raise (refusal() if refusal else errors.his_refused(exc.code)) from exc
        except HisUnavailableError as exc:
            log.warning("HIS did not answer a registration (%s): kept to register later", type(exc).__name__)
            return self._provisional(registration), True
        if answer.created and not getattr(self.adapter, "announces_registrations", False):
            with self._writer() as session:
                announce_registration(session, answer.patient, self._clock())
                session.commit()
        return patient_wire(answer.patient), answer.created

    def _provisional(self, registration: wire.PatientRegistration) -> wire.Patient:
        key = identity_key(registration)
        with self._writer() as session:
            row = session.scalars(select(PendingRegistration).where(PendingRegistration.identity_key == key)).first()
            if row is None:
                row = PendingRegistration(
                    id=str(uuid.uuid4()),
                    identity_key=key,
                    registration=registration.model_dump_json(),
                    created_at=self._clock(),
                )
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:  # the same patient at two kiosks at once: theirs stands
                    session.rollback()
                    row = session.scalars(
                        select(PendingRegistration).where(PendingRegistration.identity_key == key)
                    ).one()
        patient_id = row.his_patient_id or f"{PENDING}{row.id}"
        return wire.Patient(
            id=patient_id,
            patient_code="",  # the HIS gives it once it has the patient
            full_name=registration.full_name,
            date_of_birth=registration.date_of_birth,
            sex=registration.sex,
            id_number_masked=mask_id(registration.id_number) if registration.id_number else None,
            bhxh_number=registration.bhxh_number,
            bhyt_code=registration.bhyt_code,
        )

    def resolve(self, patient_ref: str) -> str:
        """The HIS's patient id for a ref: a provisional one is registered in the HIS now (HisUnavailableError
        when it still cannot answer); the kept personal fields are wiped once it is."""
        if not patient_ref.startswith(PENDING):
            return patient_ref
        with self._reader() as session:
            row = session.get(PendingRegistration, patient_ref.removeprefix(PENDING))
        if row is None:
            raise HisRefusedError("pending_registration_lost", "the provisional registration is not kept")
        if row.his_patient_id:
            return row.his_patient_id
        kept = wire.PatientRegistration.model_validate(json.loads(row.registration or "{}"))
        answer = self.adapter.register_patient(c.PatientRegistration.model_validate(kept.model_dump()))
        with self._writer() as session:
            stored = session.get(PendingRegistration, row.id)
            if stored is not None and stored.his_patient_id is None:
                stored.his_patient_id = answer.patient.patient_id
                stored.registration = None  # nothing personal stays once the HIS has them
                if answer.created and not getattr(self.adapter, "announces_registrations", False):
                    announce_registration(session, answer.patient, self._clock())
                session.commit()
        return answer.patient.patient_id


def announce_registration(session: Session, patient: c.HisPatient, moment: datetime) -> None:
    record_event(
        session,
        EventType.PATIENT_REGISTERED,
        subject=subject_of(patient.patient_id),
        data={"patient_ref": patient.patient_id, "patient_code": patient.patient_code},
        occurred_at=moment,
    )
