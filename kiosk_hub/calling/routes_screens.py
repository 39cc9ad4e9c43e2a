"""The waiting-room screens: enrolment with a one-time code, the TV page of the screen's area, its live stream
(server-sent events) and the announcements it plays. Numbers and rooms only; never a name."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response, StreamingResponse

from kiosk_hub.access.principals import SCREEN_COOKIE, Public, ScreenPrincipal, stated
from kiosk_hub.calling import screens
from kiosk_hub.calling.areas import AreaSettings, area_rooms, area_view, load_area, quiet_now
from kiosk_hub.calling.board import Listener, LoggedCall
from kiosk_hub.calling.models import CallKind, CallLogEntry
from kiosk_hub.calling.services import day_start
from kiosk_hub.calling.voice import Announcement, VoiceUnavailableError, announcement
from kiosk_hub.hub import Hub
from kiosk_hub.web.deps import HubDep

router = APIRouter(include_in_schema=False)
PING_SECONDS = 5.0  # the page shows "disconnected" after a few missed pings
SCREEN_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; media-src 'self'; "
    "img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_ENROL = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Màn hình gọi số · Calling screen</title>
<link rel="stylesheet" href="/static/screen.css"></head><body class="enrol"><main>
<h1>Đăng ký màn hình gọi số</h1><p class="en">Enrol this calling screen</p>{problem}
<form method="post" action="/screens/enrol"><label>Mã đăng ký · Enrolment code
<input name="code" id="code" autocomplete="off" autofocus required maxlength="20"></label>
<button id="enrol">Đăng ký · Enrol</button></form></main></body></html>"""
_BOARD = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{name_vi}</title>
<link rel="stylesheet" href="/static/screen.css"><script src="/static/screen.js" defer></script></head>
<body class="board" data-events="/screens/board/events">
<div id="stale" class="stale" hidden>Mất kết nối — đang kết nối lại · Disconnected — reconnecting</div>
<header><h1>{name_vi}</h1><p class="en">{name_en}</p></header>
<section class="current" id="current"><p class="label">Mời số <span class="en">Now calling</span></p>
<div class="number" id="now-number">—</div><div class="room" id="now-room"></div>
<div class="room en" id="now-room-en"></div></section>
<section class="recent"><h2>Vừa gọi <span class="en">Recent calls</span></h2><ol id="recent"></ol></section>
<section class="rooms"><h2>Phòng <span class="en">Rooms</span></h2><table><thead><tr>
<th>Phòng <span class="en">Room</span></th><th>Đang gọi <span class="en">Now</span></th>
<th>Đang chờ <span class="en">Waiting</span></th><th>Chờ khoảng <span class="en">Expected wait</span></th>
</tr></thead><tbody id="rooms"></tbody></table></section>
<audio id="voice" preload="auto"></audio></body></html>"""


def _page(html: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers={"content-security-policy": SCREEN_POLICY})


@router.get("/screens/enrol", response_class=HTMLResponse, dependencies=[Public])
async def enrol_page() -> HTMLResponse:
    return _page(_ENROL.format(problem=""))


@router.post("/screens/enrol", dependencies=[Public])
async def enrol(request: Request, hub: HubDep) -> Response:
    """Trade a one-time code for the screen's token, kept as a cookie for the screen's pages only."""
    code = (await request.form()).get("code")

    def redeem() -> tuple[screens.Screen, str]:
        with hub.writer() as session:
            found = screens.redeem(session, code if isinstance(code, str) else "", hub.clock())
            session.commit()
            return found

    try:
        _screen, token = await hub.write(redeem)
    except screens.ScreenError as refusal:
        problem = ('<p class="error" id="problem">Mã không đúng hoặc đã hết hạn'
                   f' · The code is wrong or expired ({escape(refusal.code)})</p>')  # fmt: skip
        return _page(_ENROL.format(problem=problem), 400)
    answer = RedirectResponse("/screens/board", status_code=303)
    answer.set_cookie(SCREEN_COOKIE, token, max_age=10 * 365 * 86400, httponly=True, samesite="strict",
                      path="/screens", secure=request.url.scheme == "https")  # fmt: skip
    return answer


@router.get("/screens/board", response_class=HTMLResponse, dependencies=[stated("screen")])
async def board_page(request: Request, hub: HubDep) -> Response:
    """The TV page (an unenrolled box is sent to the enrolment page)."""
    screen = await asyncio.to_thread(hub.calling.screens.find, request.cookies.get(SCREEN_COOKIE), hub.clock())
    if screen is None:
        return RedirectResponse("/screens/enrol", status_code=303)
    area = await asyncio.to_thread(_area, hub, screen.area_id)
    return _page(_BOARD.format(name_vi=escape(area.name_vi), name_en=escape(area.name_en)))


def _area(hub: Hub, area_id: str) -> AreaSettings:
    with hub.reader() as session:
        area = load_area(session, area_id)
    assert area is not None  # a foreign key of the screen
    return area


def _state(hub: Hub, area: AreaSettings) -> str:
    with hub.reader() as session:
        now = hub.clock()
        view = area_view(session, hub.queue.catalog, hub.queue.estimator, area, hub.queue.today(), day_start(now), now)
    rooms = {r.room_id: r for r in view.rooms}
    recent = [
        {"number": c.number, "room_vi": rooms[c.room_id].name_vi if c.room_id in rooms else "",
         "room_en": rooms[c.room_id].name_en if c.room_id in rooms else "", "recall": c.recall}
        for c in view.recent
    ]  # fmt: skip
    return json.dumps({"rooms": [asdict(r) for r in view.rooms], "recent": recent, "volume": area.volume},
                      ensure_ascii=False)  # fmt: skip


def _call(hub: Hub, area: AreaSettings, call: LoggedCall) -> str:
    department = hub.queue.catalog.department(call.department_id)
    room = department.room(call.room_id) if department else None
    silent = quiet_now(area, hub.clock())
    return json.dumps({
        "id": call.id, "number": call.display_number, "recall": call.kind == CallKind.RECALLED.value,
        "room_vi": room.name.vi if room else "", "room_en": room.name.en if room else "",
        "where_vi": room.location.vi if room else "", "where_en": room.location.en if room else "",
        "voice": None if silent else f"/screens/voice/{call.id}.wav",
    }, ensure_ascii=False)  # fmt: skip


def _event(kind: str, data: str) -> str:
    return f"event: {kind}\ndata: {data}\n\n"


async def _stream(hub: Hub, area: AreaSettings, room_ids: frozenset[str], listener: Listener) -> AsyncIterator[str]:
    board = hub.calling.board
    try:
        yield "retry: 2000\n\n" + _event("state", await board.shared(f"area:{area.id}", lambda: _state(hub, area)))
        while True:
            try:
                calls = [await asyncio.wait_for(listener.inbox.get(), PING_SECONDS)]
            except TimeoutError:
                yield _event("ping", "{}")
                continue
            while not listener.inbox.empty():
                calls.append(listener.inbox.get_nowait())
            for call in calls:
                if call.kind in (CallKind.CALLED, CallKind.RECALLED) and call.room_id in room_ids:
                    yield _event("call", _call(hub, area, call))
            yield _event("state", await board.shared(f"area:{area.id}", lambda: _state(hub, area)))
    finally:
        board.leave(listener)


@router.get("/screens/board/events")
async def board_events(hub: HubDep, screen: ScreenPrincipal) -> StreamingResponse:
    """The area's calls as they happen, and its state after each (server-sent events; a ping every few seconds)."""
    area = await asyncio.to_thread(_area, hub, screen.area_id)
    with hub.reader() as session:
        rooms = area_rooms(session, area)
    listener = hub.calling.board.listen(frozenset(r.department_id for r in rooms))
    stream = _stream(hub, area, frozenset(r.id for r in rooms), listener)
    return StreamingResponse(stream, media_type="text/event-stream", headers=STREAM_HEADERS)


@router.get("/screens/voice/{call_id}.wav")
async def voice(call_id: int, hub: HubDep, screen: ScreenPrincipal) -> Response:
    """The announcement of a call of the screen's area: chime, Vietnamese, then English if the area says so."""
    said = await asyncio.to_thread(_announcement_for, hub, screen, call_id)
    if said is None:
        return Response(status_code=404)
    try:
        path = await asyncio.to_thread(hub.calling.voice.wav, said)
    except VoiceUnavailableError:
        return Response(status_code=503)
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "private, max-age=86400"})


def _announcement_for(hub: Hub, screen: screens.Screen, call_id: int) -> Announcement | None:
    area = _area(hub, screen.area_id)
    with hub.reader() as session:
        entry = session.get(CallLogEntry, call_id)
        rooms = {r.id for r in area_rooms(session, area)}
        if entry is None or entry.room_id not in rooms or not entry.display_number:
            return None
        number, department_id, room_id = entry.display_number, entry.department_id, entry.room_id
    department = hub.queue.catalog.department(department_id)
    room = department.room(room_id) if department else None
    if room is None:
        return None
    return announcement(number, (room.name.vi, room.name.en), (room.location.vi, room.location.en), area.speak_english)
