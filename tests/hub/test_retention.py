"""Retention on SQLite and PostgreSQL: a morning of the hub 200 days ago (tickets, a registration, a BHYT re-check,
an offline ticket replayed), a morning today, then `kiosk-hub purge` (dry run, then for real) with the real clock.

What is past 180 days goes; what is recent stays, and so does a patient registered long ago who came back lately;
queue counters are untouched, so a number of the purged day is never handed out again.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, text

from kiosk.domain.dates import local_date
from kiosk_hub.app import create_app
from kiosk_hub.calling.desk import Actor
from kiosk_hub.db.models import EntitlementRecheck, Patient, QueueCounter, Ticket
from kiosk_hub.hub import Hub, build_hub
from kiosk_hub.leases.models import LeaseReplay, NumberLease
from kiosk_hub.migrate import upgrade
from kiosk_hub.retention.purge import purge, purge_lock
from kiosk_hub.retention.registry import PURGEABLE
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import FakeClock, enrol, seed
from tests.hub.servers import REPO, serve_in_thread
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

NOW = datetime.now(UTC).replace(microsecond=0)
LONG_AGO = NOW - timedelta(days=200)
DAYS = 180
DEMO_BOOKINGS = 3  # DEMO-NOW, DEMO-LATER, DEMO-TOMORROW


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.create_database(f"hub_retention_{uuid.uuid4().hex[:8]}")
    upgrade(url)
    return url


@dataclass
class Morning:
    patients: list[str]  # ids registered that morning
    tickets: list[str]


@contextlib.contextmanager
def served(hub: Hub) -> Iterator[httpx.Client]:
    with serve_in_thread(create_app(hub, background=False)) as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


def a_morning(hub: Hub, token: str, tag: str, returning: str | None = None) -> Morning:
    """Two registrations and three tickets (one for `returning`, a patient registered on another day)."""
    headers = {"Authorization": f"Bearer {token}"}
    with served(hub) as client:
        patients = []
        for n in range(2):
            registration = {"full_name": f"Bệnh Nhân {tag} {n}", "date_of_birth": "1980-01-0" + str(n + 1)}
            registration["bhxh_number"] = f"79{ord(tag[0]):03d}{n:05d}"
            answer = client.post("/api/v1/patients", json=registration, headers=headers)
            assert answer.status_code == 201, answer.text
            patients.append(answer.json()["id"])
        tickets = []
        for n, patient in enumerate([*patients, returning]):
            body = {"department_id": "KKB", "lane": "normal", "patient_id": patient}
            answer = client.post("/api/v1/tickets", json=body, headers={**headers, "Idempotency-Key": f"{tag}-{n}"})
            assert answer.status_code == 201, answer.text
            tickets.append(answer.json()["id"])
    with hub.writer() as session:
        session.add(
            EntitlementRecheck(
                id=str(uuid.uuid4()),
                patient_ref=patients[0],
                card_code="DN4010120012345",
                full_name=f"Bệnh Nhân {tag} 0",
                date_of_birth="1980-01-01",
                created_at=hub.clock(),
            )
        )
        session.commit()
    return Morning(patients, tickets)


def replayed_offline(hub: Hub, kiosk_id: str, ticket_id: str) -> None:
    """A lease and a replay pointing at `ticket_id`, as the replay of an offline ticket leaves them."""
    day = local_date(hub.clock())
    with hub.writer() as session:
        lease_id = str(uuid.uuid4())
        session.add(
            NumberLease(
                id=lease_id,
                kiosk_id=kiosk_id,
                department_id="KKB",
                day=day,
                lane="normal",
                first_number=900,
                last_number=909,
                granted_at=hub.clock(),
                renew_after=hub.clock(),
            )
        )
        session.flush()
        session.add(
            LeaseReplay(
                id=str(uuid.uuid4()),
                kiosk_id=kiosk_id,
                idempotency_key="offline-1",
                lease_id=lease_id,
                provisional_number=900,
                ticket_id=ticket_id,
                outcome="placed",
                replayed_at=hub.clock(),
            )
        )
        session.commit()


def looked_up_and_reprinted(hub: Hub, token: str, tag: str, morning: Morning) -> None:
    """Another kiosk looks the morning's first patient up and is handed their ticket (a lookup entry, a grant)."""
    headers = {"Authorization": f"Bearer {token}"}
    with served(hub) as client:
        lookup = {"kind": "bhxh_number", "value": f"79{ord(tag[0]):03d}00000"}  # as `a_morning` registered them
        assert client.post("/api/v1/patients/lookup", json=lookup, headers=headers).json()["id"] == morning.patients[0]
        body = {"department_id": "KKB", "lane": "normal", "patient_id": morning.patients[0]}
        answer = client.post("/api/v1/tickets", json=body, headers={**headers, "Idempotency-Key": "reprint"})
        assert (answer.status_code, answer.json()["id"]) == (200, morning.tickets[0])


def counts(hub: Hub) -> dict[str, int]:
    with hub.reader() as session:
        return {e.name: session.execute(text(f"SELECT count(*) FROM {e.name}")).scalar_one() for e in PURGEABLE}


def counters(hub: Hub) -> set[tuple[object, ...]]:
    with hub.reader() as session:
        return {(c.department_id, c.day, c.lane, c.last_number) for c in session.scalars(select(QueueCounter))}


def run_purge_command(url: str, *extra: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk_hub.cli", "purge", "--db", url, "--days", str(DAYS), *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(done.stdout))


def test_purge_deletes_what_is_past_retention_and_keeps_numbers_unique(store_url: str) -> None:
    clock = FakeClock(LONG_AGO)
    # Both keys (configuration signing, lookup log) in the run's own place, never the installed one in /etc.
    hub = build_hub(HubSettings(database_url=store_url, key_file=key_file_for(store_url)), clock=clock)
    try:
        seed(hub)  # its bookings are at LONG_AGO's day
        token = enrol(hub)
        kiosk_id = hub.gate.kiosk_id(token)
        assert kiosk_id is not None
        old = a_morning(hub, token, "old")
        seen = hub.calling.desk.call_next("KKB", None, Actor("staff:test"))  # a room saw the old morning's first
        hub.calling.desk.done("KKB", seen.id, Actor("staff:test"))
        replayed_offline(hub, kiosk_id, old.tickets[0])
        looked_up_and_reprinted(hub, enrol(hub, "kiosk-2"), "old", old)
        clock.now = NOW
        new = a_morning(hub, token, "new", returning=old.patients[1])  # came back today
        looked_up_and_reprinted(hub, enrol(hub, "kiosk-3"), "new", new)
        before, numbers_before = counts(hub), counters(hub)

        dry = run_purge_command(store_url, "--dry-run")
        assert dry["dry_run"] is True
        assert dry["rows"] == {
            "his_visits": 2,  # the old morning's two registered patients' visits (the third ticket had no patient)
            "his_entitlement_checks": 0,
            "his_pending_registrations": 0,
            "register_visits": 0,  # no dispatcher ran here: the visits were never opened
            "bhyt_checkins": 0,
            "lease_replays": 1,
            "ticket_grants": 1,  # the old morning's reprint; today's stays
            "ticket_calls": 1,  # the old morning's call at a room
            "call_log": 2,  # called, done
            "tickets": 3,
            "patient_lookups": 1,
            "entitlement_rechecks": 1,
            "demo_appointments": DEMO_BOOKINGS,  # seeded on the old morning
            "demo_patients": 1,  # the old morning's first patient; the second came back today
        }
        assert counts(hub) == before  # a dry run deletes nothing

        done = run_purge_command(store_url)
        assert done["rows"] == dry["rows"]
        with hub.reader() as session:
            tickets = set(session.scalars(select(Ticket.id)))
            patients = set(session.scalars(select(Patient.id)))
            rechecks = {r.patient_ref for r in session.scalars(select(EntitlementRecheck))}
            replays = session.scalars(select(LeaseReplay)).all()
        assert tickets == set(new.tickets)
        assert patients & {*old.patients, *new.patients} == {*new.patients, old.patients[1]}
        assert rechecks == {new.patients[0]}
        assert replays == []
        assert counters(hub) == numbers_before  # counters hold no personal data and are never purged

        # A kiosk whose clock (or an offline replay) still says the purged day gets the next number, not #1 again.
        clock.now = LONG_AGO
        with served(hub) as client:
            again = client.post(
                "/api/v1/tickets",
                json={"department_id": "KKB", "lane": "normal"},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "old-again"},
            )
        assert again.status_code == 201
        assert again.json()["number"] == 4
        # That ticket is itself past retention: the next purge takes it, and nothing else.
        assert run_purge_command(store_url)["rows"] == {e.name: 0 for e in PURGEABLE} | {"tickets": 1}
    finally:
        hub.engine.dispose()


def test_one_process_purges_at_a_time(store_url: str) -> None:
    first = build_hub(HubSettings(database_url=store_url, key_file=key_file_for(store_url)))
    second = build_hub(HubSettings(database_url=store_url, key_file=key_file_for(store_url)))
    try:
        with purge_lock(first.engine) as held:
            assert held
            report = purge(second, DAYS)
            assert report.skipped
            assert report.rows == {}
        assert not purge(second, DAYS).skipped  # the lock went with the first purge
    finally:
        first.engine.dispose()
        second.engine.dispose()


def test_a_serving_hub_purges_in_the_background(sqlite_url: str) -> None:
    clock = FakeClock(LONG_AGO)
    settings = HubSettings(database_url=sqlite_url, purge_interval_seconds=0.2, retention_days=DAYS)
    hub = build_hub(settings, clock=clock)
    try:
        seed(hub)
        token = enrol(hub)
        old = a_morning(hub, token, "old")
        clock.now = NOW
        with serve_in_thread(create_app(hub), lifespan="on"):
            deadline = time.monotonic() + 20
            while counts(hub)["tickets"] and time.monotonic() < deadline:
                time.sleep(0.1)
        with hub.reader() as session:
            assert not set(session.scalars(select(Ticket.id))) & set(old.tickets)
    finally:
        hub.engine.dispose()
