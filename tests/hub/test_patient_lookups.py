"""Patient lookups by kiosks: only what the kiosk needs, a per-kiosk allowance (a burst, then 429 with Retry-After,
also across hub processes), an access log with a keyed hash of the identifier and never the number, and the card
fallback that now happens on the hub."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, text

from kiosk.backend_client.client import HisClient
from kiosk.backend_client.errors import HisRateLimitedError
from kiosk.demo.devices import chip_identity, demo_card
from kiosk.domain.dates import VN_TZ
from kiosk.flow.events import CardPresented
from kiosk.flow.fakes import FakePrinter
from kiosk.flow.records import IdentifierKind
from kiosk.flow.service import FlowService
from kiosk.flow.state import Step
from kiosk.flow.transition import FlowConfig
from kiosk.i18n.catalogue import translate
from kiosk_hub.access.keys import default_key_path
from kiosk_hub.access.models import PatientLookupEntry
from kiosk_hub.bhxh.demo_cards import card_for_result
from kiosk_hub.db.models import Patient
from kiosk_hub.hub import build_hub
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import FakeClock, HubUnderTest, enrol, seed
from tests.hub.servers import hub_process

CARD = card_for_result("000")


async def look_up(client: httpx.AsyncClient, value: str = CARD.id_number, kind: str = "cccd") -> httpx.Response:
    return await client.post("/api/v1/patients/lookup", json={"kind": kind, "value": value})


async def test_a_burst_of_lookups_then_429_with_retry_after_then_one_more_after_the_wait(
    hub_api: HubUnderTest, clock: FakeClock
) -> None:
    answers = [await look_up(hub_api.client) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    refused = await look_up(hub_api.client)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert refused.json()["message_key"] == "hub.rate_limited"
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 12
    assert CARD.full_name not in refused.text
    clock.now += timedelta(seconds=wait)
    assert (await look_up(hub_api.client)).status_code == 200  # refilled: one more
    assert (await look_up(hub_api.client)).status_code == 429


async def test_each_kiosk_has_its_own_allowance(hub_api: HubUnderTest) -> None:
    for _ in range(5):
        await look_up(hub_api.client)
    assert (await look_up(hub_api.client)).status_code == 429
    other = {"Authorization": f"Bearer {enrol(hub_api.hub, 'kiosk-2')}"}
    answer = await hub_api.client.post("/api/v1/patients/lookup", json={"kind": "cccd", "value": CARD.id_number},
                                       headers=other)  # fmt: skip
    assert answer.status_code == 200


async def test_the_kiosk_client_surfaces_the_refusal_as_a_typed_error_with_the_wait(hub_api: HubUnderTest) -> None:
    async def no_sleep(_s: float) -> None:
        return None

    client = HisClient(hub_api.client, token=hub_api.token, sleep=no_sleep)
    for _ in range(5):
        assert await client.find_patient(IdentifierKind.CCCD, CARD.id_number) is not None
    with pytest.raises(HisRateLimitedError) as refused:
        await client.find_patient(IdentifierKind.CCCD, CARD.id_number)
    assert (refused.value.status, refused.value.message_key) == (429, "hub.rate_limited")
    assert 1 <= refused.value.retry_after_seconds <= 12
    assert client.attempts == 6  # a 429 is not retried: retrying at once only lengthens the wait


async def test_every_lookup_is_logged_with_a_keyed_hash_never_the_number(
    hub_api: HubUnderTest, sqlite_url: str
) -> None:
    assert (await look_up(hub_api.client)).status_code == 200
    assert (await look_up(hub_api.client, "079199000123")).status_code == 404
    assert (await look_up(hub_api.client, CARD.card_code, "bhyt_code")).status_code == 200
    with hub_api.hub.reader() as session:
        entries = session.scalars(select(PatientLookupEntry).order_by(PatientLookupEntry.id)).all()
        raw = session.execute(text("SELECT * FROM patient_lookups")).all()
    key_file = default_key_path(hub_api.hub.settings)
    assert key_file is not None
    assert key_file.parent == hub_api.hub.settings.key_file_path().parent  # beside the config-signing key
    key = key_file.read_bytes()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"

    def keyed(kind: str, value: str) -> str:
        return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    kiosk = hub_api.hub.gate.kiosk_id(hub_api.token)
    assert [(e.kiosk_id, e.kind, e.identifier_hash, e.found) for e in entries] == [
        (kiosk, "cccd", keyed("cccd", CARD.id_number), True),
        (kiosk, "cccd", keyed("cccd", "079199000123"), False),
        (kiosk, "bhyt_code", keyed("bhyt_code", CARD.card_code), True),
    ]
    written = repr(raw)
    for number in (CARD.id_number, "079199000123", CARD.card_code, CARD.bhxh_number, CARD.full_name):
        assert number not in written
    # The key lives outside the database: not in any row of any table.
    with hub_api.hub.reader() as session:
        tables = [r[0] for r in session.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
        for table in tables:
            rows = repr(session.execute(text(f"SELECT * FROM {table}")).all())
            assert key.hex() not in rows
            assert repr(key) not in rows


async def test_a_refused_lookup_reads_no_patient_and_is_not_logged_as_one(hub_api: HubUnderTest) -> None:
    for _ in range(6):
        await look_up(hub_api.client)
    with hub_api.hub.reader() as session:
        assert len(session.scalars(select(PatientLookupEntry)).all()) == 5


async def test_the_hub_tries_the_patients_other_cards_the_kiosk_never_received(hub_api: HubUnderTest) -> None:
    # The HIS holds a citizen ID the gateway does not know (a mistyped record) beside the BHYT card it does know.
    stale_id = "001085999999"
    with hub_api.hub.writer() as session:
        patient = session.scalars(select(Patient).where(Patient.id_number == CARD.id_number)).one()
        patient.id_number = stale_id
        patient_id = patient.id
        session.commit()
    found = await look_up(hub_api.client, stale_id)
    assert found.json()["id"] == patient_id
    assert CARD.card_code not in found.text
    assert CARD.bhxh_number not in found.text
    check = {"card_code": stale_id, "full_name": CARD.full_name, "date_of_birth": CARD.iso_date_of_birth}
    alone = await hub_api.client.post("/api/v1/entitlement/check", json=check)
    assert (alone.json()["action"], alone.json()["bhxh_code"]) == ("try_other_identifier", "050")
    named = await hub_api.client.post("/api/v1/entitlement/check", json={**check, "patient_id": patient_id})
    assert (named.json()["action"], named.json()["bhxh_code"]) == ("proceed", "000")
    assert named.json()["card_code"] == CARD.card_code  # the card that answered, for the ticket and priority


@pytest.mark.slow
def test_the_allowance_holds_across_two_hub_processes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    from kiosk_hub.migrate import upgrade

    upgrade(url)
    hub = build_hub(HubSettings(database_url=url))
    seed(hub)
    token = enrol(hub)
    hub.engine.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"kind": "cccd", "value": CARD.id_number}

    async def burst(urls: list[str]) -> list[int]:
        async with httpx.AsyncClient(headers=headers, timeout=10) as client:
            answers = await asyncio.gather(
                *(client.post(f"{urls[i % 2]}/api/v1/patients/lookup", json=body) for i in range(12))
            )
        return [a.status_code for a in answers]

    with hub_process(url) as first, hub_process(url) as second:
        codes = asyncio.run(burst([first, second]))
    # Five in the burst, at most one refilled while the twelve were answered (one every 12 s): never one per process.
    assert codes.count(200) in (5, 6), codes
    assert codes.count(429) == 12 - codes.count(200)


async def test_a_kiosk_past_its_allowance_tells_the_patient_and_offers_the_desk(hub_api: HubUnderTest) -> None:
    """The whole flow on the hub: the sixth patient in a burst reads "try again in a minute, or go to the desk"."""

    async def no_sleep(_s: float) -> None:
        return None

    client = HisClient(hub_api.client, token=hub_api.token, sleep=no_sleep)
    for _ in range(5):
        await client.find_patient(IdentifierKind.CCCD, CARD.id_number)
    service = FlowService(FlowConfig(hospital_name="Bệnh viện Đa khoa Demo"), client, FakePrinter(),
                          wall=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ))  # fmt: skip
    service.dispatch(CardPresented(chip_identity(demo_card("000"))))
    await service.idle()
    assert service.session.step == Step.HUB_FAILED
    assert service.session.notice_key == "hub.rate_limited"
    assert service.hub_ok  # the hub answered: the kiosk is not offline for it
    assert translate("hub.rate_limited", "vi").startswith("Máy đang tạm dừng tra cứu")
