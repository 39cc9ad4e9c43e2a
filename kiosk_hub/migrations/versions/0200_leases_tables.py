"""number leases and replayed provisional registrations

Revision ID: 0200
Revises: 0100
Create Date: 2026-11-23 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0200"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_leases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renew_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_number_leases_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_number_leases_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_leases")),
    )
    op.create_index("ix_number_leases_holder", "number_leases", ["kiosk_id", "day", "department_id", "lane"])
    op.create_table(
        "lease_replays",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("lease_id", sa.String(length=36), nullable=False),
        sa.Column("provisional_number", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_lease_replays_kiosk_id_kiosks")),
        sa.ForeignKeyConstraint(
            ["lease_id"], ["number_leases.id"], name=op.f("fk_lease_replays_lease_id_number_leases")
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_lease_replays_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lease_replays")),
        sa.UniqueConstraint("kiosk_id", "idempotency_key", name="uq_lease_replays_key"),
    )


def downgrade() -> None:
    op.drop_table("lease_replays")
    op.drop_index("ix_number_leases_holder", table_name="number_leases")
    op.drop_table("number_leases")
