"""The BHXH client against the loopback gateway simulator over real HTTP: tokens, every result code, outages."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from kiosk.domain.entitlement import EntitlementAction, result_for_code
from kiosk_hub import wire
from kiosk_hub.app import create_app
from kiosk_hub.bhxh.client import BhxhClient
from kiosk_hub.bhxh.demo_cards import DEMO_CARDS, card_for_result
from kiosk_hub.bhxh.simulator import SimulatedGateway
from kiosk_hub.db.engine import make_engine, session_factories
from kiosk_hub.db.models import EntitlementRecheck
from kiosk_hub.entitlement import EntitlementChecker
from kiosk_hub.hub import build_hub
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import bhxh_settings, enrol, seed
from tests.hub.servers import serve_in_thread

TODAY = date(2026, 11, 23)


def request_for(card_code: str, name: str, iso_dob: str) -> wire.EntitlementRequest:
    return wire.EntitlementRequest(card_code=card_code, full_name=name, date_of_birth=iso_dob, patient_id="p-1")


@pytest.fixture
async def checker(gateway_url: str, sqlite_url: str) -> EntitlementChecker:
    async with httpx.AsyncClient() as http:
        _reader, writer = session_factories(make_engine(sqlite_url))
        client = BhxhClient(bhxh_settings(gateway_url, timeout=0.5), http)
        yield EntitlementChecker(client, writer, "01043", cards_on_file=lambda _patient: [])  # no patient on file here


async def check(checker: EntitlementChecker, card_code: str) -> wire.Entitlement:
    card = next(c for c in DEMO_CARDS if c.result_code == card_code)
    return await checker.check(request_for(card.card_code, card.full_name, card.iso_date_of_birth), TODAY)


@pytest.mark.parametrize("code", sorted({c.result_code for c in DEMO_CARDS}))
async def test_every_gateway_result_maps_to_the_domain_action(checker: EntitlementChecker, code: str) -> None:
    result = await check(checker, code)
    assert result.bhxh_code == code
    expected = result_for_code(code)
    if code == "010":
        assert result.valid_today is False
    assert result.action == expected.action
    assert result.message_key == expected.message_key
    assert result.to_recheck is (code in ("100", "101", "500"))


async def test_a_valid_card_is_described_for_the_kiosk(checker: EntitlementChecker) -> None:
    result = await check(checker, "000")
    card = card_for_result("000")
    assert result.action is EntitlementAction.PROCEED
    assert result.card_code == card.card_code
    assert (result.benefit_level, result.benefit_percent) == (4, 80)
    assert (result.valid_from, result.valid_to, result.valid_today) == (date(2026, 1, 1), date(2026, 12, 31), True)
    assert result.registered_facility_code == "01001"  # this demo card is registered at another hospital
    assert result.registered_here is False
    assert result.five_year_date == date(2024, 1, 1)
    local = DEMO_CARDS[1]
    here = await checker.check(request_for(local.card_code, local.full_name, local.iso_date_of_birth), TODAY)
    assert (here.registered_facility_code, here.registered_here) == ("01043", True)
    assert (here.benefit_level, here.benefit_percent) == (3, 95)


@pytest.mark.parametrize("code", ["003", "004"])
async def test_a_reissued_card_answers_with_the_new_card(checker: EntitlementChecker, code: str) -> None:
    result = await check(checker, code)
    card = card_for_result(code)
    assert result.new_card_applied is True
    assert result.card_code == card.new_card_code != card.card_code
    assert (result.valid_from, result.valid_to) == (date(2026, 1, 1), date(2027, 12, 31))
    assert result.valid_today is True


async def test_a_wrong_name_or_date_answers_the_gateway_value_for_one_retry(checker: EntitlementChecker) -> None:
    card = card_for_result("000")
    wrong_name = await checker.check(request_for(card.card_code, "Nguyễn Văn Sai", card.iso_date_of_birth), TODAY)
    assert wrong_name.bhxh_code == "060"
    assert wrong_name.action is EntitlementAction.RETRY_ONCE
    assert wrong_name.gateway_full_name == card.full_name
    wrong_date = await checker.check(request_for(card.card_code, card.full_name, "1985-03-16"), TODAY)
    assert wrong_date.bhxh_code == "070"
    assert wrong_date.gateway_date_of_birth == card.iso_date_of_birth
    by_year = await checker.check(request_for(card.card_code, card.full_name, card.iso_date_of_birth[:4]), TODAY)
    assert by_year.bhxh_code == "000"


async def test_one_token_serves_many_checks_and_an_expired_one_is_renewed(
    checker: EntitlementChecker, gateway: SimulatedGateway
) -> None:
    for _ in range(3):
        assert (await check(checker, "000")).bhxh_code == "000"
    assert gateway.token_requests == 1
    gateway.expire_tokens()  # the gateway answers 401 to the cached token
    assert (await check(checker, "000")).bhxh_code == "000"
    assert gateway.token_requests == 2


async def test_a_short_lived_token_is_renewed_before_it_expires(
    checker: EntitlementChecker, gateway: SimulatedGateway
) -> None:
    gateway.faults.token_lifetime = timedelta(seconds=30)  # inside the client's 60 s margin
    await check(checker, "000")
    await check(checker, "000")
    assert gateway.token_requests == 2
    assert gateway.card_checks == 2  # no wasted call with a token about to expire


async def recheck_rows(checker: EntitlementChecker) -> list[EntitlementRecheck]:
    with checker._writer() as session:
        return list(session.scalars(select(EntitlementRecheck)))


async def test_gateway_down_registers_the_patient_and_queues_a_recheck(
    checker: EntitlementChecker, gateway: SimulatedGateway
) -> None:
    gateway.faults.down = True
    result = await check(checker, "000")
    assert result.action is EntitlementAction.REGISTER_AND_RECHECK
    assert result.to_recheck is True
    assert result.bhxh_code is None
    assert [r.done for r in await recheck_rows(checker)] == [False]
    assert await checker.recheck_pending() == 0  # still down: nothing answered, nothing lost
    gateway.faults.down = False
    assert await checker.recheck_pending() == 1
    rows = await recheck_rows(checker)
    assert [(r.done, r.last_code) for r in rows] == [(True, "000")]


async def test_a_slow_gateway_times_out_into_register_and_recheck(
    checker: EntitlementChecker, gateway: SimulatedGateway
) -> None:
    gateway.faults.delay_seconds = 1.5  # the client waits 0.5 s
    result = await check(checker, "000")
    assert result.action is EntitlementAction.REGISTER_AND_RECHECK
    assert len(await recheck_rows(checker)) == 1


async def test_an_unreachable_gateway_is_register_and_recheck(sqlite_url: str) -> None:
    async with httpx.AsyncClient() as http:
        _reader, writer = session_factories(make_engine(sqlite_url))
        client = BhxhClient(bhxh_settings("http://127.0.0.1:9", timeout=0.5), http)  # discard port: refused
        result = await EntitlementChecker(client, writer, "01043", cards_on_file=lambda _patient: []).check(
            request_for("DN4010000000001", "A", "1990"), TODAY
        )
    assert result.action is EntitlementAction.REGISTER_AND_RECHECK


async def test_a_refused_facility_password_is_a_configuration_fault(gateway_url: str, sqlite_url: str) -> None:
    settings = bhxh_settings(gateway_url).model_copy(update={"password": SecretStr("sai-mật-khẩu")})
    async with httpx.AsyncClient() as http:
        _reader, writer = session_factories(make_engine(sqlite_url))
        checker = EntitlementChecker(BhxhClient(settings, http), writer, "01043", cards_on_file=lambda _patient: [])
        result = await checker.check(request_for("DN4010000000001", "A", "1990"), TODAY)
    assert result.action is EntitlementAction.CONFIGURATION_FAULT
    assert result.to_recheck is False


async def test_the_serving_hub_rechecks_in_the_background(
    gateway: SimulatedGateway, gateway_url: str, sqlite_url: str
) -> None:
    settings = HubSettings(database_url=sqlite_url, bhxh=bhxh_settings(gateway_url), recheck_interval_seconds=0.2)
    hub = build_hub(settings)
    seed(hub)
    token = enrol(hub)
    card = card_for_result("000")
    body = {"card_code": card.card_code, "full_name": card.full_name, "date_of_birth": card.iso_date_of_birth}
    gateway.faults.down = True
    with serve_in_thread(create_app(hub), lifespan="on") as url:
        async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
            answer = (await client.post("/api/v1/entitlement/check", json=body)).json()
            assert answer["action"] == "register_and_recheck"
            gateway.faults.down = False
            for _ in range(50):
                with hub.reader() as session:
                    rows = list(session.scalars(select(EntitlementRecheck)))
                if rows and rows[0].done:
                    break
                await asyncio.sleep(0.1)
    hub.engine.dispose()
    assert [(r.done, r.last_code) for r in rows] == [(True, "000")]
