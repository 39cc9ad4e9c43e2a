"""What the hub needs from a hospital information system; each HIS vendor gets an adapter with this shape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kiosk_hub import wire
from kiosk_hub.db.models import AppointmentStatus


@dataclass(frozen=True)
class BookedAppointment:
    code: str
    patient_id: str
    department_id: str
    room_id: str | None
    doctor_name: str
    starts_at: datetime
    status: AppointmentStatus
    # What the kiosk's confirm screen and ticket show: never the full ID number (masked at most).
    patient_name: str = ""
    patient_birth_year: int | None = None
    patient_id_masked: str | None = None


class HisAdapter(Protocol):
    def find_patient(self, kind: wire.IdentifierKind, value: str) -> wire.Patient | None:
        """The patient with this identifier, or None."""
        ...

    def register_patient(self, registration: wire.PatientRegistration) -> tuple[wire.Patient, bool]:
        """The patient and whether they were created now; registering an existing patient returns them."""
        ...

    def card_codes(self, patient_id: str) -> list[str]:
        """The codes the gateway takes as maThe that the HIS holds for the patient (BHYT code, BHXH number, citizen
        ID), most specific first; they stay on the hub (the entitlement check tries them, a lookup never sends
        them to a kiosk)."""
        ...

    def find_appointment(self, code: str) -> BookedAppointment | None: ...

    def mark_checked_in(self, code: str, moment: datetime) -> BookedAppointment: ...
