"""Two transfers for one payment decided at the same moment by two writers (threads here, hub processes in a
hospital) on PostgreSQL, where writes run in parallel: one pays it, the other is owed back; and one transfer
arriving by callback and poll at once is stored once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from kiosk.domain.ticket import VisitType
from kiosk_hub.hub import build_hub
from kiosk_hub.migrate import upgrade
from kiosk_hub.payments import wire
from kiosk_hub.payments.fees import set_price
from kiosk_hub.payments.gateway import Transfer
from kiosk_hub.payments.models import BankTransfer, Payment
from kiosk_hub.settings import HubSettings, PaymentSettings
from tests.hub.conftest import FakeClock, enrol, seed
from tests.support.keys import key_file_for
from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres
ROUNDS = 8


def test_racing_transfers_are_decided_one_after_the_other(postgres: PostgresServer, clock: FakeClock) -> None:
    url = postgres.create_database("hub_payment_races")
    upgrade(url)
    hub = build_hub(
        HubSettings(
            database_url=url,
            key_file=key_file_for(url),
            payments=PaymentSettings(provider="payos", account_number="0123456789"),
        ),
        clock=clock,
    )
    try:
        seed(hub)
        kiosk = hub.gate.kiosk_id(enrol(hub))
        assert kiosk is not None
        with hub.writer() as session:
            set_price(session, "NOI", VisitType.FEE, 150_000, ("02.1896", "Khám Nội"), "it", clock.now)
            session.commit()
        desk = hub.payments
        fee = desk.book.fees.quote("NOI", VisitType.FEE, None, [])
        with ThreadPoolExecutor(4) as pool:
            for n in range(ROUNDS):
                body = wire.PaymentRequest(department_id="NOI", patient_id=f"p-{n}")
                payment_id, _ = desk.book.begin(kiosk, f"k{n}", body, fee)
                with hub.reader() as session:
                    payment = session.get(Payment, payment_id)
                    assert payment is not None
                    code, memo = payment.order_code, payment.reference

                def settle(ref: str, code: int = code, memo: str = memo) -> str:
                    transfer = Transfer(code, 150_000, ref, "0123456789", memo, clock.now)
                    return desk.settler.settle("payos", transfer, "callback").outcome.value

                refs = [f"FT{n}A", f"FT{n}B", f"FT{n}A", f"FT{n}B"]  # two transfers, each by two paths
                outcomes = list(pool.map(settle, refs))
                assert sorted(set(outcomes)) == ["applied", "duplicate"]
                with hub.reader() as session:
                    stored = session.scalar(
                        select(func.count()).select_from(BankTransfer).where(BankTransfer.payment_id == payment_id)
                    )
                    assert stored == 2
                    payment = session.get(Payment, payment_id)
                    assert payment is not None
                    assert (payment.state, payment.refund_due_vnd) == ("paid", 150_000)
    finally:
        hub.engine.dispose()
