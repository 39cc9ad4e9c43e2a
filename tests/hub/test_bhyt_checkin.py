"""The BHYT check-in record (XML0): built from a kiosk check-in, checked against the table's rules, sent to the
loopback BHXH gateway in its submission format when switched on (off by default), kept until the gateway takes it."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from kiosk_hub.bhxh import checkin
from kiosk_hub.bhxh.demo_cards import card_for_result
from kiosk_hub.bhxh.simulator import SimulatedGateway
from kiosk_hub.his import contract as c
from kiosk_hub.his.models import BhytCheckIn
from tests.hub.conftest import FakeClock, HisHub, open_his_hub
from tests.support.reference_his import ReferenceHis

ARRIVED = datetime(2026, 12, 7, 0, 45, tzinfo=UTC)  # 07:45 in Hà Nội


def opening(**entitlement: object) -> c.VisitOpening:
    card = {
        "checked_at": ARRIVED,
        "result_code": "000",
        "card_code": "DN4010190012345",
        "registered_facility_code": "01043",
        "valid_from": date(2026, 1, 1),
        "valid_to": date(2026, 12, 31),
    }
    return c.VisitOpening(
        visit_ref="3f0b6c1e-8a57-4a8e-9d0e-5c1f2a7b9e10", patient_id="BN1", department_id="NOI", visit_type="bhyt",
        queue_number=12, display_number="0012", ticket_id="t-1", arrived_at=ARRIVED,
        entitlement=c.EntitlementRecord.model_validate({**card, **entitlement}),
    )  # fmt: skip


OPENED = c.OpenedVisit(visit_code="KB2026120700042", patient_id="BN1", patient_category="1.1",
                       exam_service=c.ExamService(code="02.1896", name="Khám Nội"))  # fmt: skip
PATIENT = c.HisPatient(patient_id="BN1", patient_code="BN0001234", full_name="Nguyễn Văn An",
                       date_of_birth="1990-03-15", sex="male", id_number="001090012345")  # fmt: skip


def test_a_kiosk_check_in_makes_a_valid_record_in_the_tables_order() -> None:
    record = checkin.build(opening(), OPENED, PATIENT, "01043", ARRIVED + timedelta(minutes=1))
    assert checkin.problems(record, bhyt=True) == []
    root = ET.fromstring(checkin.to_xml(record))
    assert root.tag == "CHI_TIEU_TRANG_THAI_KCB"
    (row,) = root.findall("./DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")
    assert [child.tag for child in row] == [name for name, _ in checkin.FIELDS]
    values = {child.tag: child.text or "" for child in row}
    assert values["HO_TEN"] == "Nguyễn Văn An"
    assert (values["NGAY_VAO"], values["NGAY_YL"]) == ("202612070745", "202612070746")  # Vietnam's time
    assert (values["NGAY_SINH"], values["GIOI_TINH"], values["MA_LOAI_KCB"]) == ("199003150000", "1", "01")
    assert (values["GT_THE_TU"], values["GT_THE_DEN"], values["MA_DKBD"]) == ("20260101", "20261231", "01043")
    assert (values["MA_LK"], values["MA_BN"], values["MA_DICH_VU"]) == ("KB2026120700042", "BN0001234", "02.1896")
    assert root.find("CHUKYDONVI") is not None


@pytest.mark.parametrize(
    ("change", "element"),
    [
        ({"MA_DOITUONG_KCB": "2"}, "MA_DOITUONG_KCB"),  # emergency: no check-in
        ({"MA_DOITUONG_KCB": ""}, "MA_DOITUONG_KCB"),  # the HIS gave no category
        ({"NGAY_YL": "202612070700"}, "NGAY_YL"),  # ordered before arrival
        ({"NGAY_VAO": "202613070745"}, "NGAY_VAO"),  # month 13
        ({"MA_DICH_VU": "", "TEN_DICH_VU": ""}, "MA_DICH_VU"),  # no first cost
        ({"MA_THE_BHYT": "DN40101900"[:9]}, "MA_THE_BHYT"),
        ({"GT_THE_DEN": "20251231"}, "GT_THE_DEN"),  # ends before it starts
        ({"NGAY_VAO_NOI_TRU": "202612071000"}, "LY_DO_VNT"),  # admitted without a reason
        ({"SO_CCCD": "00109001234"}, "SO_CCCD"),  # 11 digits
        ({"GIOI_TINH": "0"}, "GIOI_TINH"),  # a vendor's 0/1 convention leaking through
        ({"MA_CSKCB": "1043"}, "MA_CSKCB"),
        ({"HO_TEN": "A" * 256}, "HO_TEN"),
    ],
)
def test_each_rule_of_the_table_is_checked(change: dict[str, str], element: str) -> None:
    record = checkin.build(opening(), OPENED, PATIENT, "01043", ARRIVED).model_copy(update=change)
    assert element in {p.element for p in checkin.problems(record, bhyt=True)}
    with pytest.raises(checkin.CheckInInvalidError):
        checkin.validate(record, bhyt=True)


@pytest.mark.parametrize(("partial", "text"), [("1990", "199000000000"), ("1990-03", "199003000000")])
def test_a_partly_known_birth_date_is_written_as_the_table_says(partial: str, text: str) -> None:
    patient = PATIENT.model_copy(update={"date_of_birth": partial})
    record = checkin.build(opening(), OPENED, patient, "01043", ARRIVED)
    assert text == record.NGAY_SINH
    assert checkin.problems(record, bhyt=True) == []


def test_a_fee_paying_visit_carries_no_card() -> None:
    fee = opening().model_copy(update={"visit_type": "fee"})
    record = checkin.build(fee, OPENED, PATIENT, "01043", ARRIVED)
    assert (record.MA_THE_BHYT, record.MA_DKBD, record.GT_THE_TU) == ("", "", "")
    assert checkin.problems(record, bhyt=False) == []


async def bhyt_visit(h: HisHub) -> str:
    card = card_for_result("000")
    patient = (await h.client.post("/api/v1/patients", json={
        "full_name": card.full_name, "date_of_birth": card.iso_date_of_birth, "id_number": card.id_number,
        "bhyt_code": card.card_code})).json()  # fmt: skip
    check = {"card_code": card.card_code, "full_name": card.full_name, "date_of_birth": card.iso_date_of_birth,
             "patient_id": patient["id"]}  # fmt: skip
    assert (await h.client.post("/api/v1/entitlement/check", json=check)).json()["bhxh_code"] == "000"
    body = {"department_id": "NOI", "patient_id": patient["id"], "visit_type": "bhyt"}
    ticket = await h.client.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": "bhyt-1"})
    assert ticket.status_code == 201
    await asyncio.to_thread(h.hub.visits.run_round)
    return str(card.card_code)


async def test_it_is_off_by_default(his_hub: HisHub, gateway: SimulatedGateway) -> None:
    assert his_hub.hub.checkins is None
    await bhyt_visit(his_hub)
    assert gateway.checkins == []


async def test_switched_on_the_gateway_receives_one_record_per_visit(
    sqlite_url: str, clock: FakeClock, gateway_url: str, gateway: SimulatedGateway,
    reference_his: tuple[ReferenceHis, str],
) -> None:  # fmt: skip
    his, url = reference_his
    clock.now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    async with open_his_hub(sqlite_url, clock, gateway_url, his, url, send_bhyt_checkin=True) as h:
        assert h.hub.checkins is not None
        card_code = await bhyt_visit(h)
        gateway.faults.down = True
        assert await h.hub.checkins.send_pending(h.hub.bhxh) == 0  # kept while the gateway is away
        gateway.faults.down = False
        assert await h.hub.checkins.send_pending(h.hub.bhxh) == 1
        assert await h.hub.checkins.send_pending(h.hub.bhxh) == 0  # sent once
        with h.hub.reader() as session:
            (row,) = session.scalars(select(BhytCheckIn)).all()
    (received,) = gateway.checkins
    (visit_code,) = [v.visit_code for v in his.visits.values()]
    assert (received["MA_LK"], received["MA_THE_BHYT"], received["MA_CSKCB"]) == (visit_code, card_code, "01043")
    assert received["NGAY_VAO"] == "202611230900"
    assert (row.state, row.result_code, row.xml) == ("sent", "200", None)  # only the receipt stays
    assert row.transaction_code
