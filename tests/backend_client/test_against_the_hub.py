"""The HIS client against the real hub app (in-process ASGI) and its BHXH simulator: the contract, end to end."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.backend_client.client import HisClient
from kiosk.backend_client.errors import HisAuthError, HisResponseError
from kiosk.domain.dates import parse_iso_partial_date as dob
from kiosk.domain.entitlement import EntitlementAction
from kiosk.domain.ticket import Lane, VisitType
from kiosk.embedded_hub import EmbeddedHub
from kiosk.flow.records import IdentifierKind, IdentitySource, PresentedIdentity, TicketOrder
from kiosk_hub.bhxh.demo_cards import card_for_result


async def test_departments_carry_names_in_both_languages_and_the_queue(client: HisClient) -> None:
    departments = await client.departments()
    assert len(departments) >= 5
    emergency = next(d for d in departments if d.id == "CC")
    assert emergency.open_now
    assert emergency.name.vi == "Khoa Cấp cứu"
    assert emergency.name.en == "Emergency"
    assert all(d.queue_length >= 0 and d.wait_estimate_minutes >= 0 for d in departments)


async def test_a_known_patient_is_found_by_citizen_id_with_the_id_masked(client: HisClient) -> None:
    card = card_for_result("000")
    found = await client.find_patient(IdentifierKind.CCCD, card.id_number)
    assert found is not None
    assert (found.full_name, found.date_of_birth) == (card.full_name, dob(card.iso_date_of_birth))
    assert found.id_number_masked is not None
    assert found.id_number_masked.endswith(card.id_number[-4:])
    assert card.id_number not in found.id_number_masked


async def test_a_lookup_answer_carries_no_card_number_nor_the_full_id(hub: EmbeddedHub) -> None:
    """What goes over the wire, not what the client keeps of it: the hub holds the cards back."""
    card = card_for_result("000")
    answer = await hub.client.post(
        "/api/v1/patients/lookup",
        json={"kind": "cccd", "value": card.id_number},
        headers={"Authorization": f"Bearer {hub.token}"},
    )
    assert answer.status_code == 200
    assert set(answer.json()) == {"id", "full_name", "date_of_birth", "id_number_masked"}
    for secret in (card.card_code, card.card_code[-10:], card.id_number):
        assert secret not in answer.text


async def test_an_unknown_patient_is_none_not_an_error(client: HisClient) -> None:
    assert await client.find_patient(IdentifierKind.CCCD, "079199000123") is None


async def test_registering_twice_returns_the_same_patient(client: HisClient) -> None:
    new = PresentedIdentity(
        source=IdentitySource.CCCD_QR,
        lookup_kind=IdentifierKind.CCCD,
        lookup_value="079199000123",
        full_name="Trương Thị Mới",
        date_of_birth=dob("1999-01-02"),
        sex="female",
        id_number="079199000123",
    )
    first = await client.register_patient(new)
    second = await client.register_patient(new)
    assert first.id == second.id
    assert await client.find_patient(IdentifierKind.CCCD, "079199000123") == first


@pytest.mark.parametrize(
    ("code", "action"),
    [
        ("000", EntitlementAction.PROCEED),
        ("004", EntitlementAction.USE_NEW_CARD),
        ("010", EntitlementAction.FEE_OR_DESK),
        ("054", EntitlementAction.CONFIGURATION_FAULT),
        ("070", EntitlementAction.RETRY_ONCE),
        ("500", EntitlementAction.REGISTER_AND_RECHECK),
    ],
)
async def test_the_gateways_answers_arrive_as_flow_records(
    client: HisClient, code: str, action: EntitlementAction
) -> None:
    card = card_for_result(code)
    answer = await client.check_entitlement(card.card_code, card.full_name, dob(card.iso_date_of_birth), None)
    assert answer.action == action
    assert answer.bhxh_code in (code, None)
    if code == "000":
        assert answer.valid_today is True
        assert answer.benefit_percent is not None
    if code == "070":
        assert answer.gateway_date_of_birth is not None


async def test_a_gateway_outage_is_register_and_recheck(hub: EmbeddedHub, client: HisClient) -> None:
    hub.gateway.faults.down = True
    card = card_for_result("000")
    answer = await client.check_entitlement(card.card_code, card.full_name, dob(card.iso_date_of_birth), None)
    assert (answer.action, answer.to_recheck) == (EntitlementAction.REGISTER_AND_RECHECK, True)


async def test_a_ticket_order_retried_with_its_key_returns_the_same_ticket(client: HisClient) -> None:
    card = card_for_result("000")
    patient = await client.find_patient(IdentifierKind.CCCD, card.id_number)
    assert patient is not None
    order = TicketOrder("NOI", patient.id, Lane.NORMAL, VisitType.BHYT, idempotency_key="k-1")
    first = await client.issue_ticket(order)
    again = await client.issue_ticket(order)
    assert (again.id, again.number) == (first.id, first.number)
    assert not first.reprint
    assert again.reprint
    assert first.department_name.vi == "Khoa Nội tổng hợp"
    assert first.status_url.startswith("http")


async def test_the_same_patient_the_same_day_gets_the_existing_ticket(client: HisClient) -> None:
    card = card_for_result("000")
    patient = await client.find_patient(IdentifierKind.CCCD, card.id_number)
    assert patient is not None
    order = TicketOrder("NOI", patient.id, Lane.NORMAL, VisitType.BHYT, idempotency_key="k-1")
    first = await client.issue_ticket(order)
    second = await client.issue_ticket(replace(order, idempotency_key="k-2"))
    assert second.number == first.number
    assert second.reprint


async def test_a_refused_token_is_an_auth_error(hub: EmbeddedHub) -> None:
    client = HisClient(hub.client, token="kh_not-a-token")
    with pytest.raises(HisAuthError) as caught:
        await client.departments()
    assert (caught.value.status, caught.value.message_key) == (401, "hub.kiosk_not_enrolled")


async def test_an_unknown_department_is_a_problem_with_a_message_key(client: HisClient) -> None:
    order = TicketOrder("NOPE", "P-x", Lane.NORMAL, VisitType.FEE, idempotency_key="k-9")
    with pytest.raises(HisResponseError) as caught:
        await client.issue_ticket(order)
    assert caught.value.status in (404, 422)
    assert caught.value.message_key.startswith("hub.")
