"""Several hub processes on one PostgreSQL: a call made through one process reaches a waiting-room screen and a
phone page connected to the other (each process's call board reads the shared call log)."""

from __future__ import annotations

import time

import httpx
import pytest

from kiosk_hub.calling import screens
from kiosk_hub.calling.areas import AreaSettings, save_area
from kiosk_hub.hub import build_hub
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import add_integration, prepared_database
from tests.hub.servers import hub_process
from tests.hub.sse import EventReader
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def prepare(url: str) -> tuple[str, str, list[str]]:
    """(kiosk token, HIS token, two screen codes) on a migrated, seeded store."""
    kiosk = prepared_database(url)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)))
    his = add_integration(hub)
    with hub.writer() as session:
        save_area(session, AreaSettings("kkb", "Sảnh khám bệnh", "Outpatient hall", (("KKB", None),)))
        codes = [screens.create_screen(session, f"tv-{n}", "kkb", "test", hub.clock()) for n in range(2)]
        session.commit()
    hub.engine.dispose()
    return kiosk, his, codes


def enrol_screen(url: str, code: str) -> httpx.Client:
    screen = httpx.Client(base_url=url, timeout=15)
    assert screen.post("/screens/enrol", data={"code": code}).status_code == 303
    return screen


def test_a_call_on_one_hub_process_reaches_screens_and_phones_on_the_other(postgres: PostgresServer) -> None:
    url = postgres.create_database("hub_calling_processes")
    kiosk, his, codes = prepare(url)
    with hub_process(url) as first, hub_process(url) as second:
        auth = {"Authorization": f"Bearer {kiosk}"}
        tickets = [httpx.post(f"{first}/api/v1/tickets", json={"department_id": "KKB"},
                              headers={**auth, "Idempotency-Key": f"p-{n}"}).json() for n in range(3)]  # fmt: skip
        token = tickets[0]["status_url"].rsplit("/", 1)[1]
        screen = enrol_screen(second, codes[0])
        with screen.stream("GET", "/screens/board/events") as stream, httpx.Client(base_url=second) as phone, \
                phone.stream("GET", f"/t/{token}/events") as phone_stream:  # fmt: skip
            events, phone_events = EventReader(stream), EventReader(phone_stream)
            assert events.until("state")["rooms"][0]["waiting"] == 1
            assert phone_events.until("ticket")["status"] == "waiting"
            started = time.monotonic()
            called = httpx.post(f"{first}/api/v1/departments/KKB/rooms/KKB-01/call-next",
                                headers={"Authorization": f"Bearer {his}"})  # fmt: skip
            assert called.json()["display_number"] == "0001"
            call = events.until("call")
            assert (call["number"], call["room_vi"]) == ("0001", "Phòng khám KKB 1")
            assert time.monotonic() - started < 5  # the other process polls the log every quarter second
            assert phone_events.until("ticket")["status"] == "called"
        screen.close()
