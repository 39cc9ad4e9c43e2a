"""A sample ticket and desk slip for test prints, previews and benchmarks (no real patient)."""

from __future__ import annotations

from datetime import datetime

from kiosk.domain.dates import VN_TZ
from kiosk.domain.ticket import DeskSlip, Lane, QueueTicket, VisitType


def sample_ticket(
    *, lane: Lane = Lane.PRIORITY, wait_minutes: int | None = 25, provisional: bool = False, number: int = 12
) -> QueueTicket:
    return QueueTicket(
        hospital_name="Bệnh viện Đa khoa Tỉnh Thừa Thiên Huế",
        department_name="Khoa Khám bệnh – Nội tổng quát",
        room_name="Phòng khám số 12",
        room_location="Tầng 2, Khu B",
        queue_number=number,
        lane=lane,
        patient_display_name="Nguyễn Thị Ánh Tuyết",
        patient_birth_year=1948,
        visit_type=VisitType.BHYT,
        printed_at=datetime(2026, 11, 23, 7, 42, tzinfo=VN_TZ),
        status_url="https://kiosk.bvdktthue.vn/t/7Q2K9X",
        wait_estimate_minutes=wait_minutes,
        provisional=provisional,
    )


def sample_desk_slip() -> DeskSlip:
    return DeskSlip(
        hospital_name="Bệnh viện Đa khoa Tỉnh Thừa Thiên Huế",
        reason_code="fee_or_desk",
        data_qr_payload="079000000000|||Nguyễn Văn Mẫu|01011990|Nam|Số 1 Lê Lợi, Phường Vĩnh Ninh, TP Huế|01012021",
        printed_at=datetime(2026, 11, 23, 7, 42, tzinfo=VN_TZ),
    )
