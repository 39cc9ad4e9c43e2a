"""Waiting-room screens and the patient's phone over real HTTP (uvicorn on loopback, the call board running): a
screen enrols with a one-time code, follows its area's calls live and gets each call's announcement as a WAV with
sound in it; the phone page follows its ticket to "called → room"; public streams never carry a name; a revoked
screen is refused at once."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from kiosk_hub.app import create_app
from kiosk_hub.calling import screens
from kiosk_hub.calling.areas import AreaSettings, save_area
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import FakeClock, add_integration, enrol, seed
from tests.hub.servers import serve_in_thread
from tests.hub.sse import EventReader


@dataclass
class CallingHub:
    hub: Hub
    url: str
    kiosk: httpx.Client
    his: httpx.Client
    code: str


def make_area(hub: Hub, area_id: str = "sanh-a", places: tuple[tuple[str, str | None], ...] = (("NOI", None),),
              **options: object) -> str:  # fmt: skip
    """An area and a screen for it; the screen's one-time code."""
    with hub.writer() as session:
        save_area(session, AreaSettings(area_id, "Sảnh A", "Hall A", places, **options))  # type: ignore[arg-type]
        code = screens.create_screen(session, f"tv-{area_id}", area_id, "test", hub.clock())
        session.commit()
    return code


@pytest.fixture
def calling_hub(sqlite_url: str, clock: FakeClock, tmp_path: object) -> Iterator[CallingHub]:
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    seed(hub)
    kiosk_token, his_token = enrol(hub), add_integration(hub)
    code = make_area(hub)
    with serve_in_thread(create_app(hub, background=False), lifespan="on") as url:
        kiosk = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {kiosk_token}"}, timeout=10)
        his = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {his_token}"}, timeout=10)
        yield CallingHub(hub, url, kiosk, his, code)
        kiosk.close()
        his.close()
    hub.engine.dispose()


def enrolled_screen(url: str, code: str) -> httpx.Client:
    screen = httpx.Client(base_url=url, timeout=10)
    answer = screen.post("/screens/enrol", data={"code": code.lower()})  # typed in any case
    assert (answer.status_code, answer.headers["location"]) == (303, "/screens/board")
    return screen


def issue(kiosk: httpx.Client, key: str, department: str = "NOI", patient: str | None = None) -> dict[str, str]:
    body = {"department_id": department, **({"patient_id": patient} if patient else {})}
    answer = kiosk.post("/api/v1/tickets", json=body, headers={"Idempotency-Key": key})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def loudness(wav_bytes: bytes) -> float:
    """The RMS of 16-bit mono samples: 0 for silence."""
    with wave.open(io.BytesIO(wav_bytes)) as audio:
        frames = audio.readframes(audio.getnframes())
    samples = memoryview(frames).cast("h")
    return (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5


def test_a_screen_enrols_follows_calls_and_gets_a_spoken_announcement(calling_hub: CallingHub) -> None:
    issue(calling_hub.kiosk, "a")
    screen = enrolled_screen(calling_hub.url, calling_hub.code)
    board = screen.get("/screens/board")
    assert board.status_code == 200
    assert "media-src 'self'" in board.headers["content-security-policy"]
    with screen.stream("GET", "/screens/board/events") as stream:
        events = EventReader(stream)
        first = events.until("state")
        assert [(r["room_id"], r["waiting"]) for r in first["rooms"]] == [("NOI-01", 1), ("NOI-02", 0), ("NOI-03", 0)]
        calling_hub.his.post("/api/v1/departments/NOI/rooms/NOI-01/call-next").raise_for_status()
        call = events.until("call")
        assert (call["number"], call["room_vi"], call["recall"]) == ("0001", "Phòng khám NOI 1", False)
        after = events.until("state")
        assert after["recent"][0]["number"] == "0001"
        assert after["rooms"][0]["current"] == "0001"
    voice = screen.get(call["voice"])
    assert voice.headers["content-type"] == "audio/wav"
    assert loudness(voice.content) > 500  # a chime and speech, not silence
    assert screen.get(call["voice"]).content == voice.content  # cached per text
    assert httpx.get(f"{calling_hub.url}{call['voice']}").status_code == 401  # only enrolled screens
    screen.close()


def test_a_wrong_code_is_refused_and_a_revoked_screen_is_out_at_once(calling_hub: CallingHub) -> None:
    wrong = httpx.post(f"{calling_hub.url}/screens/enrol", data={"code": "ABCD-EFGH"})
    assert wrong.status_code == 400
    assert "Mã không đúng" in wrong.text
    screen = enrolled_screen(calling_hub.url, calling_hub.code)
    assert screen.post("/screens/enrol", data={"code": calling_hub.code}).status_code == 400  # spent
    hub = calling_hub.hub
    with hub.writer() as session:
        (row,) = screens.list_screens(session)
        screens.revoke(session, row.id, "test", hub.clock())
        session.commit()
    assert screen.get("/screens/board/events").status_code == 401
    assert screen.get("/screens/board").headers["location"] == "/screens/enrol"
    screen.close()


def test_the_phone_page_follows_its_ticket_to_the_room(calling_hub: CallingHub) -> None:
    issue(calling_hub.kiosk, "first")
    ticket = issue(calling_hub.kiosk, "second")
    token = ticket["status_url"].rsplit("/", 1)[1]
    page = httpx.get(f"{calling_hub.url}/t/{token}")
    assert 'data-events="/t/' in page.text
    assert len(page.content) < 4000  # a small page for a slow phone
    with httpx.Client(base_url=calling_hub.url, timeout=10) as phone, phone.stream("GET", f"/t/{token}/events") as s:
        events = EventReader(s)
        assert (events.until("ticket")["status"], ticket["display_number"]) == ("waiting", "0002")
        calling_hub.his.post("/api/v1/departments/NOI/call-next").raise_for_status()
        moved_up = events.until("ticket")
        assert (moved_up["position"], moved_up["state_vi"]) == (0, "Còn 0 người trước bạn")
        calling_hub.his.post("/api/v1/departments/NOI/rooms/NOI-02/call-next").raise_for_status()
        called = events.until("ticket")
        assert (called["status"], called["room_vi"]) == ("called", "Phòng khám NOI 2")
    assert httpx.get(f"{calling_hub.url}/t/no-such-token/events").status_code == 404


def test_public_streams_carry_no_name(calling_hub: CallingHub) -> None:
    registered = calling_hub.kiosk.post("/api/v1/patients", json={"full_name": "Trần Thị Bí Mật",
                                                                  "date_of_birth": "1970-05-05",
                                                                  "bhxh_number": "7912345678"})  # fmt: skip
    assert registered.status_code == 201, registered.text
    ticket = issue(calling_hub.kiosk, "named", patient=registered.json()["id"])
    screen = enrolled_screen(calling_hub.url, calling_hub.code)
    token = ticket["status_url"].rsplit("/", 1)[1]
    with screen.stream("GET", "/screens/board/events") as stream, httpx.Client(base_url=calling_hub.url) as phone:
        events = EventReader(stream)
        seen = [events.until("state")]
        calling_hub.his.post("/api/v1/departments/NOI/call-next").raise_for_status()
        seen += [events.until("call"), events.until("state")]
        with phone.stream("GET", f"/t/{token}/events") as phone_stream:
            seen.append(EventReader(phone_stream).until("ticket"))
    screen.close()
    text = repr(seen) + httpx.get(f"{calling_hub.url}/t/{token}").text
    assert "Bí Mật" not in text
    assert "Trần" not in text


def test_in_quiet_hours_a_call_is_shown_without_sound_at_the_areas_volume(calling_hub: CallingHub) -> None:
    # The clock says 09:00 in Hà Nội: inside the area's quiet hours.
    code = make_area(calling_hub.hub, "dem", (("KKB", "KKB-02"),), quiet_from="08:00", quiet_until="10:00",
                     volume=35)  # fmt: skip
    for n in range(2):
        issue(calling_hub.kiosk, f"k-{n}", "KKB")  # 0001 to room 1, 0002 to room 2
    screen = enrolled_screen(calling_hub.url, code)
    with screen.stream("GET", "/screens/board/events") as stream:
        events = EventReader(stream)
        state = events.until("state")
        assert ([r["room_id"] for r in state["rooms"]], state["volume"]) == (["KKB-02"], 35)
        calling_hub.his.post("/api/v1/departments/KKB/rooms/KKB-01/call-next").raise_for_status()  # not shown here
        calling_hub.his.post("/api/v1/departments/KKB/rooms/KKB-02/call-next").raise_for_status()
        call = events.until("call")
        assert (call["number"], call["voice"]) == ("0002", None)
    screen.close()
