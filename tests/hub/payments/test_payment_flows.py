"""Every way a payment can go, end to end: the kiosk's calls to the hub over loopback HTTP, the hub's calls to the
loopback payOS, the payOS callbacks to the hub over HTTP, and what the store holds after each."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from kiosk.domain.vietqr import decode_vietqr
from kiosk_hub.db.models import Ticket
from kiosk_hub.events.models import OutboxEvent
from kiosk_hub.payments.models import BankTransfer, Payment
from tests.hub.payments.conftest import ACCOUNT, BANK_BIN, FEE_VND, PayingHub


def tickets(paying: PayingHub) -> int:
    with paying.hub.reader() as session:
        return session.scalar(select(func.count()).select_from(Ticket)) or 0


def events(paying: PayingHub, kind: str) -> list[dict[str, object]]:
    with paying.hub.reader() as session:
        rows = session.scalars(select(OutboxEvent.data).where(OutboxEvent.type == kind).order_by(OutboxEvent.seq))
        return [json.loads(row) for row in rows]


def transfers(paying: PayingHub) -> list[BankTransfer]:
    with paying.hub.reader() as session:
        return list(session.scalars(select(BankTransfer).order_by(BankTransfer.id)))


async def test_paid_in_time_issues_the_ticket_with_the_banks_receipt(paying: PayingHub) -> None:
    payment = await paying.open()
    assert payment["state"] == "awaiting"
    assert payment["amount_vnd"] == FEE_VND
    qr = decode_vietqr(str(payment["qr_payload"]))  # the QR the kiosk will show pays the hospital, this amount
    assert (qr.bank_bin, qr.account, qr.amount_vnd, qr.reference) == (BANK_BIN, ACCOUNT, FEE_VND, payment["reference"])
    assert payment["account_name"] == "BENH VIEN DA KHOA DEMO"
    assert payment["receipt"] is None
    assert payment["ticket"] is None

    callback = paying.peer.pay(paying.order_code(payment), at=paying.clock.now, reference="FT26327AAAA01")
    assert paying.peer.deliver(callback) == 200

    paid = await paying.read(payment["id"])
    assert paid["state"] == "ticket_issued"
    assert paid["receipt"] == {
        "amount_vnd": FEE_VND,
        "bank_reference": "FT26327AAAA01",
        "paid_at": "2026-11-23T02:00:00Z",
    }
    ticket = paid["ticket"]
    assert isinstance(ticket, dict)
    assert ticket["department_id"] == "NOI"
    assert ticket["visit_type"] == "fee"
    assert paid["paid_late"] is False
    assert tickets(paying) == 1
    (note,) = events(paying, "payment.paid")
    assert note["invoice_request_id"] == payment["id"]
    assert note["bank_reference"] == "FT26327AAAA01"
    assert note["payment_method"] == "CK"
    assert (note["total_vnd"], note["vat_vnd"]) == (FEE_VND, 0)
    assert note["items"] == [
        {
            "service_code": "02.1896",
            "service_name": "Khám Nội",
            "unit": "Lần",
            "quantity": 1,
            "unit_price_vnd": FEE_VND,
            "amount_vnd": FEE_VND,
            "vat_rate": "KCT",
        }
    ]
    assert [e["ticket_id"] for e in events(paying, "payment.ticket_issued")] == [ticket["id"]]
    (row,) = transfers(paying)
    assert (row.outcome, row.via, row.payer_account_last4) == ("applied", "callback", "3210")


async def test_a_replayed_callback_changes_nothing(paying: PayingHub) -> None:
    payment = await paying.open()
    callback = paying.peer.pay(paying.order_code(payment), at=paying.clock.now)
    assert [paying.peer.deliver(callback) for _ in range(3)] == [200, 200, 200]
    await paying.poll_round()  # the poll finds the same transfer: a replay too
    assert (await paying.read(payment["id"]))["state"] == "ticket_issued"
    assert len(transfers(paying)) == 1
    assert tickets(paying) == 1
    assert len(events(paying, "payment.paid")) == 1


async def test_a_forged_callback_is_refused_and_believed_in_nothing(paying: PayingHub) -> None:
    payment = await paying.open()
    genuine = json.loads(paying.peer.pay(paying.order_code(payment), at=paying.clock.now))
    forged = dict(genuine, data=dict(genuine["data"], amount=1))  # the same signature over another amount
    unsigned = {k: v for k, v in genuine.items() if k != "signature"}
    url = paying.url + "/api/v1/payments/callback/payos"
    for body in (forged, unsigned):
        answer = await paying.client.post(url, json=body, headers={"Authorization": ""})
        assert answer.status_code == 401
        assert answer.json()["code"] == "bad_signature"
    answer = await paying.client.post(url, content=b"{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert transfers(paying) == []
    assert (await paying.read(payment["id"]))["state"] == "awaiting"
    assert tickets(paying) == 0


async def test_paid_twice_keeps_one_ticket_and_owes_the_second_back(paying: PayingHub) -> None:
    payment = await paying.open()
    code = paying.order_code(payment)
    assert paying.peer.deliver(paying.peer.pay(code, at=paying.clock.now, reference="FT1")) == 200
    assert paying.peer.deliver(paying.peer.pay(code, at=paying.clock.now, reference="FT2")) == 200
    paid = await paying.read(payment["id"])
    assert paid["state"] == "ticket_issued"
    assert paid["refund_due_vnd"] == FEE_VND
    assert [t.outcome for t in transfers(paying)] == ["applied", "duplicate"]
    assert tickets(paying) == 1
    (owed,) = events(paying, "payment.refund_due")
    assert (owed["reason"], owed["refund_vnd"], owed["bank_reference"]) == ("paid_twice", FEE_VND, "FT2")


async def test_a_wrong_amount_is_held_not_accepted(paying: PayingHub) -> None:
    payment = await paying.open()
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), 100_000, at=paying.clock.now, reference="FT3"))
    held = await paying.read(payment["id"])
    assert held["state"] == "held"
    assert held["receipt"] is None  # nothing says "paid"
    assert held["ticket"] is None
    assert held["refund_due_vnd"] == 100_000
    assert tickets(paying) == 0
    (note,) = events(paying, "payment.held")
    assert (note["amount_vnd"], note["transferred_vnd"]) == (FEE_VND, 100_000)
    assert events(paying, "payment.paid") == []


async def test_paid_after_the_kiosk_gave_up_still_issues_the_ticket(paying: PayingHub) -> None:
    payment = await paying.open()
    given_up = await paying.client.post(f"/api/v1/payments/{payment['id']}/abandon")
    assert given_up.json()["state"] == "abandoned"
    paying.clock.now += timedelta(minutes=12)
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now))
    late = await paying.read(payment["id"])
    assert late["state"] == "ticket_issued"
    assert late["paid_late"] is True
    page = await paying.client.get(str(late["status_url"]).replace("http://hub.test", paying.url))
    assert page.status_code == 200
    assert "Đã thanh toán" in page.text
    assert late["ticket"]["display_number"] in page.text  # type: ignore[index]
    assert events(paying, "payment.paid")[0]["paid_late"] is True


async def test_never_paid_runs_out_and_issues_nothing(paying: PayingHub) -> None:
    payment = await paying.open()
    paying.clock.now += timedelta(minutes=11)
    await paying.poll_round()
    expired = await paying.read(payment["id"])
    assert expired["state"] == "expired"
    assert expired["expires_in_seconds"] == 0
    assert tickets(paying) == 0
    assert ("GET", f"/v2/payment-requests/{paying.order_code(payment)}") in paying.peer.requests


async def test_paid_on_a_later_day_is_owed_back(paying: PayingHub) -> None:
    payment = await paying.open()
    paying.clock.now += timedelta(hours=16)  # 01:00 the next day in Hà Nội
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now))
    late = await paying.read(payment["id"])
    assert late["state"] == "refund_due"
    assert late["refund_due_vnd"] == FEE_VND
    assert late["ticket"] is None
    assert tickets(paying) == 0
    assert events(paying, "payment.refund_due")[0]["reason"] == "paid_after_day"


async def test_lost_callbacks_are_made_up_for_by_polling(paying: PayingHub) -> None:
    paying.peer.faults.callbacks_lost = True
    payment = await paying.open()
    assert paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now)) is None
    assert (await paying.read(payment["id"]))["state"] == "awaiting"
    await paying.poll_round()  # not due yet: polled every 5 s
    assert (await paying.read(payment["id"]))["state"] == "awaiting"
    paying.clock.now += timedelta(seconds=5)
    await paying.poll_round()
    paid = await paying.read(payment["id"])
    assert paid["state"] == "ticket_issued"
    assert [t.via for t in transfers(paying)] == ["poll"]


async def test_a_kiosk_reads_only_its_own_payments(paying: PayingHub) -> None:
    from tests.hub.conftest import enrol

    payment = await paying.open()
    other = {"Authorization": f"Bearer {enrol(paying.hub, 'kiosk-2')}"}
    for method, path in (("GET", ""), ("POST", "/abandon"), ("POST", "/pay-later")):
        answer = await paying.client.request(method, f"/api/v1/payments/{payment['id']}{path}", headers=other)
        assert answer.status_code == 404
    assert (await paying.read(payment["id"]))["state"] == "awaiting"


async def test_a_retry_answers_the_same_payment(paying: PayingHub) -> None:
    first = await paying.open(key="k")
    again = await paying.client.post(
        "/api/v1/payments", json={"department_id": "NOI", "patient_id": "p-1"}, headers={"Idempotency-Key": "k"}
    )
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    other_body = await paying.client.post(
        "/api/v1/payments", json={"department_id": "NOI", "patient_id": "p-2"}, headers={"Idempotency-Key": "k"}
    )
    assert other_body.status_code == 409
    assert other_body.json()["code"] == "idempotency_key_reused"
    with paying.hub.reader() as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 1
    assert sum(1 for method, _ in paying.peer.requests if method == "POST") == 1


async def test_a_callback_before_the_gateways_answer_keeps_the_payment_paid(paying: PayingHub) -> None:
    import asyncio

    paying.peer.faults.create_delay_seconds = 1.0
    opening = asyncio.ensure_future(paying.open())
    for _ in range(200):  # until the gateway has the order; its answer is still on its way
        if paying.peer.links:
            break
        await asyncio.sleep(0.02)
    (code,) = paying.peer.links
    assert paying.peer.deliver(paying.peer.pay(code, at=paying.clock.now)) == 200
    payment = await opening
    assert payment["state"] == "ticket_issued"
    assert payment["qr_payload"] is not None  # stored all the same, for the reconciliation
    assert tickets(paying) == 1


async def test_a_long_poll_answers_when_the_bank_does(paying: PayingHub) -> None:
    import asyncio

    payment = await paying.open()
    waiting = asyncio.ensure_future(paying.client.get(f"/api/v1/payments/{payment['id']}?wait=20&seen=awaiting"))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now))
    answer = await asyncio.wait_for(waiting, 5)
    assert answer.json()["state"] == "ticket_issued"


async def test_a_paid_ticket_is_the_paying_kiosks_to_read_and_cancel(paying: PayingHub) -> None:
    from tests.hub.conftest import enrol

    payment = await paying.open()
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now))
    ticket = (await paying.read(payment["id"]))["ticket"]
    assert isinstance(ticket, dict)
    other = {"Authorization": f"Bearer {enrol(paying.hub, 'kiosk-2')}"}
    assert (await paying.client.get(f"/api/v1/tickets/{ticket['id']}", headers=other)).status_code == 404
    assert (await paying.client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=other)).status_code == 404
    mine = await paying.client.get(f"/api/v1/tickets/{ticket['id']}")
    assert (mine.status_code, mine.json()["number"]) == (200, ticket["number"])


async def test_a_patient_holding_another_kiosks_ticket_is_handed_it_after_paying(paying: PayingHub) -> None:
    """The queue answers a patient's second ticket of the day with the first; the paying kiosk is granted it, as
    a kiosk reprinting it would be, so it can print, read and cancel it; the fee just paid is owed back."""
    from tests.hub.conftest import enrol

    other = {"Authorization": f"Bearer {enrol(paying.hub, 'kiosk-2')}"}
    earlier = await paying.client.post(
        "/api/v1/tickets", json={"department_id": "NOI", "patient_id": "p-1"}, headers={**other, "Idempotency-Key": "e"}
    )
    assert earlier.status_code == 201
    payment = await paying.open(patient="p-1")
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now))
    ticket = (await paying.read(payment["id"]))["ticket"]
    assert isinstance(ticket, dict)
    assert ticket["id"] == earlier.json()["id"]
    assert (await paying.client.get(f"/api/v1/tickets/{ticket['id']}")).status_code == 200
    with paying.hub.reader() as session:
        row = session.get(Payment, payment["id"])
        assert row is not None
        assert (row.state, row.refund_due_vnd, row.refund_reason) == ("ticket_issued", FEE_VND, "ticket_held")
    assert [e["reason"] for e in events(paying, "payment.refund_due")] == ["ticket_held"]


async def test_a_paid_ticket_issued_again_after_a_restart_owes_nothing(paying: PayingHub) -> None:
    """The payment's own ticket answered again (its key) is not a ticket the patient held before: a hub that
    stopped after the queue issued it and before the payment noted it issues it again and owes nothing."""
    from sqlalchemy import update

    payment = await paying.open()
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now))
    first = (await paying.read(payment["id"]))["ticket"]
    assert isinstance(first, dict)
    with paying.hub.writer() as session:  # as the store stood when the hub stopped
        session.execute(update(Payment).where(Payment.id == payment["id"]).values(state="paid", ticket_id=None))
        session.commit()
    assert paying.hub.payments.settler.ensure_ticket(str(payment["id"])) == first["id"]
    with paying.hub.reader() as session:
        row = session.get(Payment, payment["id"])
        assert row is not None
        assert (row.refund_due_vnd or 0, row.refund_reason) == (0, None)
    assert events(paying, "payment.refund_due") == []


async def test_payment_paid_reaches_the_his_through_the_event_feed(paying: PayingHub) -> None:
    """What an e-invoice system needs, read as the HIS reads it: the pull feed with an integration credential."""
    from kiosk_hub.access.roles import Scope
    from kiosk_hub.events.publisher import publish
    from tests.hub.conftest import add_integration

    payment = await paying.open()
    paying.peer.deliver(paying.peer.pay(paying.order_code(payment), at=paying.clock.now, reference="FT26327BBBB02"))
    publish(paying.hub.writer, paying.clock.now)
    his = {"Authorization": f"Bearer {add_integration(paying.hub, 'his', frozenset({Scope.EVENTS}))}"}
    page = await paying.client.get("/api/v1/events?types=payment.", headers=his)
    assert page.status_code == 200, page.text
    assert [event["type"] for event in page.json()["events"]] == ["payment.paid", "payment.ticket_issued"]
    feed = {event["type"]: event for event in page.json()["events"]}
    paid = feed["payment.paid"]["data"]
    ticket = (await paying.read(payment["id"]))["ticket"]
    assert isinstance(ticket, dict)
    assert (paid["invoice_request_id"], paid["bank_reference"], paid["total_vnd"]) == (
        payment["id"],
        "FT26327BBBB02",
        FEE_VND,
    )
    assert paid["ticket_id"] is None  # the money is stored (and announced) before the ticket is issued
    assert feed["payment.ticket_issued"]["data"]["ticket_id"] == ticket["id"]
    assert not {"name", "full_name", "id_number", "counterAccountName"} & set(paid)
