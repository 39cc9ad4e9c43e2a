"""The BHYT check-in record ("bảng chỉ tiêu dữ liệu về trạng thái khám bệnh, chữa bệnh", XML0) of QĐ 4750/QĐ-BYT
(amending QĐ 130/QĐ-BYT, itself amended by QĐ 3176/QĐ-BYT): built from a kiosk check-in, checked against the
table's rules, written as the XML file the BHXH gateway takes.

The 26 elements, their order and sizes follow the table as public HIS code implements it (docs/his-integration.md
names the sources). The sizes after QĐ 3176 are not published in a readable form: the QĐ 4750 sizes are used.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from kiosk.domain.dates import VN_TZ
from kiosk_hub.his import contract as c

# (element, max length) in the table's order.
FIELDS: tuple[tuple[str, int], ...] = (
    ("MA_LK", 100), ("STT", 10), ("MA_BN", 100), ("HO_TEN", 255), ("SO_CCCD", 15), ("NGAY_SINH", 12),
    ("GIOI_TINH", 1), ("MA_THE_BHYT", 15), ("MA_DKBD", 5), ("GT_THE_TU", 8), ("GT_THE_DEN", 8),
    ("MA_DOITUONG_KCB", 4), ("NGAY_VAO", 12), ("NGAY_VAO_NOI_TRU", 12), ("LY_DO_VNT", 1024), ("MA_LY_DO_VNT", 5),
    ("MA_LOAI_KCB", 2), ("MA_CSKCB", 5), ("MA_DICH_VU", 50), ("TEN_DICH_VU", 1024), ("MA_THUOC", 255),
    ("TEN_THUOC", 1024), ("MA_VAT_TU", 255), ("TEN_VAT_TU", 1024), ("NGAY_YL", 12), ("DU_PHONG", 1024),
)  # fmt: skip
ROOT, LIST, ITEM, SIGNATURE = "CHI_TIEU_TRANG_THAI_KCB", "DSACH_TRANG_THAI_KCB", "TRANG_THAI_KCB", "CHUKYDONVI"
OUTPATIENT_EXAM = "01"  # MA_LOAI_KCB "khám bệnh ngoại trú": what a kiosk check-in opens
EMERGENCY = "2"  # MA_DOITUONG_KCB cấp cứu: no check-in record is sent for it
_MOMENT = re.compile(r"^\d{12}$")
_DAY = re.compile(r"^\d{8}$")


class CheckInRecord(BaseModel):
    """One TRANG_THAI_KCB row; values as the XML carries them (text)."""

    MA_LK: str
    STT: str = "1"
    MA_BN: str
    HO_TEN: str
    SO_CCCD: str = ""
    NGAY_SINH: str
    GIOI_TINH: str
    MA_THE_BHYT: str = ""
    MA_DKBD: str = ""
    GT_THE_TU: str = ""
    GT_THE_DEN: str = ""
    MA_DOITUONG_KCB: str
    NGAY_VAO: str
    NGAY_VAO_NOI_TRU: str = ""
    LY_DO_VNT: str = ""
    MA_LY_DO_VNT: str = ""
    MA_LOAI_KCB: str = OUTPATIENT_EXAM
    MA_CSKCB: str
    MA_DICH_VU: str = ""
    TEN_DICH_VU: str = ""
    MA_THUOC: str = ""
    TEN_THUOC: str = ""
    MA_VAT_TU: str = ""
    TEN_VAT_TU: str = ""
    NGAY_YL: str
    DU_PHONG: str = ""


@dataclass(frozen=True)
class Problem:
    element: str
    rule: str


class CheckInInvalidError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.element}: {p.rule}" for p in problems))
        self.problems = problems


def moment(when: datetime) -> str:
    """yyyyMMddHHmm in Vietnam's time."""
    return when.astimezone(VN_TZ).strftime("%Y%m%d%H%M")


def birth(partial: str) -> str:
    """ "1990-03-15" → "199003150000"; unknown day or month → 00 ("1990" → "199000000000"), hours always 0000."""
    parts = [*partial.split("-"), "00", "00"]
    return f"{parts[0]}{parts[1]:0>2}{parts[2]:0>2}0000"


def build(opening: c.VisitOpening, opened: c.OpenedVisit, patient: c.HisPatient, facility_code: str,
          ordered_at: datetime) -> CheckInRecord:  # fmt: skip
    """The record of a visit the HIS opened: the HIS's visit code (MA_LK), patient code and category, the card
    check made at the kiosk, the exam ordered as the first cost."""
    card = opening.entitlement if opening.visit_type == "bhyt" else None
    service = opened.exam_service
    return CheckInRecord(
        MA_LK=opened.visit_code,
        MA_BN=patient.patient_code,
        HO_TEN=patient.full_name,
        SO_CCCD=patient.id_number or "",
        NGAY_SINH=birth(patient.date_of_birth),
        GIOI_TINH={"male": "1", "female": "2"}.get(patient.sex.value if patient.sex else "", "3"),
        MA_THE_BHYT=(card.card_code or "") if card else "",
        MA_DKBD=(card.registered_facility_code or "") if card else "",
        GT_THE_TU=card.valid_from.strftime("%Y%m%d") if card and card.valid_from else "",
        GT_THE_DEN=card.valid_to.strftime("%Y%m%d") if card and card.valid_to else "",
        MA_DOITUONG_KCB=opened.patient_category or "",
        NGAY_VAO=moment(opening.arrived_at),
        MA_CSKCB=facility_code,
        MA_DICH_VU=service.code if service else "",
        TEN_DICH_VU=service.name if service else "",
        NGAY_YL=moment(max(ordered_at, opening.arrived_at)),
    )


def _valid_moment(text: str, *, birth_date: bool = False) -> bool:
    if not _MOMENT.match(text):
        return False
    month, day, hour, minute = int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12])
    if birth_date and (month == 0 or day == 0):
        return day == 0 and hour == 0 and minute == 0  # a partly known birth date: unknown parts are 00
    try:
        datetime(int(text[:4]), month, day, hour, minute)  # noqa: DTZ001 - only the calendar is checked
    except ValueError:
        return False
    return True


def problems(r: CheckInRecord, bhyt: bool) -> list[Problem]:
    """Every rule of the table the record breaks (empty: valid)."""
    found: list[Problem] = []

    def need(ok: bool, element: str, rule: str) -> None:
        if not ok:
            found.append(Problem(element, rule))

    values = r.model_dump()
    for element, size in FIELDS:
        need(len(values[element]) <= size, element, f"longer than {size}")
    for element in ("MA_LK", "MA_BN", "HO_TEN", "MA_DOITUONG_KCB", "MA_CSKCB", "MA_LOAI_KCB"):
        need(bool(values[element].strip()), element, "required")
    need(r.STT.isdigit() and int(r.STT) >= 1, "STT", "a number from 1")
    need(r.SO_CCCD == "" or bool(re.fullmatch(r"\d{9}|\d{12}|[A-Z]\d{7}", r.SO_CCCD)), "SO_CCCD",
         "12 digits (CCCD), 9 (CMND) or a passport number")  # fmt: skip
    need(_valid_moment(r.NGAY_SINH, birth_date=True), "NGAY_SINH", "yyyyMMddHHmm (unknown day/month 00)")
    need(r.GIOI_TINH in ("1", "2", "3"), "GIOI_TINH", "1 nam, 2 nữ, 3 chưa xác định")
    need(bool(re.fullmatch(r"\d{1,2}(\.\d{1,2})?", r.MA_DOITUONG_KCB)), "MA_DOITUONG_KCB", "a category code like 1.1")
    need(r.MA_DOITUONG_KCB != EMERGENCY, "MA_DOITUONG_KCB", "emergency visits send no check-in")
    need(bool(re.fullmatch(r"\d{2}", r.MA_LOAI_KCB)), "MA_LOAI_KCB", "two digits, e.g. 01")
    need(len(r.MA_CSKCB) == 5, "MA_CSKCB", "5 characters")
    need(_valid_moment(r.NGAY_VAO), "NGAY_VAO", "yyyyMMddHHmm")
    need(_valid_moment(r.NGAY_YL) and r.NGAY_YL >= r.NGAY_VAO, "NGAY_YL", "yyyyMMddHHmm, not before NGAY_VAO")
    if r.NGAY_VAO_NOI_TRU:
        need(_valid_moment(r.NGAY_VAO_NOI_TRU) and r.NGAY_VAO_NOI_TRU >= r.NGAY_VAO, "NGAY_VAO_NOI_TRU",
             "yyyyMMddHHmm, not before NGAY_VAO")  # fmt: skip
        need(bool(r.LY_DO_VNT.strip()), "LY_DO_VNT", "required with NGAY_VAO_NOI_TRU")
    need(bool(r.MA_DICH_VU or r.MA_THUOC or r.MA_VAT_TU), "MA_DICH_VU", "the first cost: a service, drug or supply")
    need(not r.MA_DICH_VU or bool(r.TEN_DICH_VU), "TEN_DICH_VU", "required with MA_DICH_VU")
    if bhyt:
        need(len(r.MA_THE_BHYT) in (10, 15), "MA_THE_BHYT", "the card code (15) or number (10)")
        need(len(r.MA_DKBD) == 5, "MA_DKBD", "5 characters")
        need(bool(_DAY.match(r.GT_THE_TU)), "GT_THE_TU", "yyyyMMdd")
        need(r.GT_THE_DEN == "" or (bool(_DAY.match(r.GT_THE_DEN)) and r.GT_THE_DEN >= r.GT_THE_TU), "GT_THE_DEN",
             "yyyyMMdd, not before GT_THE_TU")  # fmt: skip
    return found


def validate(r: CheckInRecord, bhyt: bool) -> None:
    found = problems(r, bhyt)
    if found:
        raise CheckInInvalidError(found)


def to_xml(r: CheckInRecord) -> bytes:
    """The XML0 file: one record, the facility signature element left empty (see docs/his-integration.md)."""
    root = ET.Element(ROOT)
    item = ET.SubElement(ET.SubElement(root, LIST), ITEM)
    values = r.model_dump()
    for element, _size in FIELDS:
        ET.SubElement(item, element).text = values[element]
    ET.SubElement(root, SIGNATURE)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
