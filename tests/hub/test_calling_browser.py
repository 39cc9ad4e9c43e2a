"""The calling side in Debian's Chromium against a hub process: staff press Space on the room's calling page; the
waiting-room screen (enrolled with its code, autoplay allowed as on the display box) shows the number and loads
its spoken announcement; the patient's phone page shows "go to room". When the hub goes away the screen says
"Mất kết nối", and it recovers by itself when the hub is back.

With CALLING_SCREENSHOTS set to a directory, the staff page and the screen are saved there (docs/calling.md's
pictures are made this way)."""

from __future__ import annotations

import io
import os
import re
import wave
from pathlib import Path

import httpx
import pytest

from kiosk_hub.access.roles import Role
from kiosk_hub.access.users import add_user, assign_place
from kiosk_hub.calling import screens
from kiosk_hub.calling.areas import AreaSettings, save_area
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.settings import HubSettings
from tests.fleet.browser import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.hub.conftest import add_integration, enrol, seed
from tests.hub.servers import hub_process

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"  # as the display box's kiosk unit starts Chromium


def prepare(db: str) -> tuple[str, str, str]:
    """Staff of NOI's room 1, an area showing NOI with one screen; (kiosk token, HIS token, screen code)."""
    upgrade(db)
    hub = build_hub(HubSettings(database_url=db))
    seed(hub)
    kiosk, his = enrol(hub), add_integration(hub)
    with hub.writer() as session:
        now = hub.clock()
        add_user(session, "bs-noi", "mật-khẩu-đủ-dài-42", Role.STAFF, "test", now)
        session.flush()
        assign_place(session, "bs-noi", "NOI", "NOI-01", "test", now)
        save_area(session, AreaSettings("sanh-a", "Sảnh chờ tầng 2", "Floor 2 waiting hall", (("NOI", None),),
                                        speak_english=True))  # fmt: skip
        code = screens.create_screen(session, "tv-sanh-a", "sanh-a", "test", now)
        session.commit()
    hub.engine.dispose()
    return kiosk, his, code


def loudness(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as audio:
        samples = memoryview(audio.readframes(audio.getnframes())).cast("h")
    return (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5


def test_a_call_on_the_staff_page_reaches_the_screen_and_the_phone_and_the_screen_rides_out_a_restart(
    tmp_path: Path,
) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    kiosk, his, code = prepare(db)
    shots = os.environ.get("CALLING_SCREENSHOTS")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, AUTOPLAY])
        with hub_process(db) as url:
            port = int(url.rsplit(":", 1)[1])
            tickets = []
            for n in range(4):
                headers = {"Authorization": f"Bearer {kiosk}", "Idempotency-Key": f"b-{n}"}
                answer = httpx.post(f"{url}/api/v1/tickets", json={"department_id": "NOI"}, headers=headers)
                tickets.append(answer.json())
            display = browser.new_context(base_url=url, viewport={"width": 1920, "height": 1080}).new_page()
            display.goto("/screens/enrol")
            display.fill("#code", code)
            display.click("#enrol")
            expect(display.locator("#rooms tr")).to_have_count(3)
            expect(display.locator("#stale")).to_be_hidden()

            phone = browser.new_context(base_url=url, viewport={"width": 360, "height": 640}).new_page()
            phone.goto(re.sub(r"^https?://[^/]+", "", tickets[0]["status_url"]))
            expect(phone.locator("#live")).to_contain_text("trực tiếp")

            staff = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800}).new_page()
            sign_in(staff, "bs-noi", "mật-khẩu-đủ-dài-42")
            staff.goto("/fleet/calling")
            staff.click("a.place")
            expect(staff.locator("h1")).to_contain_text("Phòng khám NOI 1")
            expect(staff.locator("#waiting tr")).to_have_count(1 + 2)  # the header, tickets 1 and 4 (room 1's)
            staff.keyboard.press("Space")
            expect(staff.locator("#said")).to_contain_text("0001")
            expect(staff.locator("#at-room")).to_contain_text("0001")

            expect(display.locator("#now-number")).to_have_text("0001")
            expect(display.locator("#now-room")).to_contain_text("Phòng khám NOI 1")
            for width, height in ((1920, 1080), (1080, 1920)):  # a TV on its side works too
                display.set_viewport_size({"width": width, "height": height})
                number = display.locator("#now-number").bounding_box()
                assert number is not None
                assert number["height"] >= 0.15 * height  # readable from 8 m
            display.set_viewport_size({"width": 1920, "height": 1080})
            expect(display.locator("#voice")).to_have_js_property("readyState", 4)  # HAVE_ENOUGH_DATA: loaded
            assert display.evaluate("document.getElementById('voice').duration") > 2.0
            voice = display.evaluate("window.calledVoices[0]")
            assert voice.endswith(".wav")
            assert loudness(display.request.get(voice).body()) > 500
            expect(phone.locator("#banner")).to_be_visible()
            expect(phone.locator("#banner")).to_contain_text("Phòng khám NOI 1")
            if shots:
                staff.screenshot(path=f"{shots}/calling-staff.png")
                display.screenshot(path=f"{shots}/calling-screen.png")
                phone.screenshot(path=f"{shots}/calling-phone.png")
            staff.keyboard.press("d")
            expect(staff.locator("#said")).to_contain_text("0001")
            expect(staff.locator("#at-room tr")).to_have_count(1)  # the "—" row: nobody at the room

        # The hub is gone: the screen says so, and comes back by itself when the hub does.
        expect(display.locator("#stale")).to_be_visible(timeout=15_000)
        expect(display.locator("#stale")).to_contain_text("Mất kết nối")
        with hub_process(db, port=port) as url:
            expect(display.locator("#stale")).to_be_hidden(timeout=20_000)
            called = httpx.post(f"{url}/api/v1/departments/NOI/call-next", headers={"Authorization": f"Bearer {his}"})
            assert called.json()["display_number"] == "0002"
            expect(display.locator("#now-number")).to_have_text("0002")
        browser.close()
