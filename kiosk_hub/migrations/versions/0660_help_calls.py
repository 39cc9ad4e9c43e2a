"""the kiosks' calls for help: which kiosk, where, on which screen, when, and who took it

Revision ID: 0660
Revises: 0650
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0660"
down_revision = "0650"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "help_calls",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("location", sa.String(length=120), nullable=False),
        sa.Column("screen", sa.String(length=32), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_help_calls_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_calls")),
    )
    op.create_index("ix_help_calls_open", "help_calls", ["acknowledged_at", "asked_at"])
    op.create_index(op.f("ix_help_calls_kiosk_id"), "help_calls", ["kiosk_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_help_calls_kiosk_id"), table_name="help_calls")
    op.drop_index("ix_help_calls_open", table_name="help_calls")
    op.drop_table("help_calls")
