"""The BHXH lookup officer is the hub's own setting: from its environment, or saved by an admin in the console's
hub settings page (sealed in the database, shown by the CCCD's last 4 digits, audited without the values), and
used for the gateway's card checks at once; never part of what kiosks are sent."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from kiosk.remote_config.schema import RemoteConfig
from kiosk_hub.access.roles import Role
from kiosk_hub.app import create_app
from kiosk_hub.bhxh.demo_cards import card_for_result
from kiosk_hub.fleet.models import AuditEntry
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.settings import HubSettings
from tests.fleet.console_client import add_console_user, csrf_of, log_in
from tests.hub.conftest import OFFICER, FakeClock, bhxh_settings, enrol, seed

WRONG_CCCD = "079201009876"  # what the environment file says: not the officer registered with BHXH


@pytest.fixture
async def hub_with_gateway(
    sqlite_url: str, clock: FakeClock, gateway_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Hub, httpx.AsyncClient, httpx.AsyncClient]]:
    """The hub (its environment naming the wrong officer), a kiosk's client and an admin's console client."""
    bhxh = bhxh_settings(gateway_url).model_copy(update={"officer_id_number": SecretStr(WRONG_CCCD)})
    settings = HubSettings(database_url=sqlite_url, bhxh=bhxh, key_file=tmp_path / "keys" / "hub.key")
    async with httpx.AsyncClient() as bhxh_http:
        hub = build_hub(settings, clock=clock, http=bhxh_http)
        seed(hub)
        headers = {"Authorization": f"Bearer {enrol(hub)}"}
        add_console_user(hub, "it-admin", Role.ADMIN)
        add_console_user(hub, "xem", Role.VIEWER)
        transport = httpx.ASGITransport(app=create_app(hub, background=False))
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://hub.test", headers=headers) as kiosk,
            httpx.AsyncClient(transport=transport, base_url="http://hub.test") as admin,
        ):
            await log_in(admin, "it-admin")
            yield hub, kiosk, admin
        hub.engine.dispose()


async def bhxh_code(kiosk: httpx.AsyncClient) -> str:
    card = card_for_result("000")
    body = {"card_code": card.card_code, "full_name": card.full_name, "date_of_birth": card.iso_date_of_birth}
    response = await kiosk.post("/api/v1/entitlement/check", json=body)
    assert response.status_code == 200
    return str(response.json()["bhxh_code"])


async def save_officer(admin: httpx.AsyncClient, **fields: str) -> httpx.Response:
    page = await admin.get("/fleet/settings")
    return await admin.post("/fleet/settings/officer", data={"csrf": csrf_of(page.text), **fields})


async def test_an_officer_saved_in_the_console_is_used_at_once_and_never_shown_in_full(
    hub_with_gateway: tuple[Hub, httpx.AsyncClient, httpx.AsyncClient], sqlite_url: str
) -> None:
    hub, kiosk, admin = hub_with_gateway
    assert await bhxh_code(kiosk) == "054"  # the gateway does not know the environment's officer
    page = await admin.get("/fleet/settings")
    assert "9876" in page.text
    assert WRONG_CCCD not in page.text
    saved = await save_officer(admin, name=OFFICER[0], id_number=OFFICER[1])
    assert saved.headers["location"] == "/fleet/settings?saved=1"
    assert await bhxh_code(kiosk) == "000"
    page = await admin.get("/fleet/settings")
    assert re.search(r'id="officer-id">[^<]*0001<', page.text)
    assert re.search(r'id="officer-source">[^<]*\(it-admin, 2026-11-23 02:00 UTC\)<', page.text)
    assert OFFICER[1] not in page.text  # neither shown nor put back into the form
    # The name changed, the CCCD left blank: the saved number stays.
    await save_officer(admin, name=OFFICER[0].upper(), id_number="")
    assert await bhxh_code(kiosk) == "000"
    with hub.reader() as session:
        audited = [e for e in session.scalars(select(AuditEntry)) if e.action == "hub_settings.officer"]
    assert [e.actor for e in audited] == ["it-admin", "it-admin"]
    assert all(OFFICER[1] not in e.detail + e.target and "Cứu" not in e.detail for e in audited)
    stored = _database_bytes(Path(sqlite_url.removeprefix("sqlite:///")))
    assert OFFICER[1].encode() not in stored
    assert OFFICER[0].encode() not in stored
    assert "lookup_officer" not in RemoteConfig.model_json_schema()["properties"]  # and kiosks never get it


async def test_a_bad_cccd_is_refused_with_the_reason_and_a_viewer_changes_nothing(
    hub_with_gateway: tuple[Hub, httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    _hub, kiosk, admin = hub_with_gateway
    refused = await save_officer(admin, name=OFFICER[0], id_number="00119000000")
    assert refused.status_code == 422
    assert "12 chữ số" in refused.text
    refused = await save_officer(admin, name=OFFICER[0], id_number="")  # nothing saved before to keep
    assert refused.status_code == 422
    await admin.post("/fleet/logout", data={"csrf": csrf_of((await admin.get("/fleet/settings")).text)})
    await log_in(admin, "xem")
    page = await admin.get("/fleet/settings")
    assert page.status_code == 200
    assert 'id="officer-form"' not in page.text
    forbidden = await admin.post("/fleet/settings/officer", data={"csrf": csrf_of(page.text), "name": "x",
                                                                  "id_number": OFFICER[1]})  # fmt: skip
    assert forbidden.status_code == 403
    assert await bhxh_code(kiosk) == "054"


async def test_back_to_the_environment_file(hub_with_gateway: tuple[Hub, httpx.AsyncClient, httpx.AsyncClient]) -> None:
    _hub, kiosk, admin = hub_with_gateway
    await save_officer(admin, name=OFFICER[0], id_number=OFFICER[1])
    assert await bhxh_code(kiosk) == "000"
    await save_officer(admin, use_environment="on")
    assert await bhxh_code(kiosk) == "054"
    page = await admin.get("/fleet/settings")
    assert "9876" in page.text


def _database_bytes(database: Path) -> bytes:
    return database.read_bytes() + database.with_name(database.name + "-wal").read_bytes()
