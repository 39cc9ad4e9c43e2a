"""Expected waits learned from the queue's calls and the counters' Done times, on SQLite and PostgreSQL: what is
learned, what is not (an idle counter, a night, a lunch break), and the wait the kiosk and the ticket are told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import HubSettings
from kiosk_hub.waits.estimate import expected_wait
from kiosk_hub.waits.learn import ALPHA, OUTLIER, record_service
from kiosk_hub.waits.models import ALL_DAY, EVERY_LANE, EVERY_ROOM, Pace, ServiceRate
from kiosk_hub.wire import TicketRequest
from tests.hub.conftest import FakeClock, HubUnderTest, enrol, seed
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

HOUR = 9  # the local hour of the `clock` fixture (02:00 UTC)


def _issue(hub: Hub, kiosk: str, count: int, start: int = 0, lane: str = "normal") -> None:
    for i in range(start, start + count):
        reasons = ["aged_75_plus"] if lane == "priority" else []
        body = TicketRequest.model_validate({"department_id": "NOI", "lane": lane, "priority_reasons": reasons})
        hub.queue.issue(IssueRequest(kiosk, f"k-{lane}-{i}", body))


def _rate(hub: Hub, room: str = EVERY_ROOM, hour: int = HOUR, pace: Pace = Pace.CALL_GAP,
          lane: str = EVERY_LANE) -> tuple[float, int] | None:  # fmt: skip
    with hub.reader() as session:
        row = session.execute(
            select(ServiceRate.mean_seconds, ServiceRate.samples).where(
                ServiceRate.department_id == "NOI",
                ServiceRate.room_id == room,
                ServiceRate.lane == lane,
                ServiceRate.pace == pace.value,
                ServiceRate.hour == hour,
            )
        ).one_or_none()
    return None if row is None else (round(row[0], 3), row[1])


def _calls_every(hub: Hub, clock: FakeClock, minutes: float, count: int) -> None:
    for _ in range(count):
        clock.now += timedelta(minutes=minutes)
        hub.queue.call_next("NOI")


def assert_calls_teach_the_pace(hub: Hub, clock: FakeClock) -> None:
    kiosk = hub.gate.kiosk_id(enrol(hub))
    assert kiosk is not None
    _issue(hub, kiosk, 7)
    _calls_every(hub, clock, 4, 5)  # the first call starts the clock: four gaps of four minutes
    assert _rate(hub) == (240.0, 4)
    assert _rate(hub, hour=ALL_DAY) == (240.0, 4)
    # NOI has three rooms handed out in turn: rooms 01 and 02 were called twice, one gap each of 12 minutes.
    assert _rate(hub, room="NOI-01") == (720.0, 1)
    # Two tickets wait. The next one issued has both ahead: the hour's 240 s blended with the day's, the day's
    # with the cold start (8 minutes per patient over 3 rooms = 160 s): (4·240 + 5·160)/9 = 195.6 s,
    # then (4·240 + 5·195.6)/9 = 215.3 s per call, two calls = 7.2 min → 8 (the configured pace says 6).
    hub.queue.estimator.forget()  # type: ignore[attr-defined]
    body = TicketRequest.model_validate({"department_id": "NOI"})
    ticket, _ = hub.queue.issue(IssueRequest(kiosk, "told", body))
    assert (ticket.position, ticket.wait_estimate_minutes) == (2, 8)
    with hub.engine.connect() as conn:
        assert expected_wait(conn, "NOI", 2, clock()) == 8
        assert expected_wait(conn, "NOI", 0, clock()) == 0
        assert expected_wait(conn, "NOWHERE", 2, clock()) is None


def test_calls_teach_the_pace_on_sqlite(sqlite_url: str, clock: FakeClock) -> None:
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    seed(hub)
    try:
        assert_calls_teach_the_pace(hub, clock)
    finally:
        hub.engine.dispose()


@pytest.mark.postgres
def test_calls_teach_the_pace_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    url = postgres.create_database("hub_waits")
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    seed(hub)
    try:
        assert_calls_teach_the_pace(hub, clock)
    finally:
        hub.engine.dispose()


def test_an_idle_counter_a_night_and_a_lunch_break_teach_no_false_pace(sqlite_url: str, clock: FakeClock) -> None:
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    seed(hub)
    kiosk = hub.gate.kiosk_id(enrol(hub))
    assert kiosk is not None
    _issue(hub, kiosk, 1)
    _calls_every(hub, clock, 1, 1)
    clock.now += timedelta(minutes=30)  # nobody waited: the counter sat idle, the gap is no pace
    _issue(hub, kiosk, 1, start=1)
    _calls_every(hub, clock, 1, 1)
    assert _rate(hub) is None
    clock.now += timedelta(minutes=1)
    _issue(hub, kiosk, 12, start=2)
    _calls_every(hub, clock, 2, 10)  # ten calls while people waited: nine gaps of two minutes
    assert _rate(hub) == (120.0, 9)
    clock.now += timedelta(hours=3)  # lunch, people still waiting: counted as OUTLIER times the mean, no more
    _calls_every(hub, clock, 0, 1)
    assert _rate(hub, hour=HOUR + 3) == (3 * 3600.0, 1)  # a new hour's first sample is itself
    day = _rate(hub, hour=ALL_DAY)
    assert day is not None
    assert day == (round(120 + ALPHA * (OUTLIER * 120 - 120), 3), 10)
    clock.now += timedelta(days=1)  # the next morning's first call measures no gap from yesterday's last
    _issue(hub, kiosk, 1, start=20)
    _calls_every(hub, clock, 0, 1)
    assert _rate(hub, hour=ALL_DAY) == day
    hub.engine.dispose()


def test_done_times_are_learned_per_lane_and_room_and_become_the_cold_start(sqlite_url: str,
                                                                            clock: FakeClock) -> None:  # fmt: skip
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    seed(hub)
    start = clock()
    with hub.engine.begin() as conn:
        assert not record_service(conn, "NOI", "NOI-01", "normal", start, start)  # a zero-length visit
        assert not record_service(conn, "NOI", "NOI-01", "normal", start, start + timedelta(hours=5))
        for minutes in (12, 12, 12):
            assert record_service(conn, "NOI", "NOI-01", "priority", start, start + timedelta(minutes=minutes))
    assert _rate(hub, pace=Pace.SERVICE) == (720.0, 3)
    assert _rate(hub, pace=Pace.SERVICE, lane="priority", room="NOI-01", hour=ALL_DAY) == (720.0, 3)
    assert _rate(hub, pace=Pace.SERVICE, lane="normal") is None
    with hub.engine.connect() as conn:
        # No call gap yet: the cold start is the time at the counter blended with the configured 8 minutes,
        # (3·720 + 5·480)/8 = 570 s over 3 rooms = 190 s per call; three calls = 9.5 min → 10 (configured: 8).
        assert expected_wait(conn, "NOI", 3, clock()) == 10
    hub.engine.dispose()


async def test_the_kiosk_department_list_shows_the_learned_wait(hub_api: HubUnderTest, clock: FakeClock) -> None:
    hub = hub_api.hub
    kiosk = hub.gate.kiosk_id(hub_api.token)
    assert kiosk is not None
    _issue(hub, kiosk, 12)
    for _ in range(11):  # one call every 10 minutes, over the HIS's calling API
        clock.now += timedelta(minutes=10)
        called = await hub_api.client.post("/api/v1/departments/NOI/call-next", headers=hub_api.as_his)
        assert called.status_code == 200
    clock.now += timedelta(seconds=20)  # past the estimator's cache
    listed = await hub_api.client.get("/api/v1/departments")
    noi = next(d for d in listed.json()["departments"] if d["id"] == "NOI")
    # 10:50 now; ten gaps of 600 s, six of them in this hour. One waits, so a new ticket has one ahead:
    # the day (10·600 + 5·160)/15 = 453.3 s, the hour (6·600 + 5·453.3)/11 = 533.3 s → 9 min (configured: 3).
    assert (noi["queue_length"], noi["wait_estimate_minutes"]) == (1, 9)


def test_a_store_that_cannot_answer_the_pace_still_issues_with_the_configured_wait(
    sqlite_url: str, clock: FakeClock
) -> None:
    hub = build_hub(HubSettings(database_url=sqlite_url), clock=clock)
    seed(hub)
    kiosk = hub.gate.kiosk_id(enrol(hub))
    assert kiosk is not None
    _issue(hub, kiosk, 3)
    with hub.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE wait_rates")  # a store the learned pace cannot be read from
    ticket, _ = hub.queue.issue(IssueRequest(kiosk, "still", TicketRequest.model_validate({"department_id": "NOI"})))
    assert (ticket.position, ticket.wait_estimate_minutes) == (3, 8)  # 3 ahead × 8 minutes over 3 rooms
    hub.engine.dispose()
