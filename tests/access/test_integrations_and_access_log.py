"""Integration credentials (console and command line: created with scopes, the token shown once and kept only as a
hash, revoked) and the patient-lookup access log in the console (filters, search by a posted identifier, CSV)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from kiosk_hub.access.models import IntegrationCredential
from kiosk_hub.access.roles import Role
from kiosk_hub.bhxh.demo_cards import card_for_result
from kiosk_hub.kiosk_tokens import hash_token
from kiosk_hub.migrate import upgrade
from tests.fleet.console_client import add_console_user, csrf_of, log_in, post_form
from tests.hub.conftest import FakeClock, HubUnderTest, enrol
from tests.hub.servers import REPO


@pytest.fixture
async def admin(hub_api: HubUnderTest) -> httpx.AsyncClient:
    add_console_user(hub_api.hub, "it-admin", Role.ADMIN)
    client = httpx.AsyncClient(transport=hub_api.client._transport, base_url="http://hub.test")
    assert (await log_in(client, "it-admin")).headers["location"] == "/fleet"
    return client


async def test_an_integration_is_created_with_scopes_shown_once_and_revoked(
    admin: httpx.AsyncClient, hub_api: HubUnderTest
) -> None:
    page = await admin.get("/fleet/integrations")
    made = await admin.post("/fleet/integrations", data={"csrf": csrf_of(page.text), "name": "his-calling",
                                                          "scope": ["calling", "events"]})  # fmt: skip
    assert made.status_code == 201
    found = re.search(r'<code id="integration-token">(khi_[\w-]+)</code>', made.text)
    assert found is not None
    token = found.group(1)
    with hub_api.hub.reader() as session:
        row = session.scalars(select(IntegrationCredential).where(IntegrationCredential.name == "his-calling")).one()
    assert (row.token_hash, row.scopes) == (hash_token(token), "calling events")
    assert token not in (await admin.get("/fleet/integrations")).text  # shown once
    call = await hub_api.client.post("/api/v1/departments/NOI/call-next", headers={"Authorization": f"Bearer {token}"})
    assert call.status_code == 409  # let in; nobody waits
    none = await post_form(admin, "/fleet/integrations", "/fleet/integrations", {"name": "no-scope"})
    assert 'data-key="scope_required"' in none.text
    revoked = await post_form(admin, "/fleet/integrations", "/fleet/integrations/his-calling/revoke", {})
    assert revoked.status_code == 303
    hub_api.hub.access.revocations.check()  # what the next request would do once the second is up
    call = await hub_api.client.post("/api/v1/departments/NOI/call-next", headers={"Authorization": f"Bearer {token}"})
    assert call.status_code == 401


@pytest.mark.slow
def test_the_command_line_creates_lists_and_revokes_integrations(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    upgrade(db)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk_hub.cli", "integration", *args, "--db", db], cwd=REPO,
                              text=True, capture_output=True, timeout=60, check=False)  # fmt: skip

    made = json.loads(run("add", "his", "--scope", "calling").stdout)
    assert made["scopes"] == ["calling"]
    assert made["token"].startswith("khi_")
    assert (
        run("add", "his", "--scope", "events").returncode,
        "name_taken" in run("add", "his", "--scope", "events").stderr,
    ) == (1, True)
    listed = json.loads(run("list").stdout)["integrations"]
    assert [(i["name"], i["scopes"], i["revoked"]) for i in listed] == [("his", ["calling"], False)]
    assert made["token"] not in run("list").stdout
    assert run("revoke", "his").returncode == 0
    assert json.loads(run("list").stdout)["integrations"][0]["revoked"] is True


async def test_the_access_log_is_read_filtered_searched_and_exported_by_admins(
    admin: httpx.AsyncClient, hub_api: HubUnderTest, clock: FakeClock
) -> None:
    card = card_for_result("000")
    other = {"Authorization": f"Bearer {enrol(hub_api.hub, 'kiosk-sanh-b')}"}
    await hub_api.client.post("/api/v1/patients/lookup", json={"kind": "cccd", "value": card.id_number})
    clock.now += timedelta(days=1)
    await hub_api.client.post("/api/v1/patients/lookup", json={"kind": "cccd", "value": "079199000123"})
    await hub_api.client.post("/api/v1/patients/lookup", json={"kind": "bhyt_code", "value": card.card_code},
                              headers=other)  # fmt: skip
    await log_in(admin, "it-admin")  # a day later: the morning's session is over
    everything = await admin.get("/fleet/access-log")
    assert everything.status_code == 200
    assert everything.text.count("<tr><td>") == 3
    assert card.id_number not in everything.text
    assert card.full_name not in everything.text
    by_kiosk = await admin.get(
        "/fleet/access-log", params={"kiosk": hub_api.hub.gate.kiosk_id(other["Authorization"][7:])}
    )
    assert by_kiosk.text.count("<tr><td>") == 1
    first_day = await admin.get("/fleet/access-log", params={"until": "2026-11-23"})
    assert first_day.text.count("<tr><td>") == 1
    # A number typed by IT is posted, hashed and never put in a URL; the page shows that patient's lookups.
    found = await admin.post("/fleet/access-log/find", data={"csrf": csrf_of(everything.text),
                                                             "identifier": card.id_number})  # fmt: skip
    assert found.status_code == 303
    assert card.id_number not in found.headers["location"]
    hashes = parse_qs(urlsplit(found.headers["location"]).query)["h"]
    assert len(hashes) == 4  # one per kind the number may be
    searched = await admin.get(found.headers["location"])
    assert searched.text.count("<tr><td>") == 1
    exported = await admin.get("/fleet/access-log.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["at_utc", "kiosk_id", "kiosk_name", "identifier_kind", "identifier_hash", "found"]
    assert sorted((r[2], r[3], r[5]) for r in rows[1:]) == [
        ("kiosk-1", "cccd", "0"), ("kiosk-1", "cccd", "1"), ("kiosk-sanh-b", "bhyt_code", "1"),
    ]  # fmt: skip
    assert card.id_number not in exported.text
    assert card.card_code not in exported.text
    add_console_user(hub_api.hub, "xem", Role.VIEWER)
    async with httpx.AsyncClient(transport=hub_api.client._transport, base_url="http://hub.test") as viewer:
        await log_in(viewer, "xem")
        assert (await viewer.get("/fleet/access-log")).status_code == 403
        assert (await viewer.get("/fleet/access-log.csv")).status_code == 403
