"""Migration 0900 (the payments' tables) on SQLite and PostgreSQL: a hub at 0401 with a morning of tickets upgrades,
takes a payment whose ticket numbers on after the old ones, and downgrades to 0401 keeping every ticket."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from kiosk.domain.ticket import VisitType
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import alembic_config, upgrade
from kiosk_hub.payments import wire
from kiosk_hub.payments.fees import set_price
from kiosk_hub.payments.gateway import Transfer
from kiosk_hub.settings import HubSettings, PaymentSettings
from tests.hub.conftest import FakeClock, enrol, seed
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

BEFORE = "0800"  # 0900's down_revision
DAY = date(2026, 11, 23)
PAYMENTS = {"payments", "bank_transfers", "exam_prices", "bank_feed", "payment_alerts"}


def assert_payments_arrive_with_data(url: str, clock: FakeClock) -> None:
    upgrade(url, BEFORE)
    hub = build_hub(HubSettings(database_url=url, key_file=key_file_for(url)), clock=clock)
    seed(hub)
    kiosk = hub.gate.kiosk_id(enrol(hub))
    with hub.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tickets (id, public_token, department_id, day, lane, number, patient_ref, visit_type,"
                " priority_reasons, status, issued_at, kiosk_id, idempotency_key, request_fingerprint) VALUES"
                " ('old-1', 'tok-old-1', 'NOI', :day, 'normal', 1, 'p-old', 'fee', '', 'waiting', :at, :kiosk,"
                " 'old-key', 'f')"
            ),
            {"day": DAY, "at": clock.now, "kiosk": kiosk},
        )
        conn.execute(text("INSERT INTO queue_counters VALUES ('NOI', :day, 'normal', 1)"), {"day": DAY})
    hub.engine.dispose()

    upgrade(url)
    # No gateway is asked here: the payment is begun and settled directly, as the routes would after the gateway.
    settings = HubSettings(
        database_url=url,
        key_file=key_file_for(url),
        payments=PaymentSettings(provider="payos", account_number="0123456789"),
    )
    hub = build_hub(settings, clock=clock)
    try:
        assert kiosk is not None
        with hub.writer() as session:
            set_price(session, "NOI", VisitType.FEE, 150_000, ("02.1896", "Khám Nội"), "it", clock.now)
            session.commit()
        desk = hub.payments
        fee = desk.book.fees.quote("NOI", VisitType.FEE, None, [])
        payment_id, _ = desk.book.begin(kiosk, "k", wire.PaymentRequest(department_id="NOI", patient_id="p-new"), fee)
        with hub.reader() as session:
            code, reference = session.execute(
                text("SELECT order_code, reference FROM payments WHERE id = :id"), {"id": payment_id}
            ).one()
        transfer = Transfer(code, 150_000, "FT1", "0123456789", reference, clock.now)
        assert desk.settler.settle("payos", transfer, "callback").outcome == "applied"
        ticket_id = desk.settler.ensure_ticket(payment_id)
        assert hub.queue.get(str(ticket_id)).number == 2  # numbered on after the morning's ticket
    finally:
        hub.engine.dispose()

    command.downgrade(alembic_config(url), BEFORE)
    engine = create_engine(url)
    try:
        assert not PAYMENTS & set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM tickets")) == 2
    finally:
        engine.dispose()
    upgrade(url)


def test_0900_arrives_with_data_on_sqlite(tmp_path: Path, clock: FakeClock) -> None:
    assert_payments_arrive_with_data(f"sqlite:///{tmp_path / 'payments.sqlite3'}", clock)


@pytest.mark.postgres
def test_0900_arrives_with_data_on_postgresql(postgres: PostgresServer, clock: FakeClock) -> None:
    assert_payments_arrive_with_data(postgres.create_database("hub_payments_0900"), clock)
