"""calling gets its own counter table; queue_counters keeps the lanes' numbers only

Revision ID: 0310
Revises: 0300
Create Date: 2026-11-25 10:00:00

Until now `queue_counters.lane` also held two rows that are no lane: "call" (the day's call sequence) and "streak"
(normal tickets called since the last priority one). They move to `call_counters`, one row per department and day
with a column for each; a check constraint keeps `queue_counters.lane` to the two lanes. Downgrading puts them back.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0310"
down_revision = "0300"
branch_labels = None
depends_on = None

_CARRY_OVER = """
INSERT INTO call_counters (department_id, day, last_call, normals_since_priority)
SELECT department_id, day,
       COALESCE(MAX(CASE WHEN lane = 'call' THEN last_number END), 0),
       COALESCE(MAX(CASE WHEN lane = 'streak' THEN last_number END), 0)
FROM queue_counters WHERE lane IN ('call', 'streak')
GROUP BY department_id, day
"""
_CARRY_BACK = """
INSERT INTO queue_counters (department_id, day, lane, last_number)
SELECT department_id, day, 'call', last_call FROM call_counters
UNION ALL
SELECT department_id, day, 'streak', normals_since_priority FROM call_counters
"""


def upgrade() -> None:
    op.create_table(
        "call_counters",
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_call", sa.Integer(), nullable=False),
        sa.Column("normals_since_priority", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_call_counters_department_id_departments")
        ),
        sa.PrimaryKeyConstraint("department_id", "day", name=op.f("pk_call_counters")),
    )
    op.execute(_CARRY_OVER)
    op.execute("DELETE FROM queue_counters WHERE lane IN ('call', 'streak')")
    with op.batch_alter_table("queue_counters") as batch_op:
        batch_op.create_check_constraint("ck_queue_counters_lane", "lane IN ('priority', 'normal')")


def downgrade() -> None:
    with op.batch_alter_table("queue_counters") as batch_op:
        batch_op.drop_constraint("ck_queue_counters_lane", type_="check")
    op.execute(_CARRY_BACK)
    op.drop_table("call_counters")
