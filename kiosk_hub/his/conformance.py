"""The HIS conformance suite: does an adapter (and the HIS behind it) do what the hub relies on? One piece of code
run by `kiosk-hub his check [URL]` (a vendor's report for the hospital) and by the hub's own tests (the reference
HIS over loopback HTTP, the hub's own register).

It registers one synthetic test patient ("Nguyễn Văn Kiểm Thử", a made-up CCCD) and opens, cancels and closes a
few visits for them: run it against a test HIS, or expect those records in the HIS.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kiosk.domain.ticket import VisitType
from kiosk_hub import wire
from kiosk_hub.his import contract as c
from kiosk_hub.his.port import HisAdapter, HisRefusedError

TEST_PATIENT = c.PatientRegistration(
    full_name="Nguyễn Văn Kiểm Thử",
    date_of_birth="1990-01-01",
    sex=wire.Sex.MALE,
    id_number="001090999001",
    bhxh_number="0190999001",
    bhyt_code="DN4010190999001",
)


class CheckFailedError(AssertionError):
    """A check whose answer is not what the contract says."""


class CheckSkippedError(Exception):
    """A check that does not apply (the adapter offers no price, no booking code was given)."""


@dataclass
class CheckResult:
    name: str
    outcome: str  # pass | FAIL | skip
    millis: float
    detail: str = ""


@dataclass
class Run:
    adapter: HisAdapter
    booking_code: str | None = None
    department_id: str | None = None
    patient: c.HisPatient | None = None
    visit_code: str | None = None
    visit_ref: str = field(default_factory=lambda: str(uuid.uuid4()))

    def need_patient(self) -> c.HisPatient:
        if self.patient is None:
            raise CheckSkippedError("no test patient (registration failed)")
        return self.patient

    def opening(self, visit_ref: str, patient_id: str | None = None) -> c.VisitOpening:
        now = datetime.now(UTC)
        return c.VisitOpening(
            visit_ref=visit_ref,
            patient_id=patient_id or self.need_patient().patient_id,
            department_id=self.department_id or "KKB",
            visit_type=VisitType.BHYT,
            queue_number=1,
            display_number="0001",
            ticket_id=str(uuid.uuid4()),
            arrived_at=now,
            entitlement=c.EntitlementRecord(checked_at=now, result_code="000", card_code=TEST_PATIENT.bhyt_code),
        )


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailedError(message)


def _about(run: Run) -> str:
    about = run.adapter.about()
    major = about.contract_version.split(".")[0]
    expect(
        major == c.CONTRACT_VERSION.split(".")[0], f"contract {about.contract_version}, hub speaks {c.CONTRACT_VERSION}"
    )
    return f"{about.vendor} {about.product} {about.version}, contract {about.contract_version}"


def _departments(run: Run) -> str:
    catalogue = run.adapter.departments().departments
    expect(bool(catalogue), "no departments listed")
    ids = [d.id for d in catalogue]
    expect(len(ids) == len(set(ids)), "department ids repeat")
    rooms = [r.id for d in catalogue for r in d.rooms]
    expect(len(rooms) == len(set(rooms)), "room ids repeat")
    run.department_id = ids[0]
    return f"{len(ids)} departments, {len(rooms)} rooms"


def _register(run: Run) -> str:
    answer = run.adapter.register_patient(TEST_PATIENT)
    expect(bool(answer.patient.patient_id and answer.patient.patient_code), "no patient id or code")
    run.patient = answer.patient
    return f"patient {answer.patient.patient_code} ({'created' if answer.created else 'already there'})"


def _register_again(run: Run) -> str:
    first = run.need_patient()
    again = run.adapter.register_patient(TEST_PATIENT)
    expect(again.patient.patient_id == first.patient_id, "registering twice made a second patient")
    expect(not again.created, "registering twice answered created=true")
    return "same patient, created=false"


def _finder(kind: wire.IdentifierKind, value: Callable[[c.HisPatient], str | None]) -> Callable[[Run], str]:
    def check(run: Run) -> str:
        patient = run.need_patient()
        key = value(patient)
        if not key:
            raise CheckSkippedError(f"the HIS keeps no {kind.value} for the test patient")
        found = run.adapter.find_patient(kind, key)
        expect(found is not None, f"not found by {kind.value}")
        assert found is not None
        expect(found.patient_id == patient.patient_id, f"{kind.value} found another patient")
        return "found"

    return check


def _unknown_patient(run: Run) -> str:
    expect(run.adapter.find_patient(wire.IdentifierKind.CCCD, "079099999999") is None, "an unknown CCCD was found")
    return "none"


def _conflict(run: Run) -> str:
    run.need_patient()
    other = TEST_PATIENT.model_copy(update={"full_name": "Trần Thị Người Khác", "date_of_birth": "1970-05-05"})
    try:
        run.adapter.register_patient(other)
    except HisRefusedError as refusal:
        expect(refusal.code == "patient_identity_conflict", f"refused with {refusal.code}")
        return "refused: patient_identity_conflict"
    raise CheckFailedError("a CCCD of another person was accepted")


def _open(run: Run) -> str:
    opened = run.adapter.open_visit(run.opening(run.visit_ref))
    expect(bool(opened.visit_code), "no visit code")
    expect(opened.patient_id == run.need_patient().patient_id, "the visit names another patient")
    run.visit_code = opened.visit_code
    return f"visit {opened.visit_code}"


def _open_again(run: Run) -> str:
    if run.visit_code is None:
        raise CheckSkippedError("no visit opened")
    again = run.adapter.open_visit(run.opening(run.visit_ref))
    expect(again.visit_code == run.visit_code, "the same visit_ref opened a second visit")
    return "same visit"


def _cancel(run: Run) -> str:
    if run.visit_code is None:
        raise CheckSkippedError("no visit opened")
    change = c.VisitChange(reason="Kiểm thử kết nối")
    run.adapter.cancel_visit(run.visit_ref, change)
    run.adapter.cancel_visit(run.visit_ref, change)
    run.adapter.cancel_visit(str(uuid.uuid4()), change)  # never opened: no error either
    return "cancelled; twice and never-opened: no error"


def _close(run: Run) -> str:
    ref = str(uuid.uuid4())
    run.adapter.open_visit(run.opening(ref))
    run.adapter.close_visit(ref, c.VisitChange(reason="Kiểm thử kết nối"))
    run.adapter.close_visit(ref, c.VisitChange(reason="Kiểm thử kết nối"))
    return "closed; twice: no error"


def _visit_for_unknown_patient(run: Run) -> str:
    try:
        run.adapter.open_visit(run.opening(str(uuid.uuid4()), patient_id="NO-SUCH-PATIENT-0000"))
    except HisRefusedError as refusal:
        return f"refused: {refusal.code}"
    raise CheckFailedError("a visit for an unknown patient was opened")


def _exam_fee(run: Run) -> str:
    fee = run.adapter.exam_fee(c.ExamFeeQuery(department_id=run.department_id or "KKB"))
    if fee is None:
        raise CheckSkippedError("this HIS gives no exam fee (the desk takes it)")
    return f"{fee.service.code} {fee.amount_vnd:,} VND"


def _unknown_booking(run: Run) -> str:
    expect(run.adapter.find_appointment("KHONG-CO-LICH-HEN-0000") is None, "an unknown booking code was found")
    return "none"


def _booking(run: Run) -> str:
    if not run.booking_code:
        raise CheckSkippedError("no booking code given (--appointment CODE)")
    found = run.adapter.find_appointment(run.booking_code)
    expect(found is not None, "the booking was not found")
    arrived = run.adapter.mark_checked_in(run.booking_code, datetime.now(UTC))
    expect(arrived.status == c.AppointmentStatus.CHECKED_IN, f"status {arrived.status} after check-in")
    again = run.adapter.mark_checked_in(run.booking_code, datetime.now(UTC))
    expect(again.status == c.AppointmentStatus.CHECKED_IN, "checking in twice changed the booking")
    return "found, checked in, twice: unchanged"


CHECKS: list[tuple[str, Callable[[Run], str]]] = [
    ("about", _about),
    ("departments and rooms", _departments),
    ("register a patient", _register),
    ("register again: same patient", _register_again),
    ("find by CCCD", _finder(wire.IdentifierKind.CCCD, lambda p: TEST_PATIENT.id_number)),
    ("find by BHXH number", _finder(wire.IdentifierKind.BHXH_NUMBER, lambda p: p.bhxh_number)),
    ("find by BHYT code", _finder(wire.IdentifierKind.BHYT_CODE, lambda p: TEST_PATIENT.bhyt_code)),
    ("find by patient code", _finder(wire.IdentifierKind.PATIENT_CODE, lambda p: p.patient_code)),
    ("unknown patient: none", _unknown_patient),
    ("identity conflict refused", _conflict),
    ("open a visit", _open),
    ("open again: same visit", _open_again),
    ("cancel a visit", _cancel),
    ("close a visit", _close),
    ("visit for an unknown patient refused", _visit_for_unknown_patient),
    ("exam fee", _exam_fee),
    ("unknown booking: none", _unknown_booking),
    ("booking check-in", _booking),
]


def run_checks(adapter: HisAdapter, booking_code: str | None = None) -> list[CheckResult]:
    run = Run(adapter, booking_code)
    results = []
    for name, check in CHECKS:
        started = time.perf_counter()
        try:
            outcome, detail = "pass", check(run)
        except CheckSkippedError as skipped:
            outcome, detail = "skip", str(skipped)
        except CheckFailedError as failed:
            outcome, detail = "FAIL", str(failed)
        except Exception as error:  # any other error is this check failing, reported, not the suite stopping
            outcome, detail = "FAIL", f"{type(error).__name__}: {error}"[:200]
        results.append(CheckResult(name, outcome, (time.perf_counter() - started) * 1000, detail))
    return results


def passed(results: list[CheckResult]) -> bool:
    return all(r.outcome != "FAIL" for r in results)


def table(results: list[CheckResult], target: str) -> str:
    """The report a vendor sends the hospital: one line per check."""
    width = max(len(r.name) for r in results)
    lines = [f"HIS conformance: {target}", f"{'check'.ljust(width)}  result   ms  detail", "-" * (width + 40)]
    lines += [f"{r.name.ljust(width)}  {r.outcome:<5} {r.millis:5.0f}  {r.detail}" for r in results]
    counts = {k: sum(r.outcome == k for r in results) for k in ("pass", "FAIL", "skip")}
    lines.append(f"{counts['pass']} passed, {counts['FAIL']} failed, {counts['skip']} skipped")
    return "\n".join(lines)
