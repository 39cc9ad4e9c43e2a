"""A day of payments in the console: the counts and money per department, and the CSV that lines up with the bank
statement (the loopback bank's own list of credits) line by line; refunds recorded by an admin only; the price
list kept by an admin."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from kiosk.domain.ticket import VisitType
from kiosk_hub.access.roles import Role
from kiosk_hub.payments.fees import set_price
from tests.fleet.console_client import add_console_user, log_in, post_form
from tests.hub.payments.conftest import FEE_VND, PayingHub

KKB_FEE = 100_000


@pytest.fixture
async def console(paying: PayingHub) -> AsyncIterator[httpx.AsyncClient]:
    add_console_user(paying.hub, "it-admin", Role.ADMIN)
    add_console_user(paying.hub, "finance", Role.VIEWER)
    async with httpx.AsyncClient(base_url=paying.url, follow_redirects=True) as client:
        yield client


async def a_day_of_payments(paying: PayingHub) -> dict[str, dict[str, object]]:
    with paying.hub.writer() as session:
        set_price(session, "KKB", VisitType.FEE, KKB_FEE, ("02.1896", "Khám bệnh"), "test", paying.clock.now)
        session.commit()
    made = {
        name: await paying.open(key=name, patient=f"p-{name}", department=dep)
        for name, dep in (("a", "NOI"), ("b", "NOI"), ("c", "NOI"), ("d", "NOI"), ("e", "NOI"), ("f", "KKB"))
    }
    bank = paying.peer

    def pay(name: str, amount: int | None = None) -> None:
        paying.clock.now += timedelta(minutes=1)
        assert bank.deliver(bank.pay(paying.order_code(made[name]), amount, at=paying.clock.now)) == 200

    pay("a")
    pay("b")
    pay("b")  # paid twice
    pay("c", 50_000)  # a wrong amount
    pay("f")
    await paying.client.post(f"/api/v1/payments/{made['e']['id']}/abandon")
    paying.clock.now += timedelta(minutes=11)
    await paying.poll_round()  # d's countdown ran out
    return made


def statement_lines(paying: PayingHub) -> list[tuple[str, str, str, str]]:
    """The loopback bank's own credits, as its statement lists them: time, reference, amount, memo."""
    lines = [
        (t["transactionDateTime"], t["reference"], str(t["amount"]), t["description"])
        for link in paying.peer.links.values()
        for t in link.transactions
    ]
    return sorted(lines)


async def test_the_day_in_the_console_and_its_csv(paying: PayingHub, console: httpx.AsyncClient) -> None:
    await a_day_of_payments(paying)
    await log_in(console, "finance")
    page = await console.get("/fleet/payments?day=2026-11-23")
    assert page.status_code == 200
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page.text))
    assert counts == {
        "created": "6",
        "paid": "3",
        "ticket_issued": "3",
        "expired": "2",
        "held": "1",
        "failed": "0",
        "refund_due": "2",
        "paid_late": "0",
        "paid_no_ticket": "0",
    }
    per_department = dict(re.findall(r'data-department="(\w+)">([\d.]+) đ', page.text))
    assert per_department == {"KKB": "100.000", "NOI": "300.000"}
    assert 'class="refunded"' not in page.text  # a viewer sees no refund button

    answer = await console.get("/fleet/payments/statement.csv?day=2026-11-23")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    ours = sorted((r["transferred_at"], r["bank_reference"], r["amount_vnd"], r["memo"]) for r in rows)
    bank = [(moment[:19].replace("T", " "), ref, amount, memo) for moment, ref, amount, memo in statement_lines(paying)]
    assert ours == bank  # one line per credit, same reference, amount, memo and time (Vietnam time)
    assert sorted(r["outcome"] for r in rows) == ["applied", "applied", "applied", "duplicate", "wrong_amount"]
    assert {r["department_id"] for r in rows} == {"NOI", "KKB"}


async def test_an_admin_records_a_refund_and_a_viewer_cannot(paying: PayingHub, console: httpx.AsyncClient) -> None:
    made = await a_day_of_payments(paying)
    await log_in(console, "finance")
    refused = await post_form(console, "/fleet/payments", "/fleet/payments/refunded", {"payment": str(made["b"]["id"])})
    assert refused.status_code == 403
    console.cookies.clear()
    await log_in(console, "it-admin")
    done = await post_form(
        console, "/fleet/payments?day=2026-11-23", "/fleet/payments/refunded", {"payment": str(made["b"]["id"])}
    )
    assert done.status_code == 200
    assert done.url.path == "/fleet/payments"
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', done.text))
    assert counts["refund_due"] == "1"  # c's held transfer is still owed


async def test_the_price_list_is_an_admins(paying: PayingHub, console: httpx.AsyncClient) -> None:
    await log_in(console, "it-admin")
    form = {
        "department_id": "NGOAI",
        "visit_type": "fee",
        "amount_vnd": "120.000",
        "service_code": "02.1897",
        "service_name": "Khám Ngoại",
    }
    saved = await post_form(console, "/fleet/payments/prices", "/fleet/payments/prices", form)
    assert 'data-price="NGOAI/fee"' in saved.text
    quote = await paying.client.post("/api/v1/payments/quote", json={"department_id": "NGOAI"})
    assert (quote.json()["amount_vnd"], quote.json()["service_name"]) == (120_000, "Khám Ngoại")
    bad = await post_form(console, "/fleet/payments/prices", "/fleet/payments/prices", {**form, "amount_vnd": "-5"})
    assert bad.status_code == 422
    removed = await post_form(console, "/fleet/payments/prices", "/fleet/payments/prices", {**form, "amount_vnd": ""})
    assert 'data-price="NGOAI/fee"' not in removed.text
    after = await paying.client.post("/api/v1/payments/quote", json={"department_id": "NGOAI"})
    assert after.json()["reason"] == "fee_unknown"
    kept = await paying.client.post("/api/v1/payments/quote", json={"department_id": "NOI"})
    assert kept.json()["amount_vnd"] == FEE_VND  # the other prices stay as they were
