"""A day of payments for the finance office: how many were opened, paid, ran out, are held or owed back, the money
per department, and the day's transfers as a CSV with one line per credit of the bank statement.

The payments of a day are those opened that local day; the transfers of a day are those the bank dated that local
day (the statement's day), whatever they paid for: a transfer that matched nothing is a line too.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.domain.dates import VN_TZ
from kiosk.domain.payment_state import PaymentState
from kiosk_hub.db.engine import as_utc
from kiosk_hub.payments.models import BankTransfer, Payment

_S = PaymentState
PAID_STATES = frozenset({_S.PAID, _S.TICKET_ISSUED})
# The day's columns: a payment given up and one whose countdown ran out both ended unpaid ("expired").
COUNTED_AS = {_S.ABANDONED: "expired", _S.REFUND_DUE: "paid_no_ticket"}
STATEMENT_COLUMNS = (
    "transferred_at",
    "bank_reference",
    "amount_vnd",
    "account",
    "memo",
    "payment_reference",
    "department_id",
    "outcome",
    "via",
    "payment_state",
    "ticket_id",
    "refund_due_vnd",
)


@dataclass
class DepartmentTotal:
    department_id: str
    paid: int = 0
    amount_vnd: int = 0


@dataclass
class DayReport:
    day: date
    # created, paid (of which ticket_issued), expired, held, failed, refund_due (money owed back), paid_late, …
    counts: Counter[str] = field(default_factory=Counter)
    departments: list[DepartmentTotal] = field(default_factory=list)
    paid_vnd: int = 0
    refund_due_vnd: int = 0
    payments: list[Payment] = field(default_factory=list)
    transfers: list[BankTransfer] = field(default_factory=list)


def day_report(session: Session, day: date) -> DayReport:
    report = DayReport(day)
    report.payments = list(session.scalars(select(Payment).where(Payment.day == day).order_by(Payment.created_at)))
    totals: dict[str, DepartmentTotal] = {}
    for payment in report.payments:
        state = _S(payment.state)
        report.counts["created"] += 1
        report.counts[COUNTED_AS.get(state, state.value)] += 1
        if state in PAID_STATES:
            report.counts["paid"] += 1
            total = totals.setdefault(payment.department_id, DepartmentTotal(payment.department_id))
            total.paid += 1
            total.amount_vnd += payment.paid_amount_vnd or 0
            report.paid_vnd += payment.paid_amount_vnd or 0
        report.counts["paid_late"] += int(payment.paid_late)
        if payment.refund_due_vnd and payment.refunded_at is None:
            report.counts["refund_due"] += 1
            report.refund_due_vnd += payment.refund_due_vnd
    report.departments = sorted(totals.values(), key=lambda t: t.department_id)
    report.transfers = day_transfers(session, day)
    return report


def statement_csv(session: Session, day: date) -> str:
    """The day's credits, one line each, in the bank's order and with the bank's reference, amount and memo."""
    payments = {
        p.id: p
        for p in session.scalars(
            select(Payment).where(
                Payment.id.in_(
                    select(BankTransfer.payment_id).where(BankTransfer.day == day, BankTransfer.payment_id.is_not(None))
                )
            )
        )
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STATEMENT_COLUMNS)
    for transfer in day_transfers(session, day):
        payment = payments.get(transfer.payment_id or "")
        writer.writerow(
            [
                as_utc(transfer.transferred_at).astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M:%S"),
                transfer.bank_reference,
                transfer.amount_vnd,
                transfer.account_number,
                transfer.description,
                payment.reference if payment else "",
                payment.department_id if payment else "",
                transfer.outcome,
                transfer.via,
                payment.state if payment else "",
                (payment.ticket_id or "") if payment else "",
                payment.refund_due_vnd if payment else 0,
            ]
        )
    return out.getvalue()


def day_transfers(session: Session, day: date) -> list[BankTransfer]:
    return list(
        session.scalars(
            select(BankTransfer).where(BankTransfer.day == day).order_by(BankTransfer.transferred_at, BankTransfer.id)
        )
    )
