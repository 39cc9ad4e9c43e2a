"""The payments a kiosk opens: begun (stored before the gateway is asked), opened (the VietQR checked against the
hospital's account before it is shown), read, given up, or turned into a ticket to pay later.

What the bank says about them is `settle.py`'s; the background round (polls, expiry, tickets after a restart) is
`poller.py`'s. Every method that writes is blocking and runs on the hub's writer threads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.dates import VN_TZ, local_date
from kiosk.domain.payment_state import PaymentState
from kiosk.domain.vietqr import VietQrError, decode_vietqr, encode_vietqr
from kiosk_hub import errors
from kiosk_hub.db.engine import as_utc
from kiosk_hub.payments import wire
from kiosk_hub.payments.fees import FeeDesk, FeeQuote
from kiosk_hub.payments.gateway import GatewayError, GatewayRefusedError, OpenedPayment, PaymentGateway, PaymentOpening
from kiosk_hub.payments.models import Payment
from kiosk_hub.queue.tickets import QueueBook
from kiosk_hub.settings import PaymentSettings

log = logging.getLogger("kiosk_hub.payments")
Clock = Callable[[], datetime]
_S = PaymentState
ORDER_EXISTS = "231"  # payOS: an order with this code exists


def end_of_day(moment: datetime) -> datetime:
    """The last second of the local day of `moment`: the gateway takes money for a payment until then."""
    day = local_date(moment)
    return datetime.combine(day, time(23, 59, 59), tzinfo=VN_TZ)


def fingerprint(body: wire.PaymentRequest) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class PaymentBook:
    def __init__(
        self,
        settings: PaymentSettings,
        gateway: PaymentGateway | None,
        fees: FeeDesk,
        queue: QueueBook,
        sessions: tuple[sessionmaker[Session], sessionmaker[Session]],
        clock: Clock,
        public_base_url: str,
    ) -> None:
        self.settings = settings
        self.gateway = gateway
        self.fees = fees
        self.queue = queue
        self.reader, self.writer = sessions
        self.clock = clock
        self.public_base_url = public_base_url.rstrip("/")

    @property
    def enabled(self) -> bool:
        return self.gateway is not None

    def quote(self, question: wire.FeeQuestion) -> wire.FeeQuote:
        """What the kiosk shows before the patient commits (blocking: the HIS may be asked)."""
        if not self.enabled:
            return wire.FeeQuote(
                payment_required=False,
                amount_vnd=None,
                service_name=None,
                source=None,
                reason="payments_off",
                pay_later=False,
            )
        fee = self.fees.quote(question.department_id, question.visit_type, question.room_id, question.priority_reasons)
        if fee is None:
            return wire.FeeQuote(
                payment_required=False,
                amount_vnd=None,
                service_name=None,
                source=None,
                reason="fee_unknown",
                pay_later=False,
            )
        free = fee.amount_vnd == 0
        return wire.FeeQuote(
            payment_required=not free,
            amount_vnd=fee.amount_vnd,
            service_name=fee.service_name or None,
            source=fee.source,
            reason=(fee.source if fee.source in ("bhyt", "exempt") else "free") if free else None,
            pay_later=self.settings.pay_later and not free,
        )

    def existing(self, kiosk_id: str, key: str, body: wire.PaymentRequest) -> str | None:
        """The payment this kiosk already began with this key (a retry); a reused key with another body is refused."""
        with self.reader() as session:
            found = session.scalars(
                select(Payment).where(Payment.kiosk_id == kiosk_id, Payment.idempotency_key == key)
            ).one_or_none()
            if found is None:
                return None
            if found.request_fingerprint != fingerprint(body):
                raise errors.idempotency_key_reused()
            return found.id

    def begin(self, kiosk_id: str, key: str, body: wire.PaymentRequest, fee: FeeQuote | None) -> tuple[str, bool]:
        """Store the payment (state `opening`) before the gateway hears of it; (its id, whether it existed)."""
        if not self.enabled:
            raise errors.payments_off()
        for _attempt in range(5):
            known = self.existing(kiosk_id, key, body)
            if known is not None:
                return known, True
            if fee is None or fee.amount_vnd <= 0:
                raise errors.payment_not_required()
            with self.writer() as session:
                payment = self._new(kiosk_id, key, body, fee)
                session.add(payment)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()  # the same key from a concurrent retry, or an order code drawn twice
                    continue
                return payment.id, False
        raise RuntimeError("payment insert kept conflicting")

    def _new(self, kiosk_id: str, key: str, body: wire.PaymentRequest, fee: FeeQuote) -> Payment:
        now = self.clock()
        # 12 random digits: unique per gateway account for good (payOS refuses an order code used before), not
        # guessable, and short enough for the memo of every bank.
        order_code = 10**11 + secrets.randbelow(9 * 10**11)
        return Payment(
            id=str(uuid.uuid4()),
            order_code=order_code,
            reference=f"{self.settings.reference_prefix}{order_code}",
            public_token=secrets.token_urlsafe(16),
            kiosk_id=kiosk_id,
            idempotency_key=key,
            request_fingerprint=fingerprint(body),
            day=local_date(now),
            department_id=body.department_id,
            room_id=body.room_id,
            patient_ref=body.patient_id,
            lane=body.lane.value,
            priority_reasons=",".join(sorted(r.value for r in body.priority_reasons)),
            amount_vnd=fee.amount_vnd,
            service_code=fee.service_code,
            service_name=fee.service_name or "Khám bệnh",
            price_source=fee.source,
            provider=self.gateway.name if self.gateway else "",
            state=_S.OPENING,
            created_at=now,
            expires_at=now + timedelta(minutes=self.settings.kiosk_minutes),
            closes_at=end_of_day(now),
            next_poll_at=now + timedelta(seconds=self.settings.poll_seconds),
        )

    async def open(self, payment_id: str) -> None:
        """Ask the gateway for the payment's QR and store it (`awaiting`); a gateway that fails or hands out a QR
        that does not pay the hospital's account leaves it `failed` (no QR was shown: no money can come)."""
        assert self.gateway is not None
        with self.reader() as session:
            payment = session.get(Payment, payment_id)
            if payment is None or payment.state != _S.OPENING or payment.qr_payload:
                return
            opening = PaymentOpening(
                order_code=payment.order_code,
                amount_vnd=payment.amount_vnd,
                reference=payment.reference,
                service_name=payment.service_name,
                closes_at=as_utc(payment.closes_at),
                status_url=self.status_url(payment.public_token),
            )
        try:
            opened = await self._ask_gateway(opening)
            self._check_qr(opened, opening)
        except (GatewayError, VietQrError) as exc:
            log.warning("payment gateway did not open a payment: %s", exc)
            self._failed(payment_id, str(exc)[:200])
            raise errors.bank_unavailable() from exc
        with self.writer() as session:
            values = {"qr_payload": opened.qr_payload, "provider_ref": opened.provider_ref}
            values["account_name"] = opened.account_name or self.settings.account_name
            session.execute(update(Payment).where(Payment.id == payment_id).values(**values))
            # A callback may have paid it while the gateway's answer was on its way: then it stays paid.
            session.execute(
                update(Payment).where(Payment.id == payment_id, Payment.state == _S.OPENING).values(state=_S.AWAITING)
            )
            session.commit()

    async def _ask_gateway(self, opening: PaymentOpening) -> OpenedPayment:
        assert self.gateway is not None
        try:
            return await self.gateway.open(opening)
        except GatewayRefusedError as refusal:
            settings = self.settings
            if refusal.code != ORDER_EXISTS or not (settings.bank_bin and settings.account_number):
                raise
        # The gateway has this order already (the hub stopped before storing its answer, and the kiosk asked again):
        # the QR is the same transfer, built here for the hospital's own account.
        qr = encode_vietqr(settings.bank_bin, settings.account_number, opening.amount_vnd, opening.reference)
        return OpenedPayment("", qr, settings.account_name, settings.bank_bin, settings.account_number)

    def _check_qr(self, opened: OpenedPayment, opening: PaymentOpening) -> None:
        qr = decode_vietqr(opened.qr_payload)
        wanted = (self.settings.bank_bin or opened.bank_bin, self.settings.account_number or opened.account_number)
        if (qr.bank_bin, qr.account) != wanted or (opened.bank_bin, opened.account_number) != wanted:
            raise VietQrError("not_the_hospital_account")
        if qr.amount_vnd != opening.amount_vnd or qr.reference != opening.reference:
            raise VietQrError("not_this_payment")

    def _failed(self, payment_id: str, reason: str) -> None:
        with self.writer() as session:
            session.execute(
                update(Payment)
                .where(Payment.id == payment_id, Payment.state == _S.OPENING)
                .values(state=_S.FAILED, last_error=reason)
            )
            session.commit()

    def status_url(self, token: str) -> str:
        return f"{self.public_base_url}/p/{token}"

    def owned(self, payment_id: str, kiosk_id: str | None) -> Payment:
        """The payment, read now; a kiosk may see only the payments it began."""
        with self.reader() as session:
            payment = session.get(Payment, payment_id)
            if payment is None or (kiosk_id is not None and payment.kiosk_id != kiosk_id):
                raise errors.not_found("payment")
            session.expunge(payment)
            return payment

    def view(self, payment: Payment) -> wire.Payment:
        receipt = None
        if payment.paid_at is not None and payment.bank_reference and payment.paid_amount_vnd is not None:
            receipt = wire.PaymentReceipt(
                amount_vnd=payment.paid_amount_vnd,
                bank_reference=payment.bank_reference,
                paid_at=as_utc(payment.paid_at),
            )
        expires = as_utc(payment.expires_at)
        return wire.Payment(
            id=payment.id,
            reference=payment.reference,
            state=_S(payment.state),
            amount_vnd=payment.amount_vnd,
            service_name=payment.service_name,
            qr_payload=payment.qr_payload,
            account_name=payment.account_name,
            bank_bin=self.settings.bank_bin or None,
            expires_at=expires,
            expires_in_seconds=max(0, int((expires - self.clock()).total_seconds())),
            status_url=self.status_url(payment.public_token),
            pay_later=payment.pay_later,
            paid_late=payment.paid_late,
            receipt=receipt,
            refund_due_vnd=payment.refund_due_vnd,
            ticket=self.queue.get(payment.ticket_id) if payment.ticket_id else None,
        )

    def abandon(self, payment_id: str, kiosk_id: str) -> None:
        """The patient cancelled or the kiosk's countdown ran out. The gateway keeps taking money for it until the
        day ends: a transfer already on its way still buys the ticket (paid late), or is owed back."""
        self.owned(payment_id, kiosk_id)
        with self.writer() as session:
            session.execute(
                update(Payment)
                .where(Payment.id == payment_id, Payment.state.in_((_S.OPENING, _S.AWAITING, _S.EXPIRED)))
                .where(Payment.pay_later.is_(False))
                .values(state=_S.ABANDONED, abandoned_at=self.clock())
            )
            session.commit()

    def choose_pay_later(self, payment_id: str, kiosk_id: str) -> bool:
        """Mark the payment to be paid from a phone after the ticket (stored before the ticket is issued); whether
        a ticket is due for it now."""
        payment = self.owned(payment_id, kiosk_id)  # first: another kiosk is not told whether it exists
        if not self.settings.pay_later:
            raise errors.pay_later_off()
        if payment.state not in (_S.AWAITING, _S.EXPIRED) and not payment.pay_later:
            return payment.state == _S.PAID
        with self.writer() as session:
            session.execute(update(Payment).where(Payment.id == payment_id).values(pay_later=True))
            session.commit()
        return True
