"""The HIS client under injected faults (httpx.MockTransport): timeouts, 5xx, retries only where they are safe."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from kiosk.backend_client.client import HisClient, RetryPolicy, Timeouts
from kiosk.backend_client.errors import HisConnectionError, HisError, HisResponseError
from kiosk.domain.dates import PartialDate
from kiosk.domain.ticket import Lane, VisitType
from kiosk.flow.records import TicketOrder

DEPARTMENTS = {
    "departments": [
        {
            "id": "NOI",
            "name": {"vi": "Khoa Nội", "en": "Internal Medicine"},
            "location": {"vi": "Tầng 1", "en": "Floor 1"},
            "rooms": [],
            "open_now": True,
            "queue_length": 3,
            "wait_estimate_minutes": 15,
            "a_field_added_later": 1,
        }
    ]
}
TICKET = {
    "id": "t1",
    "number": 5,
    "display_number": "0005",
    "department_id": "NOI",
    "department_name": {"vi": "Khoa Nội", "en": "Internal Medicine"},
    "lane": "normal",
    "day": "2026-11-23",
    "room": None,
    "visit_type": "fee",
    "status": "waiting",
    "issued_at": "2026-11-23T09:00:00+07:00",
    "called_at": None,
    "position": 2,
    "wait_estimate_minutes": 10,
    "status_url": "http://hub/t/t1",
    "reprint": False,
}
ORDER = TicketOrder("NOI", "P1", Lane.NORMAL, VisitType.FEE, idempotency_key="order-42")
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A scripted hub: answers (or raises) in order and keeps every request it saw."""

    def __init__(self, *script: httpx.Response | Exception) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step


def problem(status: int, code: str) -> httpx.Response:
    body = {"title": code, "status": status, "code": code, "message_key": f"hub.{code}"}
    return httpx.Response(status, json=body, headers={"Content-Type": "application/problem+json"})


def make(recorder: Recorder, sleeps: list[float]) -> HisClient:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder), base_url="http://hub")
    return HisClient(http, token="kh_t", retry=RetryPolicy(attempts=3, base_delay_s=0.2), sleep=sleep, rnd=lambda: 1.0)


async def test_a_timeout_is_retried_with_growing_backoff_then_reported() -> None:
    recorder, sleeps = Recorder(httpx.ReadTimeout("slow")), list[float]()
    client = make(recorder, sleeps)
    with pytest.raises(HisConnectionError) as caught:
        await client.departments()
    assert caught.value.timed_out
    assert caught.value.message_key == "hub.timeout"
    assert len(recorder.requests) == 3
    assert sleeps == [0.2, 0.4]


async def test_jitter_keeps_each_wait_under_its_cap() -> None:
    policy = RetryPolicy(attempts=5, base_delay_s=0.2, max_delay_s=1.0)
    waits = [policy.delay(n, lambda: 0.5) for n in range(5)]
    assert waits == [0.1, 0.2, 0.4, 0.5, 0.5]
    assert policy.delay(3, lambda: 0.0) == 0.0


async def test_503_then_success_is_one_answer_after_three_requests() -> None:
    recorder, sleeps = (
        Recorder(problem(503, "busy"), problem(503, "busy"), httpx.Response(200, json=DEPARTMENTS)),
        list[float](),
    )
    departments = await make(recorder, sleeps).departments()
    assert [d.id for d in departments] == ["NOI"]
    assert len(recorder.requests) == 3


async def test_a_500_is_a_bug_on_the_hub_and_not_retried() -> None:
    recorder = Recorder(problem(500, "internal_error"))
    with pytest.raises(HisResponseError) as caught:
        await make(recorder, []).departments()
    assert (caught.value.status, caught.value.code, caught.value.message_key) == (
        500,
        "internal_error",
        "hub.internal_error",
    )
    assert len(recorder.requests) == 1


async def test_a_ticket_order_is_retried_with_the_same_idempotency_key() -> None:
    recorder = Recorder(httpx.ConnectError("refused"), problem(502, "bad_gateway"), httpx.Response(201, json=TICKET))
    ticket = await make(recorder, []).issue_ticket(ORDER)
    assert ticket.number == 5
    keys = {r.headers["Idempotency-Key"] for r in recorder.requests}
    assert keys == {"order-42"}
    assert len(recorder.requests) == 3
    sent = json.loads(recorder.requests[0].content)
    assert sent == {
        "department_id": "NOI",
        "patient_id": "P1",
        "lane": "normal",
        "priority_reasons": [],
        "visit_type": "fee",
    }


async def test_a_non_idempotent_call_is_never_retried() -> None:
    recorder = Recorder(httpx.ConnectError("refused"))
    with pytest.raises(HisConnectionError) as caught:
        await make(recorder, []).cancel_ticket("t1")
    assert caught.value.message_key == "hub.unavailable"
    assert len(recorder.requests) == 1
    recorder = Recorder(problem(503, "busy"))
    with pytest.raises(HisResponseError):
        await make(recorder, []).cancel_ticket("t1")
    assert len(recorder.requests) == 1


async def test_every_call_carries_a_timeout_and_the_entitlement_check_a_longer_one() -> None:
    entitlement = {"action": "proceed", "message_key": "entitlement.card_valid", "valid_today": True}
    recorder = Recorder(httpx.Response(200, json=entitlement))
    client = HisClient(
        httpx.AsyncClient(transport=httpx.MockTransport(recorder), base_url="http://hub"),
        token="kh_t",
        timeouts=Timeouts(default_s=3.0, entitlement_s=11.0, connect_s=1.0),
    )
    await client.check_entitlement("HS4010123456789", "Nguyễn Văn An", PartialDate(1989), None)
    recorder.script = [httpx.Response(200, json=DEPARTMENTS)]
    await client.departments()
    timeouts = [r.extensions["timeout"] for r in recorder.requests]
    assert timeouts == [
        {"connect": 1.0, "read": 11.0, "write": 11.0, "pool": 11.0},
        {"connect": 1.0, "read": 3.0, "write": 3.0, "pool": 3.0},
    ]
    assert all(r.headers["Authorization"] == "Bearer kh_t" for r in recorder.requests)


async def test_an_answer_that_is_not_the_contract_is_a_his_error_without_its_content() -> None:
    recorder = Recorder(httpx.Response(200, json={"departments": [{"id": "NOI"}]}))
    with pytest.raises(HisError, match="field errors") as caught:
        await make(recorder, []).departments()
    assert "NOI" not in str(caught.value)


async def test_an_unknown_entitlement_action_sends_the_patient_to_a_person() -> None:
    from kiosk.domain.entitlement import EntitlementAction

    recorder = Recorder(httpx.Response(200, json={"action": "teleport", "message_key": "entitlement.x"}))
    answer = await make(recorder, []).check_entitlement("HS4010123456789", "A", PartialDate(1989), None)
    assert answer.action == EntitlementAction.DESK


async def test_a_non_json_error_page_still_becomes_a_typed_error() -> None:
    recorder = Recorder(httpx.Response(404, text="<html>not here</html>"))
    with pytest.raises(HisResponseError) as caught:
        await make(recorder, []).departments()
    assert (caught.value.code, caught.value.message_key) == ("http_404", "hub.http_404")
