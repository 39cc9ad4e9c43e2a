"""calling: room states, each ticket's calling state, the call log screens and phones follow, waiting-room areas and
their screens

Revision ID: 0600
Revises: 0401
Create Date: 2026-12-07 14:05:00

Ticket statuses gain `serving`, `served`, `skipped` and `missed` (the column is text: no change here). Nothing of an
older hub's data changes; downgrading drops the tables and puts tickets an older hub does not know back as `called`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0600"
down_revision = "0401"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("room_id", sa.String(length=32), nullable=True),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("display_number", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_log")),
    )
    with op.batch_alter_table("call_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_call_log_department_at", ["department_id", "at"], unique=False)

    op.create_table(
        "calling_areas",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name_vi", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("recent_calls", sa.Integer(), nullable=False),
        sa.Column("speak_english", sa.Boolean(), nullable=False),
        sa.Column("volume", sa.Integer(), nullable=False),
        sa.Column("quiet_from", sa.String(length=5), nullable=True),
        sa.Column("quiet_until", sa.String(length=5), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calling_areas")),
    )
    op.create_table(
        "display_screens",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["calling_areas.id"], name=op.f("fk_display_screens_area_id_calling_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_display_screens")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_display_screens_code_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_display_screens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_display_screens_token_hash")),
    )
    op.create_table(
        "calling_area_places",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_id", sa.String(length=32), nullable=False),
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("room_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["calling_areas.id"], name=op.f("fk_calling_area_places_area_id_calling_areas")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_calling_area_places_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_calling_area_places_room_id_rooms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calling_area_places")),
    )
    with op.batch_alter_table("calling_area_places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calling_area_places_area_id"), ["area_id"], unique=False)

    op.create_table(
        "calling_rooms",
        sa.Column("room_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_calling_rooms_room_id_rooms")),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_calling_rooms")),
    )
    op.create_table(
        "ticket_calls",
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("room_id", sa.String(length=32), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("skips", sa.Integer(), nullable=False),
        sa.Column("returns_at_call", sa.Integer(), nullable=True),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_ticket_calls_room_id_rooms")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_calls_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_calls")),
    )


def downgrade() -> None:
    op.execute("UPDATE tickets SET status = 'called' WHERE status IN ('serving', 'served', 'skipped', 'missed')")
    op.drop_table("ticket_calls")
    op.drop_table("calling_rooms")
    with op.batch_alter_table("calling_area_places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calling_area_places_area_id"))

    op.drop_table("calling_area_places")
    op.drop_table("display_screens")
    op.drop_table("calling_areas")
    with op.batch_alter_table("call_log", schema=None) as batch_op:
        batch_op.drop_index("ix_call_log_department_at")
        batch_op.drop_index(batch_op.f("ix_call_log_at"))

    op.drop_table("call_log")
