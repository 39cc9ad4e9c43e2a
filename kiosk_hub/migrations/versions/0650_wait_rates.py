"""the expected waits' learned pace: call gaps and times at the counter per department, room, lane and hour, and
each department's (and room's) last call

Revision ID: 0650
Revises: 0600
Create Date: 2026-12-07 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0650"
down_revision = "0600"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wait_rates",
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("room_id", sa.String(length=32), nullable=False),
        sa.Column("lane", sa.String(length=16), nullable=False),
        sa.Column("pace", sa.String(length=16), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("mean_seconds", sa.Float(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("department_id", "room_id", "lane", "pace", "hour", name=op.f("pk_wait_rates")),
    )
    op.create_table(
        "wait_last_calls",
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("room_id", sa.String(length=32), nullable=False),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("department_id", "room_id", name=op.f("pk_wait_last_calls")),
    )


def downgrade() -> None:
    op.drop_table("wait_last_calls")
    op.drop_table("wait_rates")
