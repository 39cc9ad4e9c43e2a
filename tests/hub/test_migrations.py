"""Alembic migrations run from an empty database to head, on SQLite and on PostgreSQL; data carried across them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError

from kiosk_hub import wire
from kiosk_hub.db.models import Department, Room, Ticket
from kiosk_hub.fleet.models import FleetKiosk, KioskGroup
from kiosk_hub.hub import build_hub
from kiosk_hub.kiosk_tokens import hash_token, new_token
from kiosk_hub.migrate import alembic_config, current_head, upgrade
from kiosk_hub.queue.tickets import IssueRequest, QueueBook
from kiosk_hub.settings import HubSettings
from tests.hub.conftest import FakeClock, enrol, seed
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

TABLES = {
    "kiosks",
    "departments",
    "rooms",
    "queue_counters",
    "call_counters",
    "tickets",
    "demo_patients",
    "demo_appointments",
    "entitlement_rechecks",
    "outbox_events",
    "event_counter",
    "webhook_subscriptions",
    "webhook_deliveries",
    "his_visits",
    "his_pending_registrations",
    "his_entitlement_checks",
    "register_visits",
    "his_department_links",
    "bhyt_checkins",
    "payments",
    "bank_transfers",
    "exam_prices",
    "bank_feed",
    "payment_alerts",
    "ticket_calls",
    "call_log",
    "calling_areas",
    "display_screens",
    "wait_rates",
    "wait_last_calls",
    "alembic_version",
}
DAY = date(2026, 11, 23)  # the local day of the `clock` fixture
KKB_AT_0300 = """INSERT INTO departments (id, name_vi, name_en, location_vi, location_en, opening_hours, lane_policy,
priority_every, minutes_per_patient, sort_order) VALUES ('KKB', 'Khoa Khám bệnh', 'Outpatient Clinic', 'Tầng 1',
'Floor 1', '[{"days": [1, 2, 3, 4, 5], "opens": "07:00", "closes": "16:30"}]', 'interleaved', 3, 6, 0)"""
# Before 0310: 12 normal and 4 priority tickets issued, 9 calls made, the last 3 of them normal.
LANES_AND_CALLS = (("normal", 12), ("priority", 4), ("call", 9), ("streak", 3))


def assert_migrated(url: str) -> None:
    upgrade(url)
    upgrade(url)  # running it again is a no-op, as `kiosk-hub migrate` on every start would be
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        assert set(inspector.get_table_names()) >= TABLES  # the fleet adds its own tables
        unique = {tuple(c["column_names"]) for c in inspector.get_unique_constraints("tickets")}
        assert ("department_id", "day", "lane", "number") in unique
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == current_head()
    finally:
        engine.dispose()


def test_migrations_from_empty_on_sqlite(tmp_path: Path) -> None:
    assert_migrated(f"sqlite:///{tmp_path / 'empty.sqlite3'}")


@pytest.mark.postgres
def test_migrations_from_empty_on_postgresql(postgres: PostgresServer) -> None:
    assert_migrated(postgres.create_database("hub_migrations"))


def _counter_rows(url: str, table: str) -> set[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT * FROM {table}"))
            # SQLite answers a date as its text: both stores compared as text.
            return {tuple(v.isoformat() if isinstance(v, date) else v for v in row) for row in rows}
    finally:
        engine.dispose()


def assert_calling_carried_over(url: str, clock: FakeClock) -> None:
    """A morning of calling written before 0310 (the call sequence and the interleave rhythm as `queue_counters`
    rows) goes on after it: the next call continues both, and downgrading puts the rows back."""
    upgrade(url, "0300")
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    token = enrol(hub)
    # KKB calls one priority ticket after every 3 normal ones: its priority turn is due. Written as the tables
    # stood at 0300 (the models describe the head).
    with hub.engine.begin() as conn:
        conn.execute(text(KKB_AT_0300))
        conn.execute(
            text("INSERT INTO queue_counters (department_id, day, lane, last_number) VALUES (:d, :day, :lane, :n)"),
            [{"d": "KKB", "day": DAY, "lane": lane, "n": n} for lane, n in LANES_AND_CALLS],
        )
    hub.engine.dispose()
    before = _counter_rows(url, "queue_counters")

    upgrade(url)
    assert _counter_rows(url, "call_counters") == {("KKB", DAY.isoformat(), 9, 3)}
    assert _counter_rows(url, "queue_counters") == {
        ("KKB", DAY.isoformat(), "normal", 12),
        ("KKB", DAY.isoformat(), "priority", 4),
    }
    command.downgrade(alembic_config(url), "0300")
    assert _counter_rows(url, "queue_counters") == before
    upgrade(url)

    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    try:
        kiosk = hub.gate.kiosk_id(token)
        assert kiosk is not None
        for key, lane in (("n", "normal"), ("p", "priority")):
            body = wire.TicketRequest.model_validate({"department_id": "KKB", "lane": lane})
            hub.queue.issue(IssueRequest(kiosk, key, body))
        first, second = hub.queue.call_next("KKB"), hub.queue.call_next("KKB")
        assert (first.number, second.number) == (5, 13)  # the lanes' numbering went on
        assert (first.lane, second.lane) == ("priority", "normal")  # the rhythm went on: the priority turn was due
        with hub.reader() as session:
            calls = [session.scalars(select(Ticket.call_seq).where(Ticket.id == t.id)).one() for t in (first, second)]
        assert calls == [10, 11]  # the day's call sequence went on too
        with pytest.raises(IntegrityError), hub.engine.begin() as conn:  # only lanes are counted there now
            conn.execute(
                text("INSERT INTO queue_counters (department_id, day, lane, last_number) VALUES (:d, :day, 'call', 1)"),
                {"d": "KKB", "day": date(2026, 11, 24)},
            )
    finally:
        hub.engine.dispose()


def test_0310_carries_calling_over_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    assert_calling_carried_over(f"sqlite:///{tmp_path / 'calls.sqlite3'}", clock)


@pytest.mark.postgres
def test_0310_carries_calling_over_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    assert_calling_carried_over(postgres.create_database("hub_calls_0310"), clock)


def assert_hospital_data_carried_to_0501(url: str, clock: FakeClock) -> None:
    """A hub at 0310 with a department, a room and a kiosk made by the retired `kiosk-hub kiosk add` (a `kiosks` row
    and no fleet row): after 0500 the department and room are active and marked imported; after 0501 the kiosk is
    in the fleet's default group and its token still works; downgrading and upgrading again keeps all of it."""
    upgrade(url, "0310")
    token, engine = new_token(), create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(KKB_AT_0300))
        conn.execute(
            text(
                "INSERT INTO rooms (id, department_id, name_vi, name_en, location_vi, location_en) "
                "VALUES ('KKB-01', 'KKB', 'Phòng 1', 'Room 1', 'Tầng 1', 'Floor 1')"
            )
        )
        conn.execute(
            text("INSERT INTO kiosks (id, name, token_hash, created_at, revoked) VALUES (:id, 'sanh-a', :h, :at, :no)"),
            {"id": "legacy-kiosk", "h": hash_token(token), "at": clock(), "no": False},
        )
    engine.dispose()
    upgrade(url)
    command.downgrade(alembic_config(url), "0310")
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    try:
        with hub.reader() as session:
            department, room = session.get(Department, "KKB"), session.get(Room, "KKB-01")
            assert department is not None
            assert room is not None
            assert (department.active, department.origin, room.active) == (True, "import", True)
            fleet, group = session.execute(
                select(FleetKiosk, KioskGroup).join(KioskGroup, KioskGroup.id == FleetKiosk.group_id)
            ).one()
            assert (fleet.kiosk_id, group.name) == ("legacy-kiosk", "default")
        assert hub.gate.kiosk_id(token) == "legacy-kiosk"
        assert [d.id for d in hub.queue.catalog.department("KKB").rooms] == ["KKB-01"]  # type: ignore[union-attr]
    finally:
        hub.engine.dispose()


def test_0500_and_0501_carry_departments_and_old_kiosks_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    assert_hospital_data_carried_to_0501(f"sqlite:///{tmp_path / 'golive.sqlite3'}", clock)


@pytest.mark.postgres
def test_0500_and_0501_carry_departments_and_old_kiosks_on_postgresql(
    postgres: PostgresServer, clock: FakeClock
) -> None:
    assert_hospital_data_carried_to_0501(postgres.create_database("hub_golive_0501"), clock)


def assert_events_and_visits_arrive_with_data(url: str, clock: FakeClock) -> None:
    """A hub with a morning of tickets at 0501 (the revision before the events) upgrades: the old tickets stay, the
    next ticket is announced and its visit queued; downgrading to 0501 drops only the new tables and keeps the
    tickets."""
    upgrade(url, "0501")
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    seed(hub)
    enrol(hub)
    with hub.engine.begin() as conn:
        # Read directly: the current token gate reads tables of later revisions (the access package's).
        kiosk = conn.scalar(text("SELECT id FROM kiosks"))
        conn.execute(
            text(
                "INSERT INTO tickets (id, public_token, department_id, day, lane, number, patient_ref, visit_type,"
                " priority_reasons, status, issued_at, kiosk_id, idempotency_key, request_fingerprint) VALUES"
                " ('old-1', 'tok-old-1', 'NOI', :day, 'normal', 1, 'p-old', 'bhyt', '', 'waiting', :at, :kiosk,"
                " 'old-key', 'f')"
            ),
            {"day": DAY, "at": clock.now, "kiosk": kiosk},
        )
        conn.execute(text("INSERT INTO queue_counters VALUES ('NOI', :day, 'normal', 1)"), {"day": DAY})
    hub.engine.dispose()
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    try:
        body = wire.TicketRequest.model_validate({"department_id": "NOI", "patient_id": "p-new"})
        ticket, _ = hub.queue.issue(IssueRequest(kiosk, "new-key", body))
        assert ticket.number == 2
        with hub.reader() as session:
            assert session.scalar(text("SELECT count(*) FROM outbox_events")) == 1
            assert session.scalar(text("SELECT patient_ref FROM his_visits")) == "p-new"
            assert session.scalar(text("SELECT last_position FROM event_counter")) == 0
    finally:
        hub.engine.dispose()
    assert_downgrade_keeps_the_tickets(url, "0501", {"outbox_events", "his_visits"}, 2)


def assert_downgrade_keeps_the_tickets(url: str, revision: str, dropped: set[str], tickets: int) -> None:
    """Down to `revision`: these tables are gone, the tickets stay; then up to head again."""
    command.downgrade(alembic_config(url), revision)
    engine = create_engine(url)
    try:
        assert not set(inspect(engine).get_table_names()) & dropped
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM tickets")) == tickets
    finally:
        engine.dispose()
    upgrade(url)


def test_0700_0710_arrive_with_data_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    assert_events_and_visits_arrive_with_data(f"sqlite:///{tmp_path / 'events.sqlite3'}", clock)


@pytest.mark.postgres
def test_0700_0710_arrive_with_data_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    assert_events_and_visits_arrive_with_data(postgres.create_database("hub_events_0700"), clock)


def assert_wait_rates_arrive_with_data(url: str, clock: FakeClock) -> None:
    """From 0600 (0650's down_revision) with a queue already waiting: after 0650 the next calls teach the pace;
    downgrading to 0600 drops only the learned pace and the help calls."""
    upgrade(url, "0600")
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    seed(hub)
    kiosk = hub.gate.kiosk_id(enrol(hub))
    assert kiosk is not None
    before = QueueBook(hub.reader, hub.writer, clock, "http://hub.test")  # as the hub issued before 0650
    for key in ("w-1", "w-2", "w-3"):
        before.issue(IssueRequest(kiosk, key, wire.TicketRequest.model_validate({"department_id": "NOI"})))
    hub.engine.dispose()
    upgrade(url)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    try:
        hub.queue.call_next("NOI")
        clock.now += timedelta(minutes=5)
        hub.queue.call_next("NOI")
        with hub.reader() as session:
            assert session.scalar(text("SELECT mean_seconds FROM wait_rates WHERE room_id = '' AND hour = 24")) == 300
    finally:
        hub.engine.dispose()
    assert_downgrade_keeps_the_tickets(url, "0600", {"wait_rates", "wait_last_calls", "help_calls"}, 3)


def test_0650_arrives_with_data_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    assert_wait_rates_arrive_with_data(f"sqlite:///{tmp_path / 'waits.sqlite3'}", clock)


@pytest.mark.postgres
def test_0650_arrives_with_data_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    assert_wait_rates_arrive_with_data(postgres.create_database("hub_waits_0650"), clock)
