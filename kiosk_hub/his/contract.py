"""What the hub and a hospital's HIS say to each other: the models of the HIS adapter port.

The same models are the bodies of the generic REST contract (`docs/his-adapter.openapi.json`, built by
`his/rest_document.py`): a vendor who implements that contract, or writes an adapter in Python, speaks these.
Names follow the hospital's words (mã bệnh nhân, mã khám bệnh, số thứ tự); Vietnamese terms in the descriptions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kiosk.domain.priority import PriorityReason
from kiosk.domain.ticket import VisitType
from kiosk_hub.db.models import AppointmentStatus as AppointmentStatus  # part of the contract
from kiosk_hub.wire import IdentifierKind, OpeningPeriod, PartialDateText, Sex

CONTRACT_VERSION = "1.0"
Code = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Contract(BaseModel):
    # Extra fields from a vendor are ignored, not refused: a HIS may answer more than the contract asks.
    model_config = ConfigDict(extra="ignore")


class HisAbout(Contract):
    """Who answers: shown in the hub's start-up log and the conformance report."""

    vendor: str = Field(examples=["Công ty Phần mềm Y tế ABC"])
    product: str = Field(examples=["ABC-HIS"])
    version: str = Field(examples=["5.2.1"])
    contract_version: str = Field(description="the version of this contract implemented", examples=["1.0"])
    facility_code: str | None = Field(default=None, description="mã cơ sở KCB (5 characters)", examples=["01043"])


class PatientQuery(Contract):
    kind: IdentifierKind = Field(description="cccd (12 digits), bhxh_number (10), bhyt_code (15 or 10), patient_code")
    value: Annotated[str, StringConstraints(min_length=1, max_length=32)] = Field(examples=["001090012345"])


class HisPatient(Contract):
    """A patient as the HIS holds them (hồ sơ bệnh nhân). `id_number` is masked by the hub before anything shows it."""

    patient_id: Code = Field(description="the HIS's key for the patient", examples=["BN2026000123"])
    patient_code: Code = Field(description="mã bệnh nhân (MA_BN)", examples=["BN2026000123"])
    full_name: str = Field(examples=["Nguyễn Văn An"])
    date_of_birth: PartialDateText = Field(examples=["1990-03-15"])
    sex: Sex | None = None
    id_number: str | None = Field(default=None, description="số CCCD, when the HIS holds it", examples=["001090012345"])
    bhxh_number: str | None = Field(default=None, description="mã số BHXH (10 digits)", examples=["0190012345"])
    bhyt_code: str | None = Field(default=None, description="mã thẻ BHYT", examples=["DN4010190012345"])


class PatientRegistration(Contract):
    """A new patient (đăng ký bệnh nhân mới); registering someone the HIS already has returns them."""

    full_name: str = Field(examples=["Nguyễn Văn An"])
    date_of_birth: PartialDateText = Field(examples=["1990-03-15"])
    sex: Sex | None = None
    id_number: str | None = Field(default=None, examples=["001090012345"])
    bhxh_number: str | None = Field(default=None, examples=["0190012345"])
    bhyt_code: str | None = Field(default=None, examples=["DN4010190012345"])
    address: str | None = Field(default=None, examples=["Số 1 Phố Huế, Hai Bà Trưng, Hà Nội"])
    phone: str | None = Field(default=None, examples=["0912345678"])


class RegisteredPatient(Contract):
    patient: HisPatient
    created: bool = Field(description="true when the HIS made the record now, false when it already had it")


class EntitlementRecord(Contract):
    """The BHYT card check made at the kiosk (tra cứu thẻ BHYT), with the lookup officer the gateway was given."""

    checked_at: datetime
    result_code: str = Field(description="the gateway's maKetQua", examples=["000"])
    note: str | None = Field(default=None, description="the gateway's ghiChu", examples=["Thẻ còn giá trị sử dụng"])
    card_code: str | None = Field(default=None, description="the card used (mã thẻ)", examples=["DN4010190012345"])
    registered_facility_code: str | None = Field(default=None, description="nơi ĐKBĐ", examples=["01043"])
    valid_from: date | None = None
    valid_to: date | None = None
    to_recheck: bool = Field(default=False, description="the gateway could not answer: the hub re-checks later")
    officer_name: str | None = Field(default=None, description="hoTenCb: the officer the lookup was made as")
    officer_id_number: str | None = Field(default=None, description="cccdCb of that officer")


class VisitOpening(Contract):
    """Open a visit (mở lượt khám / đăng ký khám). `visit_ref` is the idempotency key: the same visit_ref twice is
    one visit, and the HIS answers the visit it opened the first time."""

    visit_ref: Annotated[str, StringConstraints(min_length=8, max_length=64)] = Field(
        examples=["3f0b6c1e-8a57-4a8e-9d0e-5c1f2a7b9e10"]
    )
    patient_id: Code = Field(examples=["BN2026000123"])
    department_id: Code = Field(description="khoa / chuyên khoa", examples=["NOI"])
    room_id: str | None = Field(default=None, description="phòng khám", examples=["NOI-01"])
    visit_type: VisitType = Field(description="bhyt (khám BHYT) or fee (khám dịch vụ)")
    priority: bool = Field(default=False, description="ưu tiên lane")
    priority_reasons: list[PriorityReason] = Field(default_factory=list)
    queue_number: int = Field(description="the hub's số thứ tự for the department and lane", examples=[12])
    display_number: str = Field(examples=["0012", "UT-0003"])
    ticket_id: str
    arrived_at: datetime = Field(description="when the ticket was issued (thời gian vào)")
    appointment_code: str | None = Field(default=None, description="mã hẹn, when the patient came with a booking")
    entitlement: EntitlementRecord | None = None


class ExamService(Contract):
    code: str = Field(description="mã dịch vụ (MA_DICH_VU)", examples=["02.1896"])
    name: str = Field(examples=["Khám Nội"])


class OpenedVisit(Contract):
    visit_code: Code = Field(description="mã khám bệnh / mã liên kết (MA_LK) in the HIS", examples=["KB2026120700042"])
    patient_id: Code = Field(examples=["BN2026000123"])
    patient_category: str | None = Field(
        default=None, description="MA_DOITUONG_KCB decided by the HIS (e.g. 1.1)", examples=["1.1"]
    )
    exam_service: ExamService | None = Field(default=None, description="the exam ordered: the visit's first cost")
    patient: HisPatient | None = Field(
        default=None, description="the patient as the HIS holds them: only needed when the hub sends the BHYT check-in"
    )


class VisitChange(Contract):
    reason: str = Field(default="", max_length=200, examples=["Bệnh nhân hủy số tại ki-ốt"])


class HisRoom(Contract):
    id: Code = Field(examples=["NOI-01"])
    name_vi: str = Field(examples=["Phòng khám Nội 1"])
    name_en: str = Field(default="", examples=["Internal Medicine room 1"])
    location_vi: str = Field(default="", examples=["Tầng 2, nhà A, phòng 201"])
    location_en: str = Field(default="")
    waiting: int | None = Field(default=None, description="patients waiting now (tải)")


class HisDepartment(Contract):
    id: Code = Field(examples=["NOI"])
    name_vi: str = Field(examples=["Khoa Nội tổng hợp"])
    name_en: str = Field(default="", examples=["Internal Medicine"])
    location_vi: str = Field(default="", examples=["Tầng 2, nhà A"])
    location_en: str = Field(default="")
    opening_hours: list[OpeningPeriod] = Field(default_factory=list)
    rooms: list[HisRoom] = Field(default_factory=list)
    waiting: int | None = Field(default=None, description="patients waiting now in the department")


class DepartmentCatalogue(Contract):
    departments: list[HisDepartment]


class HisAppointment(Contract):
    """A booking (lịch hẹn) found by the code in its QR."""

    code: Code = Field(examples=["HEN-20261207-0042"])
    patient_id: Code
    department_id: Code = Field(examples=["NOI"])
    room_id: str | None = None
    doctor_name: str = Field(default="", examples=["BS. Trần Thị Bình"])
    starts_at: datetime
    status: AppointmentStatus
    patient_name: str = ""
    patient_birth_year: int | None = None
    patient_id_number: str | None = Field(default=None, description="masked by the hub before it is shown")


class AppointmentArrival(Contract):
    checked_in_at: datetime


class ExamFeeQuery(Contract):
    department_id: Code = Field(examples=["NOI"])
    room_id: str | None = None
    visit_type: VisitType = VisitType.FEE


class ExamFee(Contract):
    """The exam fee (tiền khám) for a visit: what a fee-paying patient pays before the exam."""

    service: ExamService
    amount_vnd: int = Field(ge=0, examples=[150000])
    bhyt_covered: bool = Field(default=False, description="true when BHYT pays the exam for this visit type")


class HisProblem(Contract):
    """An error the HIS answers: a stable code the hub understands (see the contract's error table)."""

    code: str = Field(examples=["patient_identity_conflict"])
    title: str = ""
