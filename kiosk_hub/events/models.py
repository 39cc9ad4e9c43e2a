"""Tables of the event feed: the outbox, the publication counter, webhook subscriptions and their deliveries.

An event is inserted with no position in the transaction of the change it announces; the publisher
(`publisher.py`) numbers committed events one round at a time under a lock on the counter row, so positions only
grow in the order consumers can see them (a pull consumer's cursor never skips an event committed late).
Deliveries are one row per (subscription, event) until delivered; a subject's later rows wait for its earlier ones.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk_hub.db.models import Base

# SQLite numbers rows itself only for an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
SEQ = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_events_unpublished",
            "seq",
            sqlite_where=text("position IS NULL"),
            postgresql_where=text("position IS NULL"),
        ),
    )
    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[str] = mapped_column(Text)  # JSON: the event's fields, no names, ID numbers or card codes
    position: Mapped[int | None] = mapped_column(BigInteger, unique=True, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class EventCounter(Base):
    """One row: the last position handed out. Publishers lock it, so one numbers events at a time."""

    __tablename__ = "event_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_position: Mapped[int] = mapped_column(BigInteger)


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    # The HMAC key: the hub must sign with it, so it is kept as is (shown once when created).
    secret: Mapped[str] = mapped_column(String(100))
    event_types: Mapped[str] = mapped_column(String(500), default="")  # comma-separated prefixes; empty = all
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryState(StrEnum):
    PENDING = "pending"
    DEAD = "dead"  # gave up; a subject's later events wait behind it until an admin replays it


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_subject", "subscription_id", "subject", "position"),
        Index("ix_webhook_deliveries_due", "subscription_id", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    event_seq: Mapped[int] = mapped_column(ForeignKey("outbox_events.seq"))
    position: Mapped[int] = mapped_column(BigInteger)
    subject: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)  # a status or an exception class
