"""The expected wait a patient is told, checked against a discrete-event simulation of a clinic day.

A simulated outpatient department (SimPy) with known processes: Poisson arrivals whose rate changes by the hour
(the morning peak, the lunch lull), lognormal times at the counter (longer for the priority lane), fewer counters
staffed over lunch. The hub's real queue book issues and calls every ticket on a SQLite store, on the simulation's
clock, and learns its pace from the calls as it runs. Each ticket's estimate (what the kiosk shows and the ticket
prints) is compared with the wait it really had, for the learned pace and for the configured minutes per patient:

    .venv/bin/python bench/waits.py [--days 10] [--seed 7] [--with-done] [--minutes-per-patient 6]

Prints the absolute error in minutes (p50, p90) and the mean signed error, on the first day (cold start) and on
the days after. `--with-done` also reports every visit's Start and Done to the hub (`record_service`), as the
calling pages do.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.domain.ticket import Lane
from kiosk_hub.db.models import Department
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.queue.order import wait_minutes
from kiosk_hub.queue.tickets import IssueRequest
from kiosk_hub.settings import HubSettings
from kiosk_hub.waits.learn import record_service
from kiosk_hub.wire import TicketRequest
from tests.hub.conftest import enrol, seed

DEPARTMENT = "KKB"  # the demo's outpatient clinic: 4 rooms, one priority ticket every 3 normal
OPENS = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 07:00 in Hà Nội, a Monday
# Arrivals per hour from 07:00 (the last hour's arrivals are served after it), and the counters staffed each hour.
ARRIVALS_PER_HOUR = [48, 44, 34, 26, 10, 6, 22, 18, 10]
STAFFED = [4, 4, 4, 3, 2, 1, 3, 3, 3, 3, 3, 3]
PRIORITY_SHARE = 0.15
SERVICE_MINUTES = {Lane.NORMAL: 7.0, Lane.PRIORITY: 10.0}  # the lognormal's mean
SERVICE_SIGMA = 0.5


@dataclass
class Issued:
    day: int
    issued: float  # minutes since the day opened
    lane: Lane
    learned: int
    configured: int
    called: float | None = None


@dataclass
class Clinic:
    """One simulated day of the department against the hub."""

    env: simpy.Environment
    day: int
    hub_clock: list[datetime]
    rng: random.Random
    args: argparse.Namespace
    kiosk: str
    hub: object
    tickets: dict[str, Issued] = field(default_factory=dict)
    waiting: int = 0
    bell: simpy.Event | None = None

    def now(self) -> datetime:
        return OPENS + timedelta(days=self.day, minutes=self.env.now)

    def _sync(self) -> None:
        self.hub_clock[0] = self.now()

    def arrivals(self) -> Generator[simpy.Event, None, None]:
        peak = max(ARRIVALS_PER_HOUR)
        while True:
            yield self.env.timeout(self.rng.expovariate(peak / 60))
            hour = int(self.env.now // 60)
            if hour >= len(ARRIVALS_PER_HOUR):
                return
            if self.rng.random() < ARRIVALS_PER_HOUR[hour] / peak:  # thinning: the hour's own rate
                self._issue()

    def _issue(self) -> None:
        self._sync()
        lane = Lane.PRIORITY if self.rng.random() < PRIORITY_SHARE else Lane.NORMAL
        reasons = ["aged_75_plus"] if lane is Lane.PRIORITY else []
        body = TicketRequest.model_validate({"department_id": DEPARTMENT, "lane": lane, "priority_reasons": reasons})
        key = f"d{self.day}-{len(self.tickets)}"
        ticket, _ = self.hub.queue.issue(IssueRequest(self.kiosk, key, body))  # type: ignore[attr-defined]
        ahead = ticket.position or 0
        configured = wait_minutes(ahead, self.args.minutes_per_patient, 4)
        self.tickets[ticket.id] = Issued(self.day, self.env.now, lane, ticket.wait_estimate_minutes, configured)
        self.waiting += 1
        if self.bell is not None and not self.bell.triggered:
            self.bell.succeed()

    def counter(self, index: int) -> Generator[simpy.Event, None, None]:
        while True:
            hour = int(self.env.now // 60)
            if hour >= len(STAFFED):
                return
            if index >= STAFFED[hour] or self.waiting == 0:
                self.bell = self.bell if self.bell is not None and not self.bell.triggered else self.env.event()
                # Idle: until a ticket arrives or the next hour's staffing, whichever is first.
                yield self.bell | self.env.timeout(60 - self.env.now % 60)
                continue
            self._sync()
            ticket = self.hub.queue.call_next(DEPARTMENT)  # type: ignore[attr-defined]
            self.waiting -= 1
            issued = self.tickets[ticket.id]
            issued.called = self.env.now
            mean = SERVICE_MINUTES[issued.lane]
            took = self.rng.lognormvariate(math.log(mean) - SERVICE_SIGMA**2 / 2, SERVICE_SIGMA)
            started = self.now()
            yield self.env.timeout(took)
            if self.args.with_done:
                with self.hub.engine.begin() as conn:  # type: ignore[attr-defined]
                    record_service(conn, DEPARTMENT, ticket.room.id if ticket.room else None, issued.lane,
                                   started, self.now())  # fmt: skip


def simulate(args: argparse.Namespace, store: Path) -> list[Issued]:
    url = f"sqlite:///{store}"
    upgrade(url)
    clock = [OPENS]
    hub = build_hub(HubSettings(database_url=url, key_file=store.with_suffix(".key")), clock=lambda: clock[0])
    seed(hub)
    with hub.writer() as session:
        department = session.get(Department, DEPARTMENT)
        assert department is not None
        department.minutes_per_patient = args.minutes_per_patient
        session.commit()
    kiosk = hub.gate.kiosk_id(enrol(hub))
    rng = random.Random(args.seed)
    everything: list[Issued] = []
    try:
        for day in range(args.days):
            env = simpy.Environment()
            clinic = Clinic(env, day, clock, rng, args, kiosk, hub)
            env.process(clinic.arrivals())
            for index in range(max(STAFFED)):
                env.process(clinic.counter(index))
            env.run()
            everything.extend(clinic.tickets.values())
            hub.queue.estimator.forget()  # type: ignore[attr-defined]
    finally:
        hub.engine.dispose()
    return everything


def _errors(tickets: list[Issued], which: str) -> Iterator[float]:
    for t in tickets:
        if t.called is not None:
            yield getattr(t, which) - (t.called - t.issued)


def _line(label: str, tickets: list[Issued], which: str) -> str:
    signed = list(_errors(tickets, which))
    absolute = sorted(abs(e) for e in signed)
    p50 = statistics.median(absolute)
    p90 = absolute[min(len(absolute) - 1, int(0.9 * len(absolute)))]
    return f"  {label:<34} p50 {p50:6.1f}  p90 {p90:6.1f}  mean signed {statistics.fmean(signed):+6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--minutes-per-patient", type=int, default=6, help="what the console is configured with")
    parser.add_argument("--with-done", action="store_true", help="report Start and Done of every visit too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tickets = simulate(args, Path(tmp) / "hub.sqlite3")
    waits = [t.called - t.issued for t in tickets if t.called is not None]
    print(f"{len(tickets)} tickets over {args.days} days; true wait p50 {statistics.median(waits):.1f} min, "
          f"max {max(waits):.1f} min; configured {args.minutes_per_patient} min per patient, 4 rooms")  # fmt: skip
    print("absolute error of the expected wait, minutes (estimate minus true wait)")
    for label, group in (("day 1 (cold start)", [t for t in tickets if t.day == 0]),
                         (f"days 2-{args.days}", [t for t in tickets if t.day > 0])):  # fmt: skip
        print(label)
        print(_line("learned pace (hub)", group, "learned"))
        print(_line("configured minutes per patient", group, "configured"))


if __name__ == "__main__":
    main()
