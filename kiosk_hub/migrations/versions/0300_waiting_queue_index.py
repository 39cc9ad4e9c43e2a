"""the waiting-queue index covers lane and number

Revision ID: 0300
Revises: 0200
Create Date: 2026-11-23 23:15:00

A ticket's position counts the department's waiting tickets by lane and number. With the index on (department,
day, status) only, every count read each waiting ticket's row; with lane and number in the index the count is read
from the index alone (the next ticket to call, too).
"""

from __future__ import annotations

from alembic import op

revision = "0300"
down_revision = "0200"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_index("ix_tickets_queue")
        batch_op.create_index("ix_tickets_queue", ["department_id", "day", "status", "lane", "number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch_op:
        batch_op.drop_index("ix_tickets_queue")
        batch_op.create_index("ix_tickets_queue", ["department_id", "day", "status"], unique=False)
