"""the BHXH lookup officer as a hub setting IT may change in the console (sealed)

Revision ID: 0462
Revises: 0461
Create Date: 2026-11-26 10:10:00

One row at most: while it exists it overrides KIOSK_HUB_BHXH_OFFICER_NAME / _CCCD. The name and CCCD are sealed
with the hub's key file (AES-256-GCM); only the CCCD's last 4 digits are kept in clear, for the console.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0462"
down_revision = "0461"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bhxh_lookup_officer",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("id_last4", sa.String(length=4), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bhxh_lookup_officer")),
    )


def downgrade() -> None:
    op.drop_table("bhxh_lookup_officer")
