"""The demo hospital: departments and rooms of a Vietnamese general hospital, synthetic patients and bookings."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.dates import VN_TZ
from kiosk_hub.db.engine import utc_now
from kiosk_hub.db.models import Appointment, AppointmentStatus, Department, LanePolicy, Patient, Room

WEEKDAYS = [1, 2, 3, 4, 5]
OFFICE = [{"days": WEEKDAYS, "opens": "07:00", "closes": "16:30"}, {"days": [6], "opens": "07:00", "closes": "11:30"}]
ALWAYS = [{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "00:00", "closes": "24:00"}]

# (id, vi, en, location vi, location en, hours, policy, every, minutes per patient, rooms)
DEPARTMENTS = [
    (
        "KKB",
        "Khoa Khám bệnh",
        "Outpatient Clinic",
        "Tầng 1, nhà A",
        "Floor 1, building A",
        OFFICE,
        "interleaved",
        3,
        6,
        4,
    ),
    (
        "NOI",
        "Khoa Nội tổng hợp",
        "Internal Medicine",
        "Tầng 2, nhà A",
        "Floor 2, building A",
        OFFICE,
        "strict",
        3,
        8,
        3,
    ),
    (
        "NGOAI",
        "Khoa Ngoại tổng hợp",
        "General Surgery",
        "Tầng 3, nhà A",
        "Floor 3, building A",
        OFFICE,
        "strict",
        3,
        10,
        2,
    ),
    (
        "SAN",
        "Khoa Phụ sản",
        "Obstetrics & Gynaecology",
        "Tầng 1, nhà B",
        "Floor 1, building B",
        OFFICE,
        "strict",
        3,
        10,
        2,
    ),
    ("NHI", "Khoa Nhi", "Paediatrics", "Tầng 2, nhà B", "Floor 2, building B", OFFICE, "interleaved", 2, 7, 3),
    (
        "TMH",
        "Khoa Tai Mũi Họng",
        "Ear, Nose & Throat",
        "Tầng 3, nhà B",
        "Floor 3, building B",
        OFFICE,
        "strict",
        3,
        8,
        1,
    ),
    (
        "RHM",
        "Khoa Răng Hàm Mặt",
        "Dentistry & Maxillofacial",
        "Tầng 3, nhà B",
        "Floor 3, building B",
        OFFICE,
        "strict",
        3,
        15,
        2,
    ),
    ("MAT", "Khoa Mắt", "Ophthalmology", "Tầng 4, nhà B", "Floor 4, building B", OFFICE, "strict", 3, 8, 2),
    ("DALIEU", "Khoa Da liễu", "Dermatology", "Tầng 4, nhà A", "Floor 4, building A", OFFICE, "strict", 3, 8, 1),
    ("YHCT", "Khoa Y học cổ truyền", "Traditional Medicine", "Nhà C", "Building C", OFFICE, "strict", 3, 12, 1),
    ("CC", "Khoa Cấp cứu", "Emergency", "Cổng số 2, nhà A", "Gate 2, building A", ALWAYS, "strict", 3, 5, 2),
]


def seed_departments(session: Session) -> int:
    """Insert the demo departments and rooms that are missing; the number of departments added."""
    added = 0
    for order, (dep_id, vi, en, loc_vi, loc_en, hours, policy, every, minutes, rooms) in enumerate(DEPARTMENTS):
        if session.get(Department, dep_id) is not None:
            continue
        session.add(
            Department(
                id=dep_id,
                name_vi=vi,
                name_en=en,
                location_vi=loc_vi,
                location_en=loc_en,
                opening_hours=json.dumps(hours),
                lane_policy=LanePolicy(policy),
                priority_every=every,
                minutes_per_patient=minutes,
                sort_order=order,
            )
        )
        session.flush()
        for n in range(1, rooms + 1):
            session.add(
                Room(
                    id=f"{dep_id}-{n:02d}",
                    department_id=dep_id,
                    name_vi=f"Phòng khám {dep_id} {n}",
                    name_en=f"Room {dep_id} {n}",
                    location_vi=f"{loc_vi}, phòng {100 * (order + 1) + n}",
                    location_en=f"{loc_en}, room {100 * (order + 1) + n}",
                )
            )
        added += 1
    return added


def seed_patients(session: Session, people: list[dict[str, str | None]]) -> int:
    """Insert synthetic patients (skipping ones already there, by patient code)."""
    added = 0
    for person in people:
        if session.scalars(select(Patient).where(Patient.patient_code == person["patient_code"])).first():
            continue
        session.add(Patient(id=str(uuid.uuid4()), created_at=utc_now(), **person))
        added += 1
    return added


def seed_appointments(session: Session, today: datetime) -> int:
    """Bookings for today's demo: one due now, one later today, one tomorrow (codes DEMO-NOW/LATER/TOMORROW)."""
    patient = session.scalars(select(Patient).order_by(Patient.patient_code).limit(1)).first()
    if patient is None:
        return 0
    local_day = today.astimezone(VN_TZ).date()
    slots = {
        "DEMO-NOW": today + timedelta(minutes=10),
        "DEMO-LATER": datetime.combine(local_day, time(15, 0), VN_TZ),
        "DEMO-TOMORROW": datetime.combine(local_day + timedelta(days=1), time(9, 0), VN_TZ),
    }
    added = 0
    for code, starts in slots.items():
        if session.get(Appointment, code) is None:
            session.add(
                Appointment(
                    code=code,
                    patient_id=patient.id,
                    department_id="NOI",
                    room_id="NOI-01",
                    doctor_name="BS. Nguyễn Văn Demo",
                    starts_at=starts.astimezone(UTC),  # SQLite keeps no offset: store UTC everywhere
                    status=AppointmentStatus.BOOKED,
                )
            )
            added += 1
    return added


def seed_demo_hospital(session: Session, now: datetime) -> dict[str, int]:
    """The whole demo hospital (departments, patients, today's bookings), what is missing only; counts added.
    The caller commits."""
    from kiosk_hub.his.demo_people import demo_people

    counts = {"departments": seed_departments(session), "patients": seed_patients(session, demo_people())}
    session.flush()
    counts["appointments"] = seed_appointments(session, now)
    return counts
