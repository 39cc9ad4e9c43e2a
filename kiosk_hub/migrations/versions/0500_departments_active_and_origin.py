"""departments and rooms can be hidden from kiosks; a department says where it came from

Revision ID: 0500
Revises: 0310
Create Date: 2026-11-26 09:00:00

`active` hides a department (or a room) from kiosks without deleting it: its tickets, bookings and counters keep
pointing at it. `origin` says who keeps it: the console, an imported file, or (later) the HIS. Before this, the
only way to add a department was `kiosk-hub seed-demo`, so existing ones are marked as imported.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0500"
down_revision = "0462"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy on SQLite): every other table's foreign keys point at these two.
    op.add_column("departments", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column("departments", sa.Column("origin", sa.String(length=16), nullable=False, server_default="console"))
    op.add_column("rooms", sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute("UPDATE departments SET origin = 'import'")


def downgrade() -> None:
    with op.batch_alter_table("rooms") as batch_op:
        batch_op.drop_column("active")
    with op.batch_alter_table("departments") as batch_op:
        batch_op.drop_column("origin")
        batch_op.drop_column("active")
