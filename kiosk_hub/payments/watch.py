"""Alerts for IT when the bank feed goes quiet during opening hours (any department open), each raised once and
cleared when the feed is heard again:

- `bank_unreachable`: the gateway did not answer a poll in the window, and nothing else was heard from it;
- `bank_feed_silent`: several payments had their whole countdown in the window and no transfer at all came;
- `callbacks_missing`: transfers were found by polling but no callback reached the hub (the webhook URL, a
  firewall): patients still get their tickets, a few seconds later.

A new alert is logged and announced on the event feed (`payment.feed_silent`), and shown in the console.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.domain.payment_state import PaymentState
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Department
from kiosk_hub.events.outbox import record_event
from kiosk_hub.payments.models import BankFeed, BankTransfer, Payment, PaymentAlert
from kiosk_hub.queue.departments import is_open, opening_hours
from kiosk_hub.settings import PaymentSettings

log = logging.getLogger("kiosk_hub.payments")


def hospital_open(session: Session, moment: datetime) -> bool:
    departments = session.scalars(select(Department).where(Department.active.is_(True)))
    return any(is_open(opening_hours(d), moment) for d in departments)


def _since(moment: datetime | None, start: datetime) -> bool:
    return moment is not None and as_utc(moment) >= start


def standing(session: Session, settings: PaymentSettings, provider: str, now: datetime) -> dict[str, str]:
    """The alert codes that hold now, with a line for IT each."""
    start = now - timedelta(minutes=settings.silent_minutes)
    feed = session.get(BankFeed, provider) or BankFeed(provider=provider)
    found: dict[str, str] = {}
    heard = _since(feed.last_callback_at, start) or _since(feed.last_poll_ok_at, start)
    if _since(feed.last_poll_error_at, start) and not heard:
        found["bank_unreachable"] = (feed.last_poll_error or "")[:200]
    ran_out = session.scalar(
        select(func.count())
        .select_from(Payment)
        .where(Payment.created_at >= start, Payment.expires_at <= now, Payment.state != PaymentState.FAILED)
    )
    transfers = session.scalar(select(func.count()).select_from(BankTransfer).where(BankTransfer.received_at >= start))
    if (ran_out or 0) >= settings.silent_after_payments and not transfers:
        found["bank_feed_silent"] = f"{ran_out} payments ran out with no transfer in {settings.silent_minutes:g} min"
    polled = session.scalar(
        select(func.count())
        .select_from(BankTransfer)
        .where(BankTransfer.received_at >= start, BankTransfer.via == "poll")
    )
    if polled and not _since(feed.last_callback_at, start):
        found["callbacks_missing"] = f"{polled} transfers found only by polling"
    return found


def watch_feed(session: Session, settings: PaymentSettings, provider: str, now: datetime) -> list[str]:
    """Raise what holds now and clear what no longer does (during opening hours only); the codes newly raised."""
    if not hospital_open(session, now):
        return []
    holding = standing(session, settings, provider, now)
    open_alerts = {a.code: a for a in session.scalars(select(PaymentAlert).where(PaymentAlert.open_code.is_not(None)))}
    for code, alert in open_alerts.items():
        if code not in holding:
            alert.open_code, alert.cleared_at = None, now
    raised = []
    for code, detail in holding.items():
        if code in open_alerts:
            continue
        try:
            with session.begin_nested():
                session.add(PaymentAlert(code=code, open_code=code, raised_at=now, detail=detail))
        except IntegrityError:
            continue  # another hub process raised it a moment ago
        record_event(
            session,
            "payment.feed_silent",
            subject=f"bank:{provider}",
            data={"code": code, "detail": detail, "provider": provider},
            occurred_at=now,
        )
        log.warning("payment alert for IT: %s (%s)", code, detail)
        raised.append(code)
    return raised


def heard(session: Session, provider: str, now: datetime, kind: str, error: str | None = None) -> None:
    """Note that the gateway was heard (a callback, a poll answered) or not (a poll failed)."""
    feed = session.get(BankFeed, provider)
    if feed is None:
        feed = BankFeed(provider=provider)
        session.add(feed)
    if kind == "callback":
        feed.last_callback_at = now
    elif kind == "poll_ok":
        feed.last_poll_ok_at = now
    else:
        feed.last_poll_error_at, feed.last_poll_error = now, (error or "")[:200]
