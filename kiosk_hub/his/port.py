"""What the hub needs from a hospital information system; each HIS vendor gets an adapter with this shape.

An adapter is a plain object (blocking calls: the hub runs them on worker threads, each under a deadline) loaded
by name from the entry-point group `kiosk_hub.his_adapters` (`his/loading.py`). Its calls take and answer the
models of `his/contract.py`. Failures are one of two errors: `HisUnavailableError` (timeout, connection refused,
5xx, an answer that does not parse: the hub queues what it can and tries again) or `HisRefusedError` (the HIS
said no, with a stable code: passed on to the kiosk).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from kiosk_hub import wire
from kiosk_hub.his.contract import (
    DepartmentCatalogue,
    ExamFee,
    ExamFeeQuery,
    HisAbout,
    HisAppointment,
    HisPatient,
    OpenedVisit,
    PatientRegistration,
    RegisteredPatient,
    VisitChange,
    VisitOpening,
)

ENTRY_POINT_GROUP = "kiosk_hub.his_adapters"


class HisError(Exception):
    """The HIS could not do what the hub asked."""


class HisUnavailableError(HisError):
    """No usable answer: timeout, connection refused, 5xx, or an answer that does not parse. Retried later."""


class HisRefusedError(HisError):
    """The HIS answered no, for a reason named by a stable code (e.g. `patient_identity_conflict`)."""

    def __init__(self, code: str, title: str = "") -> None:
        super().__init__(f"{code}: {title}" if title else code)
        self.code = code
        self.title = title


@runtime_checkable
class HisAdapter(Protocol):
    def about(self) -> HisAbout:
        """Who answers (vendor, product, version, contract version): logged at start, printed by the checker."""
        ...

    def find_patient(self, kind: wire.IdentifierKind, value: str) -> HisPatient | None:
        """The patient with this identifier, or None."""
        ...

    def register_patient(self, registration: PatientRegistration) -> RegisteredPatient:
        """The patient and whether they were created now; registering an existing patient returns them."""
        ...

    def open_visit(self, opening: VisitOpening) -> OpenedVisit:
        """Open the visit; the same `visit_ref` again answers the visit opened the first time (idempotent)."""
        ...

    def cancel_visit(self, visit_ref: str, change: VisitChange) -> None:
        """Cancel a visit (the ticket was cancelled); cancelling twice, or a visit never opened, is no error."""
        ...

    def close_visit(self, visit_ref: str, change: VisitChange) -> None:
        """Close a visit (the patient was served); closing twice is no error."""
        ...

    def departments(self) -> DepartmentCatalogue:
        """Departments and rooms with opening hours and load, for the hub's catalogue (`his/sync.py`)."""
        ...

    def find_appointment(self, code: str) -> HisAppointment | None: ...

    def mark_checked_in(self, code: str, moment: datetime) -> HisAppointment:
        """Record the arrival for a booking; again for a checked-in booking answers it unchanged."""
        ...

    def exam_fee(self, query: ExamFeeQuery) -> ExamFee | None:
        """The exam fee of a visit (tiền khám), or None when this HIS gives no price (the desk takes it)."""
        ...
