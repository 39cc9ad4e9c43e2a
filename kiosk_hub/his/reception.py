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
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

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
    """What a kiosk is told of a patient: what its next steps need (the ticket's name and year, the age for the
    priority lane, the gateway's name and date check), never the card numbers, the full ID number or the patient
    code (`docs/security.md`)."""
    return wire.Patient(
        id=p.patient_id,
        full_name=p.full_name,
        date_of_birth=p.date_of_birth,
        id_number_masked=mask_id(p.id_number) if p.id_number else None,
    )


def card_codes(p: c.HisPatient | wire.PatientRegistration) -> tuple[str, ...]:
    """The codes the gateway takes as maThe, most specific first (BHYT code, BHXH number, citizen ID)."""
    codes = (p.bhyt_code, p.bhxh_number, p.id_number)
    return tuple(dict.fromkeys(code for code in codes if code))


class CardsOnFile:
    """The cards of the patients this process looked up or registered lately, by patient id: the entitlement check
    tries them when the card the kiosk sent is unknown to the gateway (the kiosk is never sent them). In memory
    only, for the length of a patient's visit at the kiosk; a check reaching another hub process than the lookup
    finds none and answers with the kiosk's card alone."""

    def __init__(self, keep: timedelta = timedelta(minutes=15), most: int = 10_000) -> None:
        self._keep, self._most = keep, most
        self._seen: OrderedDict[str, tuple[tuple[str, ...], datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, patient_id: str, codes: tuple[str, ...], now: datetime) -> None:
        if not codes:
            return
        with self._lock:
            self._seen[patient_id] = (codes, now + self._keep)
            self._seen.move_to_end(patient_id)
            while len(self._seen) > self._most:
                self._seen.popitem(last=False)

    def codes(self, patient_id: str, now: datetime) -> list[str]:
        with self._lock:
            found = self._seen.get(patient_id)
        return list(found[0]) if found and found[1] > now else []


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
        self._cards = CardsOnFile()

    def cards_on_file(self, patient_id: str) -> list[str]:
        """The cards of a patient this process looked up or registered in the last minutes (possibly none)."""
        return self._cards.codes(patient_id, self._clock())

    def find_patient(self, kind: wire.IdentifierKind, value: str) -> wire.Patient | None:
        try:
            found = self.adapter.find_patient(kind, value)
        except HisUnavailableError as exc:
            log.warning("HIS did not answer a patient lookup (%s)", type(exc.__cause__ or exc).__name__)
            raise errors.his_unavailable() from exc
        if found is None:
            return None
        self._cards.remember(found.patient_id, card_codes(found), self._clock())
        return patient_wire(found)

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
        self._cards.remember(answer.patient.patient_id, card_codes(answer.patient), self._clock())
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
        self._cards.remember(patient_id, card_codes(registration), self._clock())
        return wire.Patient(
            id=patient_id,
            full_name=registration.full_name,
            date_of_birth=registration.date_of_birth,
            id_number_masked=mask_id(registration.id_number) if registration.id_number else None,
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
