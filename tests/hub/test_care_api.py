"""Departments, patients, entitlement, appointments, auth and the error format over the in-process ASGI stack."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from kiosk_hub.bhxh.client import password_md5
from kiosk_hub.bhxh.demo_cards import card_for_result
from kiosk_hub.bhxh.simulator import SimulatedGateway
from kiosk_hub.db.models import Patient
from tests.hub.conftest import FACILITY_PASSWORD, FakeClock, HubUnderTest

REPO = Path(__file__).resolve().parents[2]


async def test_departments_list_rooms_hours_and_queue(hub_api: HubUnderTest) -> None:
    body = (await hub_api.client.get("/api/v1/departments")).json()
    by_id = {d["id"]: d for d in body["departments"]}
    assert by_id["NOI"]["name"] == {"vi": "Khoa Nội tổng hợp", "en": "Internal Medicine"}
    assert [r["id"] for r in by_id["NOI"]["rooms"]] == ["NOI-01", "NOI-02", "NOI-03"]
    assert by_id["NOI"]["open_now"] is True  # Monday 09:00 local
    assert by_id["CC"]["lane_policy"] == "strict"
    assert by_id["KKB"]["priority_every"] == 3
    for i in range(4):
        await hub_api.client.post("/api/v1/tickets", json={"department_id": "NOI"}, headers={"Idempotency-Key": str(i)})
    noi = next(d for d in (await hub_api.client.get("/api/v1/departments")).json()["departments"] if d["id"] == "NOI")
    assert noi["queue_length"] == 4
    assert noi["wait_estimate_minutes"] == 11  # 4 ahead x 8 min over 3 rooms, rounded up


async def test_departments_close_out_of_hours(hub_api: HubUnderTest, clock: FakeClock) -> None:
    clock.now = clock.now.replace(hour=14)  # 21:00 in Hà Nội
    deps = {d["id"]: d for d in (await hub_api.client.get("/api/v1/departments")).json()["departments"]}
    assert deps["NOI"]["open_now"] is False
    assert deps["CC"]["open_now"] is True


async def test_patient_lookup_by_each_identifier(hub_api: HubUnderTest) -> None:
    card = card_for_result("000")
    for kind, value in [
        ("cccd", card.id_number),
        ("bhxh_number", card.bhxh_number),
        ("bhyt_code", card.card_code),
        ("patient_code", "BN00000001"),
    ]:
        response = await hub_api.client.post("/api/v1/patients/lookup", json={"kind": kind, "value": value})
        assert response.status_code == 200, kind
        patient = response.json()
        assert patient["full_name"] == card.full_name
        assert patient["id_number_masked"].endswith(card.id_number[-4:])
        assert card.id_number not in json.dumps(patient)
    missing = await hub_api.client.post("/api/v1/patients/lookup", json={"kind": "cccd", "value": "001099999999"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "patient_not_found"


async def test_registration_is_retry_safe(hub_api: HubUnderTest) -> None:
    new = {"full_name": "Trần Văn Mới", "date_of_birth": "1990-05-01", "sex": "male", "id_number": "001090123456"}
    first = await hub_api.client.post("/api/v1/patients", json=new)
    assert first.status_code == 201
    again = await hub_api.client.post("/api/v1/patients", json=new)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    impostor = await hub_api.client.post("/api/v1/patients", json={**new, "full_name": "Lê Thị Khác"})
    assert impostor.status_code == 409
    assert impostor.json()["code"] == "patient_identity_conflict"
    nothing = await hub_api.client.post("/api/v1/patients", json={"full_name": "A", "date_of_birth": "1990"})
    assert nothing.status_code == 422


async def test_entitlement_check_through_the_gateway(hub_api: HubUnderTest) -> None:
    card = card_for_result("004")
    body = {"card_code": card.card_code, "full_name": card.full_name, "date_of_birth": card.iso_date_of_birth}
    response = await hub_api.client.post("/api/v1/entitlement/check", json=body)
    assert response.status_code == 200
    result = response.json()
    assert result["action"] == "use_new_card" or result["action"] == "proceed"
    assert result["bhxh_code"] == "004"
    assert result["card_code"] == card.new_card_code
    assert result["new_card_applied"] is True


async def test_check_in_only_inside_the_window(hub_api: HubUnderTest, clock: FakeClock) -> None:
    booking = (await hub_api.client.get("/api/v1/appointments/DEMO-NOW")).json()
    assert booking["status"] == "booked"
    assert booking["room"]["id"] == "NOI-01"
    later = await hub_api.client.post("/api/v1/appointments/DEMO-TOMORROW/check-in")
    assert later.status_code == 409
    assert later.json()["code"] == "check_in_too_early"
    checked = await hub_api.client.post("/api/v1/appointments/DEMO-NOW/check-in")
    assert checked.status_code == 200
    assert checked.json()["appointment"]["status"] == "checked_in"
    ticket = checked.json()["ticket"]
    assert ticket["department_id"] == "NOI"
    retry = await hub_api.client.post("/api/v1/appointments/DEMO-NOW/check-in")
    assert retry.json()["ticket"]["id"] == ticket["id"]
    clock.now += timedelta(days=1, hours=2)
    too_late = await hub_api.client.post("/api/v1/appointments/DEMO-TOMORROW/check-in")
    assert too_late.status_code == 409
    assert too_late.json()["code"] == "check_in_too_late"
    assert (await hub_api.client.get("/api/v1/appointments/NOPE")).status_code == 404


async def test_the_appointment_answer_names_the_patient_for_the_ticket_without_the_full_id(
    hub_api: HubUnderTest,
) -> None:
    response = await hub_api.client.get("/api/v1/appointments/DEMO-NOW")
    booking = response.json()
    with hub_api.hub.reader() as session:
        patient = session.get(Patient, booking["patient_id"])
        assert patient is not None
        full_name, born, id_number = patient.full_name, patient.date_of_birth, patient.id_number
    assert booking["patient_name"] == full_name
    assert booking["patient_birth_year"] == int(born[:4])
    assert id_number is not None
    assert booking["patient_id_masked"].endswith(id_number[-4:])
    assert id_number not in response.text  # masked at most, never the full number
    checked = (await hub_api.client.post("/api/v1/appointments/DEMO-NOW/check-in")).json()
    assert checked["appointment"]["patient_name"] == full_name


async def test_every_api_call_needs_a_valid_kiosk_token(hub_api: HubUnderTest) -> None:
    transport = hub_api.client._transport
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as anonymous:
        for headers in ({}, {"Authorization": "Bearer kh_wrong"}, {"Authorization": "Basic abc"}):
            response = await anonymous.get("/api/v1/departments", headers=headers)
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "unauthorized"


async def test_oversized_and_unknown_requests_get_clean_problems(hub_api: HubUnderTest) -> None:
    big = await hub_api.client.post(
        "/api/v1/patients", content=b"[" + b"1," * 50_000 + b"1]", headers={"Content-Type": "application/json"}
    )
    assert big.status_code == 413
    assert big.json()["code"] == "payload_too_large"

    async def chunks():  # no Content-Length: the limit must hold on a streamed body too
        for _ in range(100):
            yield b"x" * 1024

    streamed = await hub_api.client.post("/api/v1/patients", content=chunks())
    assert streamed.status_code == 413
    unknown = await hub_api.client.get("/api/v1/nothing-here")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_the_committed_openapi_document_is_what_the_hub_serves(hub_api: HubUnderTest) -> None:
    served = (await hub_api.client.get("/openapi.json")).json()
    committed = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert served == committed, "regenerate docs/openapi.json: python -m kiosk_hub.cli openapi > docs/openapi.json"


async def test_no_personal_data_reaches_the_logs(
    hub_api: HubUnderTest, gateway: SimulatedGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    card = card_for_result("000")
    new = {"full_name": "Trần Văn Riêng", "date_of_birth": "1990-05-01", "id_number": "001090765432"}
    await hub_api.client.post("/api/v1/patients", json=new)
    await hub_api.client.post("/api/v1/patients/lookup", json={"kind": "cccd", "value": card.id_number})
    body = {"card_code": card.card_code, "full_name": card.full_name, "date_of_birth": card.iso_date_of_birth}
    assert (await hub_api.client.post("/api/v1/entitlement/check", json=body)).json()["bhxh_code"] == "000"
    gateway.faults.down = True  # the outage path logs a warning
    assert (await hub_api.client.post("/api/v1/entitlement/check", json=body)).json()["to_recheck"] is True
    await hub_api.client.post("/api/v1/patients", json={**new, "id_number": "12"})  # a validation failure
    assert any(r.name.startswith("kiosk_hub") for r in caplog.records)  # the hub did log something
    text = caplog.text
    secrets = (card.id_number, card.card_code, card.full_name, new["full_name"], new["id_number"])
    credentials = (FACILITY_PASSWORD, password_md5(FACILITY_PASSWORD, uppercase=False))
    for secret in (*secrets, *credentials):
        assert secret not in text
