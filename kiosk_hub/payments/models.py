"""Tables the payments own: each payment a kiosk opens, each transfer the bank reports, the console's price list,
what was last heard from the bank, and the alerts raised when it goes quiet.

A payment's state is written before anything is done about it (the QR is shown after `awaiting` is stored, the
ticket issued after `paid` is stored), so a hub that stops at any point picks up where it was: `paid` without a
ticket is issued again with the same idempotency key, which the queue answers with the ticket issued the first time.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.domain.payment_state import PaymentState
from kiosk_hub.db.models import Base

# States in which money arriving with the right amount makes the payment paid.
PAYABLE = frozenset(
    {PaymentState.OPENING, PaymentState.AWAITING, PaymentState.EXPIRED, PaymentState.ABANDONED, PaymentState.HELD}
)
# States the kiosk stops waiting in (what it shows next: the ticket, or the desk).
SETTLED = frozenset({PaymentState.TICKET_ISSUED, PaymentState.HELD, PaymentState.FAILED, PaymentState.REFUND_DUE})


class TransferOutcome(StrEnum):
    """What a bank transfer did, decided once when it first arrived; a replay answers the same."""

    APPLIED = "applied"  # paid the payment
    DUPLICATE = "duplicate"  # the payment was paid already: the money is owed back
    WRONG_AMOUNT = "wrong_amount"  # held, not accepted
    WRONG_ACCOUNT = "wrong_account"  # credited to another account than the hospital's: not accepted
    UNMATCHED = "unmatched"  # no payment with this order code


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "idempotency_key", name="uq_payments_kiosk_key"),
        Index("ix_payments_day_state", "day", "state"),
        Index("ix_payments_next_poll", "next_poll_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_code: Mapped[int] = mapped_column(BigInteger, unique=True)  # the gateway's order number
    reference: Mapped[str] = mapped_column(String(25), unique=True)  # the memo: VietQR 62/08, the bank statement
    public_token: Mapped[str] = mapped_column(String(32), unique=True)  # the status page /p/{token}
    kiosk_id: Mapped[str] = mapped_column(String(36))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_fingerprint: Mapped[str] = mapped_column(String(64))  # a reused key with another body is refused
    day: Mapped[date] = mapped_column(Date)  # the local day it was opened (reconciliation, tickets)
    # The ticket it buys, as the kiosk asked for it. The patient is a HIS reference, never a name or ID number.
    department_id: Mapped[str] = mapped_column(String(32))
    room_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    patient_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lane: Mapped[str] = mapped_column(String(16))
    priority_reasons: Mapped[str] = mapped_column(String(200), default="")
    # What is paid for (the e-invoice's line) and where the price came from.
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    service_code: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(String(200))
    price_source: Mapped[str] = mapped_column(String(16))  # his | price_list
    # The gateway's side.
    provider: Mapped[str] = mapped_column(String(16))
    provider_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)  # payOS paymentLinkId
    qr_payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    account_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=PaymentState.OPENING)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the kiosk's countdown ends
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the gateway stops taking money for it
    next_poll_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    abandoned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    pay_later: Mapped[bool] = mapped_column(Boolean, default=False)  # ticket first, money from a phone later
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    paid_amount_vnd: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    bank_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the transfer that paid it
    paid_late: Mapped[bool] = mapped_column(Boolean, default=False)  # after the kiosk's countdown or the patient left
    ticket_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # no foreign key: tickets are purged
    ticket_issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Money the desk owes back (a second transfer, a held one, one no ticket could be issued for), and when the
    # desk recorded the refund.
    refund_due_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    refund_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    refunded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    refunded_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class BankTransfer(Base):
    """A credit the gateway reported (by callback or by poll), once per (provider, bank reference): the line of the
    bank statement it matches. The payer's name is not kept; their account only as its last 4 digits."""

    __tablename__ = "bank_transfers"
    __table_args__ = (UniqueConstraint("provider", "bank_reference", name="uq_bank_transfers_reference"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    bank_reference: Mapped[str] = mapped_column(String(64))
    order_code: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    payment_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    account_number: Mapped[str] = mapped_column(String(32))  # the account credited
    description: Mapped[str] = mapped_column(String(200))  # the memo as the bank wrote it
    transferred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the bank's time
    day: Mapped[date] = mapped_column(Date, index=True)  # the local day of the bank's time: the statement's day
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    via: Mapped[str] = mapped_column(String(8))  # callback | poll
    outcome: Mapped[str] = mapped_column(String(16))
    payer_bank: Mapped[str | None] = mapped_column(String(16), nullable=True)
    payer_account_last4: Mapped[str | None] = mapped_column(String(4), nullable=True)


class ExamPrice(Base):
    """The hospital's own exam fee per department and visit type, kept in the console: used when the HIS gives no
    price. No row: the desk takes the fee."""

    __tablename__ = "exam_prices"
    department_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    visit_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    amount_vnd: Mapped[int] = mapped_column(BigInteger)
    service_code: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(100))


class BankFeed(Base):
    """One row per gateway: when it was last heard from, by callback and by poll (the silent-feed alert)."""

    __tablename__ = "bank_feed"
    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_callback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_poll_ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_poll_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_poll_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class PaymentAlert(Base):
    """An alert for IT about the bank feed. `open_code` is the code while the alert stands and NULL once cleared:
    unique, so two hub processes raise one alert, not two."""

    __tablename__ = "payment_alerts"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    open_code: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    detail: Mapped[str] = mapped_column(String(200), default="")
