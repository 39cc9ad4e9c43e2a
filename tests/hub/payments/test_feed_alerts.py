"""IT is alerted when the bank feed goes quiet during opening hours, once per alert, and the alert clears when the
feed is heard again; at night nothing is raised."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from kiosk_hub.db.models import Department
from kiosk_hub.events.models import OutboxEvent
from kiosk_hub.payments.models import PaymentAlert
from tests.hub.payments.conftest import PayingHub


def open_alerts(paying: PayingHub) -> list[str]:
    with paying.hub.reader() as session:
        return sorted(session.scalars(select(PaymentAlert.code).where(PaymentAlert.open_code.is_not(None))))


def announced(paying: PayingHub) -> list[str]:
    with paying.hub.reader() as session:
        rows = session.scalars(select(OutboxEvent.data).where(OutboxEvent.type == "payment.feed_silent"))
        return [json.loads(row)["code"] for row in rows]


async def later_round(paying: PayingHub, seconds: float) -> None:
    paying.clock.now += timedelta(seconds=seconds)
    await paying.poll_round()


async def test_an_unreachable_gateway_is_raised_once_and_cleared(paying: PayingHub) -> None:
    await paying.open()
    paying.peer.faults.failing_requests = 1000
    await later_round(paying, 5)  # the poll fails
    assert open_alerts(paying) == ["bank_unreachable"]
    await later_round(paying, 61)
    assert open_alerts(paying) == ["bank_unreachable"]
    assert announced(paying) == ["bank_unreachable"]  # announced once, not every round
    paying.peer.faults.failing_requests = 0
    await later_round(paying, 61)  # a poll answers again
    assert open_alerts(paying) == []
    with paying.hub.reader() as session:
        (alert,) = session.scalars(select(PaymentAlert))
        assert alert.cleared_at is not None


async def test_payments_that_run_out_with_no_transfer_at_all_raise_a_silent_feed(paying: PayingHub) -> None:
    for n in range(3):
        await paying.open(key=f"k{n}", patient=f"p{n}")
    await later_round(paying, 11 * 60)
    assert open_alerts(paying) == ["bank_feed_silent"]
    payment = await paying.open(key="k9", patient="p9")
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now))
    await later_round(paying, 61)
    assert open_alerts(paying) == []


async def test_transfers_found_only_by_polling_say_the_callbacks_are_missing(paying: PayingHub) -> None:
    paying.peer.faults.callbacks_lost = True
    payment = await paying.open()
    paying.peer.pay(paying.order_code(payment), at=paying.clock.now)
    await later_round(paying, 5)
    assert (await paying.read(payment["id"]))["state"] == "ticket_issued"  # the patient got the ticket all the same
    assert open_alerts(paying) == ["callbacks_missing"]


async def test_nothing_is_raised_when_the_hospital_is_closed(paying: PayingHub) -> None:
    with paying.hub.writer() as session:  # only the office hours' departments: the emergency department hidden
        session.execute(update(Department).where(Department.id == "CC").values(active=False))
        session.commit()
    paying.clock.now += timedelta(hours=12)  # 21:00 in Hà Nội
    await paying.open()
    paying.peer.faults.failing_requests = 1000
    await later_round(paying, 5)
    assert open_alerts(paying) == []
