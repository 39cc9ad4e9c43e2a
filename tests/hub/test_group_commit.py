"""Group commit of ticket issues: one transaction per batch, each request answered alone, positions as if alone."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Sequence
from datetime import date
from itertools import product

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk_hub import errors, wire
from kiosk_hub.db.models import Ticket
from kiosk_hub.queue.batch import Known
from kiosk_hub.queue.group_commit import IssueBatcher
from kiosk_hub.queue.tickets import IssueOutcome, IssueRequest, QueueBook
from tests.hub.conftest import HubUnderTest

LANES = ["normal", "priority"]


def request(key: str, department: str = "NOI", kiosk: str = "k-1") -> IssueRequest:
    return IssueRequest(kiosk, key, wire.TicketRequest.model_validate({"department_id": department}))


def kiosk_of(hub_api: HubUnderTest) -> str:
    kiosk = hub_api.hub.gate.kiosk_id(hub_api.token)
    assert kiosk is not None
    return kiosk


def count_tickets(hub_api: HubUnderTest) -> int:
    with hub_api.hub.reader() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


async def test_a_batch_answers_each_request_and_refusals_alone(hub_api: HubUnderTest) -> None:
    k = kiosk_of(hub_api)
    batch = [request("a", kiosk=k), request("x", "NO-SUCH", k), request("b", kiosk=k), request("a", kiosk=k)]
    outcomes = hub_api.hub.queue.issue_many(batch)
    first, refused, second, retry = outcomes
    assert isinstance(refused, errors.HubError)
    assert refused.code == "department_not_found"
    assert not isinstance(first, errors.HubError)
    assert not isinstance(second, errors.HubError)
    assert not isinstance(retry, errors.HubError)
    assert (first[0].number, first[1]) == (1, False)
    assert (second[0].number, second[1]) == (2, False)
    assert (retry[0].id, retry[1]) == (first[0].id, True)  # the same key inside one batch: the same ticket
    assert count_tickets(hub_api) == 2


class RacedQueueBook(QueueBook):
    """Fault injection: its first lookup misses, as when another hub process commits between read and insert."""

    blind = True

    def _look_up(self, session: Session, requests: Sequence[IssueRequest], day: date) -> Known:
        if self.blind:
            self.blind = False
            return Known({}, {})
        return super()._look_up(session, requests, day)


async def test_a_conflicting_batch_rolls_back_whole_and_is_retried_one_by_one(hub_api: HubUnderTest) -> None:
    hub, k = hub_api.hub, kiosk_of(hub_api)
    (first,) = hub.queue.issue_many([request("raced", kiosk=k)])
    assert not isinstance(first, errors.HubError)
    raced = RacedQueueBook(hub.reader, hub.writer, hub.clock, "http://hub.test")
    outcomes = raced.issue_many([request("raced", kiosk=k), request("c", kiosk=k)])
    assert not raced.blind
    again, fresh = outcomes
    assert not isinstance(again, errors.HubError)
    assert not isinstance(fresh, errors.HubError)
    assert (again[0].id, again[1]) == (first[0].id, True)
    assert (fresh[0].number, fresh[1]) == (2, False)  # the rolled-back attempt left no gap
    assert count_tickets(hub_api) == 2


async def test_the_batcher_groups_waiting_requests_and_keeps_order() -> None:
    batches: list[list[str]] = []

    async def write(requests: Sequence[IssueRequest]) -> list[IssueOutcome]:
        batches.append([r.idempotency_key for r in requests])
        await asyncio.sleep(0.01)  # the writer is busy: later requests queue for the next batch
        return [errors.not_found(r.idempotency_key) for r in requests]

    batcher = IssueBatcher(write)
    first = asyncio.create_task(batcher.issue(request("0")))
    await asyncio.sleep(0.002)  # the first batch is being written
    rest = await asyncio.gather(*(batcher.issue(request(str(i))) for i in range(1, 5)), return_exceptions=True)
    results = [*await asyncio.gather(first, return_exceptions=True), *rest]
    assert batches == [["0"], ["1", "2", "3", "4"]]
    assert [str(getattr(r, "code", "")) for r in results] == [f"{i}_not_found" for i in range(5)]


async def test_a_failed_batch_fails_its_callers_and_the_next_batch_still_runs() -> None:
    calls = 0

    async def write(requests: Sequence[IssueRequest]) -> list[IssueOutcome]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise OSError("disk gone")
        return [errors.not_found("ok") for _ in requests]

    batcher = IssueBatcher(write)
    with pytest.raises(OSError, match="disk gone"):
        await batcher.issue(request("1"))
    with pytest.raises(errors.HubError):
        await batcher.issue(request("2"))


async def test_a_batch_answers_positions_as_the_status_endpoint_counts_them_after(hub_api: HubUnderTest) -> None:
    hub, k = hub_api.hub, kiosk_of(hub_api)

    def lane_request(key: str, department: str, lane: str, patient: str | None = None) -> IssueRequest:
        body = {"department_id": department, "lane": lane, "patient_id": patient}
        return IssueRequest(k, key, wire.TicketRequest.model_validate(body))

    # A queue already under way: both lanes waiting in an interleaved (KKB) and a strict (NOI) department, one
    # ticket called (the interleave rhythm has started), one cancelled.
    before = [lane_request(f"b{i}", d, lane) for i, (d, lane) in enumerate(product(["KKB", "NOI"], LANES * 3))]
    issued = hub.queue.issue_many(before)
    hub.queue.call_next("KKB")
    first = issued[1]
    assert not isinstance(first, errors.HubError)
    hub.queue.cancel(k, first[0].id)
    batch = [lane_request(f"n{i}", d, lane) for i, (d, lane) in enumerate(product(["NOI", "KKB"], LANES * 4))]
    batch.append(lane_request("b0", "KKB", "normal"))  # a retry among them: its ticket as it stands
    batch.append(lane_request("n0", "NOI", "normal"))  # the same key twice in one batch: one ticket
    batch.append(lane_request("p1", "NOI", "priority", patient="BN-1"))
    batch.append(lane_request("p2", "NOI", "normal", patient="BN-1"))  # the same patient again: their ticket
    outcomes = hub.queue.issue_many(batch)

    def answered(outcome: IssueOutcome) -> wire.Ticket:
        assert not isinstance(outcome, errors.HubError)
        return outcome[0]

    tickets = [answered(o) for o in outcomes]
    now = [hub.queue.get(t.id) for t in tickets]
    assert [(t.display_number, t.position, t.wait_estimate_minutes) for t in tickets] == [
        (t.display_number, t.position, t.wait_estimate_minutes) for t in now
    ]
    assert len({t.position for t in tickets}) >= 8  # positions that say something: many, all different
    assert [o[1] for o in outcomes if not isinstance(o, errors.HubError)][-4:] == [True, True, False, True]
    assert tickets[-3].id == tickets[0].id
    assert tickets[-1].id == tickets[-2].id
    numbers = [(t.department_id, t.lane, t.number) for t in {t.id: t for t in tickets}.values()]
    assert len(numbers) == len(set(numbers)) == 18  # 16 new, the patient's one, the retried one


async def test_a_writer_in_another_process_holds_the_hubs_writes_until_it_lets_go(hub_api: HubUnderTest) -> None:
    # What a second hub process on the same SQLite file does while it writes: it holds the flock beside the file.
    database = hub_api.hub.engine.url.database
    assert database is not None
    other_process = os.open(database + "-writer.lock", os.O_RDWR)
    try:
        fcntl.flock(other_process, fcntl.LOCK_EX)
        k = kiosk_of(hub_api)
        waiting = asyncio.create_task(asyncio.to_thread(hub_api.hub.queue.issue_many, [request("held", kiosk=k)]))
        await asyncio.sleep(0.3)
        assert not waiting.done()
        fcntl.flock(other_process, fcntl.LOCK_UN)
        (outcome,) = await asyncio.wait_for(waiting, timeout=5)  # woken at once, not after a busy-wait sleep
        assert not isinstance(outcome, errors.HubError)
        assert outcome[0].number == 1
    finally:
        os.close(other_process)
