"""The rooms' actions through the HIS's calling API over ASGI: call to a room, recall, skip and the no-show's return,
start, done, transfer, pause and close; refusals are typed, clear, and change nothing (tickets, outbox, call log)."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select, text

from kiosk_hub.calling.models import CallLogEntry
from kiosk_hub.db.models import Department
from kiosk_hub.events.models import OutboxEvent
from kiosk_hub.hub import Hub
from tests.hub.conftest import HubUnderTest
from tests.hub.test_calling import waiting

API = "/api/v1/departments"


async def his(api: HubUnderTest, path: str, body: dict[str, object] | None = None) -> httpx.Response:
    return await api.client.post(f"{API}/{path}", json=body or {}, headers=api.as_his)


def footprint(hub: Hub) -> tuple[int, int, list[tuple[str, int, str]]]:
    """What a refused action must leave as it was: events, call log rows, every ticket's place and status."""
    with hub.reader() as session:
        events = session.scalar(select(func.count()).select_from(OutboxEvent)) or 0
        log = session.scalar(select(func.count()).select_from(CallLogEntry)) or 0
    with hub.engine.connect() as conn:
        rows = conn.execute(text("SELECT department_id, number, status FROM tickets ORDER BY id")).all()
    return events, log, [tuple(r) for r in rows]  # type: ignore[misc]


async def refused(api: HubUnderTest, path: str, status: int, code: str, body: dict[str, object] | None = None) -> None:
    before = footprint(api.hub)
    answer = await his(api, path, body)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert " · " in answer.json()["title"]  # Vietnamese first, then English
    assert footprint(api.hub) == before


def event_types(hub: Hub) -> list[str]:
    with hub.reader() as session:
        return list(session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.seq)))


async def test_a_room_calls_recalls_starts_and_finishes_and_a_second_done_changes_nothing(
    hub_api: HubUnderTest,
) -> None:
    await waiting(hub_api, 3, "NOI")  # the kiosk sent 0001 to room 1, 0002 to room 2, 0003 to room 3
    called = (await his(hub_api, "NOI/rooms/NOI-02/call-next")).json()
    assert (called["display_number"], called["status"], called["room"]["id"]) == ("0002", "called", "NOI-02")
    ticket = called["id"]
    assert (await his(hub_api, f"NOI/tickets/{ticket}/recall")).json()["status"] == "called"
    assert (await his(hub_api, f"NOI/tickets/{ticket}/start")).json()["status"] == "serving"
    assert (await his(hub_api, f"NOI/tickets/{ticket}/done")).json()["status"] == "served"
    await refused(hub_api, f"NOI/tickets/{ticket}/done", 409, "ticket_already_done")
    await refused(hub_api, f"NOI/tickets/{ticket}/recall", 409, "ticket_already_done")
    assert event_types(hub_api.hub)[-4:] == ["ticket.called", "ticket.recalled", "ticket.started", "ticket.served"]
    with hub_api.hub.reader() as session:
        kinds = list(session.scalars(select(CallLogEntry.kind).order_by(CallLogEntry.id)))
    assert kinds == ["called", "recalled", "started", "done"]


async def test_a_no_show_comes_back_after_three_calls_then_is_missed(hub_api: HubUnderTest) -> None:
    await waiting(hub_api, 6, "NOI")
    first = (await his(hub_api, "NOI/call-next")).json()
    skipped = (await his(hub_api, f"NOI/tickets/{first['id']}/skip")).json()
    assert skipped["status"] == "skipped"
    later = [(await his(hub_api, "NOI/call-next")).json()["display_number"] for _ in range(4)]
    assert later == ["0002", "0003", "0004", "0001"]  # back after three later calls, first in its lane
    missed = (await his(hub_api, f"NOI/tickets/{first['id']}/skip")).json()
    assert missed["status"] == "missed"  # one return allowed (the default)
    assert (await his(hub_api, "NOI/call-next")).json()["display_number"] == "0005"
    late = (await his(hub_api, f"NOI/tickets/{first['id']}/recall")).json()  # came late: the room calls it again
    assert late["status"] == "called"
    assert "ticket.skipped" in event_types(hub_api.hub)
    assert "ticket.missed" in event_types(hub_api.hub)


async def test_transfers_keep_the_ticket_and_refusals_change_nothing(hub_api: HubUnderTest) -> None:
    await waiting(hub_api, 2, "NOI")
    await waiting(hub_api, 3, "KKB")
    ticket = (await his(hub_api, "NOI/rooms/NOI-01/call-next")).json()
    moved = (await his(hub_api, f"NOI/tickets/{ticket['id']}/transfer", {"to_department_id": "NOI",
                                                                         "to_room_id": "NOI-03"})).json()  # fmt: skip
    assert (moved["status"], moved["room"]["id"], moved["display_number"]) == ("waiting", "NOI-03", "0001")
    again = (await his(hub_api, "NOI/rooms/NOI-03/call-next")).json()
    assert again["id"] == ticket["id"]
    await refused(hub_api, f"NOI/tickets/{ticket['id']}/transfer", 409, "transfer_to_same_place",
                  {"to_department_id": "NOI", "to_room_id": "NOI-03"})  # fmt: skip
    await refused(hub_api, f"NOI/tickets/{ticket['id']}/transfer", 404, "room_not_found",
                  {"to_department_id": "KKB", "to_room_id": "NOI-02"})  # fmt: skip
    with hub_api.hub.writer() as session:
        closed = session.get(Department, "TMH")
        assert closed is not None
        closed.active = False
        session.commit()
    await refused(hub_api, f"NOI/tickets/{ticket['id']}/transfer", 409, "department_closed",
                  {"to_department_id": "TMH"})  # fmt: skip
    to_lab = (await his(hub_api, f"NOI/tickets/{ticket['id']}/transfer", {"to_department_id": "KKB"})).json()
    assert (to_lab["id"], to_lab["department_id"], to_lab["display_number"]) == (ticket["id"], "KKB", "0004")
    assert to_lab["position"] == 3  # behind KKB's three waiting tickets
    assert to_lab["status_url"] == ticket["status_url"]  # the patient's QR page follows the ticket
    assert event_types(hub_api.hub)[-1] == "ticket.transferred"


async def test_a_transfer_keeps_its_number_when_the_hospital_says_so_and_it_is_free(hub_api: HubUnderTest) -> None:
    hub_api.hub.calling.desk._settings = hub_api.hub.settings.calling.model_copy(update={"transfer_keeps_number": True})
    await waiting(hub_api, 3, "NOI")
    await waiting(hub_api, 1, "KKB")
    for _ in range(3):
        last = (await his(hub_api, "NOI/call-next")).json()
    kept = (await his(hub_api, f"NOI/tickets/{last['id']}/transfer", {"to_department_id": "KKB"})).json()
    assert (kept["department_id"], kept["display_number"]) == ("KKB", "0003")
    first = await his(hub_api, "NOI/call-next")
    assert first.json()["code"] == "queue_empty"
    # KKB's own numbering goes on past the kept number: 0003 is never handed out twice there.
    issued = await hub_api.client.post("/api/v1/tickets", json={"department_id": "KKB"},
                                       headers={"Idempotency-Key": "after-keep"})  # fmt: skip
    assert issued.json()["display_number"] == "0004"


async def test_paused_and_closed_rooms_call_nothing_and_bad_input_is_refused(hub_api: HubUnderTest) -> None:
    await waiting(hub_api, 1, "NOI")
    paused = await his(hub_api, "NOI/rooms/NOI-01/state", {"state": "paused"})
    assert paused.json() == {"room_id": "NOI-01", "state": "paused"}
    await refused(hub_api, "NOI/rooms/NOI-01/call-next", 409, "room_paused")
    await his(hub_api, "NOI/rooms/NOI-01/state", {"state": "closed"})
    await refused(hub_api, "NOI/rooms/NOI-01/call-next", 409, "room_closed")
    await refused(hub_api, "NOI/rooms/NOI-99/call-next", 404, "room_not_found")
    await refused(hub_api, "NOI/rooms/KKB-01/call-next", 404, "room_not_found")  # a room of another department
    await refused(hub_api, "NOPE/call-next", 404, "department_not_found")
    await refused(hub_api, "NOI/tickets/no-such-ticket/done", 404, "ticket_not_found")
    await his(hub_api, "NOI/rooms/NOI-01/state", {"state": "open"})
    ticket = (await his(hub_api, "NOI/rooms/NOI-01/call-next")).json()
    await refused(hub_api, f"KKB/tickets/{ticket['id']}/done", 404, "ticket_not_found")  # not KKB's ticket
    await refused(hub_api, "NOI/call-next", 409, "queue_empty")
