"""access: staff assignments, integration credentials, ticket grants, the patient-lookup log and allowances,
sign-in throttles, revocations; console users get `may_see_names`

Revision ID: 0400
Revises: 0710 (written after 0310; placed after the head of main when it landed: 0501, then the HIS strand's 0710)
Create Date: 2026-11-26 09:00:00

Existing users keep their role (admin or viewer) and see no names; every new table starts empty. Downgrading drops
the tables and the column; staff users, a role the older code does not know, become disabled viewers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0400"
down_revision = "0710"
branch_labels = None
depends_on = None

_MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("fleet_users") as batch_op:
        batch_op.add_column(sa.Column("may_see_names", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "staff_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("room_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"], ["fleet_users.username"], name=op.f("fk_staff_assignments_username_fleet_users")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_staff_assignments_department_id_departments")
        ),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_staff_assignments_room_id_rooms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_assignments")),
        sa.UniqueConstraint("username", "department_id", "room_id", name="uq_staff_assignments_place"),
    )
    op.create_index(op.f("ix_staff_assignments_username"), "staff_assignments", ["username"])
    op.create_table(
        "integration_credentials",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", _MOMENT, nullable=False),
        sa.Column("revoked_at", _MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_credentials")),
        sa.UniqueConstraint("name", name=op.f("uq_integration_credentials_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_integration_credentials_token_hash")),
    )
    op.create_table(
        "ticket_grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("granted_at", _MOMENT, nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_grants_ticket_id_tickets")),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_ticket_grants_kiosk_id_kiosks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_grants")),
        sa.UniqueConstraint("ticket_id", "kiosk_id", name="uq_ticket_grants_ticket_kiosk"),
    )
    op.create_table(
        "patient_lookups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("at", _MOMENT, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("identifier_hash", sa.String(length=64), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_lookups")),
    )
    op.create_index("ix_patient_lookups_at", "patient_lookups", ["at"])
    op.create_index(op.f("ix_patient_lookups_kiosk_id"), "patient_lookups", ["kiosk_id"])
    op.create_index(op.f("ix_patient_lookups_identifier_hash"), "patient_lookups", ["identifier_hash"])
    op.create_table(
        "lookup_allowances",
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_lookup_allowances")),
    )
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", _MOMENT, nullable=False),
        sa.Column("locked_until", _MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )
    op.create_index(op.f("ix_sign_in_throttles_last_failure_at"), "sign_in_throttles", ["last_failure_at"])
    op.create_table(
        "access_revocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("at", _MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_revocations")),
    )


def downgrade() -> None:
    op.execute("UPDATE fleet_users SET role = 'viewer', disabled = true WHERE role = 'staff'")
    for table in (
        "access_revocations",
        "sign_in_throttles",
        "lookup_allowances",
        "patient_lookups",
        "ticket_grants",
        "integration_credentials",
        "staff_assignments",
    ):
        op.drop_table(table)
    with op.batch_alter_table("fleet_users") as batch_op:
        batch_op.drop_column("may_see_names")
