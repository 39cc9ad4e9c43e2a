"""payments: each payment a kiosk opens, the bank"s transfers, the exam price list, the bank feed and its alerts

Revision ID: 0900
Revises: 0800
Create Date: 2026-12-07 13:17:01

Payments hold no foreign key to tickets: tickets are purged after retention, the money"s record is not.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0900"
down_revision = "0800"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_feed",
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("last_callback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_poll_ok_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_poll_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_poll_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("provider", name=op.f("pk_bank_feed")),
    )
    op.create_table(
        "bank_transfers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("bank_reference", sa.String(length=64), nullable=False),
        sa.Column("order_code", sa.BigInteger(), nullable=True),
        sa.Column("payment_id", sa.String(length=36), nullable=True),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("account_number", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("transferred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("payer_bank", sa.String(length=16), nullable=True),
        sa.Column("payer_account_last4", sa.String(length=4), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_transfers")),
        sa.UniqueConstraint("provider", "bank_reference", name="uq_bank_transfers_reference"),
    )
    with op.batch_alter_table("bank_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_transfers_day"), ["day"], unique=False)
        batch_op.create_index(batch_op.f("ix_bank_transfers_payment_id"), ["payment_id"], unique=False)

    op.create_table(
        "exam_prices",
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("visit_type", sa.String(length=8), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("department_id", "visit_type", name=op.f("pk_exam_prices")),
    )
    op.create_table(
        "payment_alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("open_code", sa.String(length=32), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_alerts")),
        sa.UniqueConstraint("open_code", name=op.f("uq_payment_alerts_open_code")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_code", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=25), nullable=False),
        sa.Column("public_token", sa.String(length=32), nullable=False),
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("room_id", sa.String(length=32), nullable=True),
        sa.Column("patient_ref", sa.String(length=64), nullable=True),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("priority_reasons", sa.String(length=200), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("service_code", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.String(length=200), nullable=False),
        sa.Column("price_source", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_ref", sa.String(length=64), nullable=True),
        sa.Column("qr_payload", sa.Text(), nullable=True),
        sa.Column("account_name", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pay_later", sa.Boolean(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_amount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("bank_reference", sa.String(length=64), nullable=True),
        sa.Column("paid_late", sa.Boolean(), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("ticket_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_due_vnd", sa.BigInteger(), nullable=False),
        sa.Column("refund_reason", sa.String(length=32), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_by", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("kiosk_id", "idempotency_key", name="uq_payments_kiosk_key"),
        sa.UniqueConstraint("order_code", name=op.f("uq_payments_order_code")),
        sa.UniqueConstraint("public_token", name=op.f("uq_payments_public_token")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_day_state", ["day", "state"], unique=False)
        batch_op.create_index("ix_payments_next_poll", ["next_poll_at"], unique=False)


def downgrade() -> None:
    for table in ("payments", "payment_alerts", "exam_prices", "bank_transfers", "bank_feed"):
        op.drop_table(table)
