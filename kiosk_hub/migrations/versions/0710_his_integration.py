"""the HIS integration: visits to open in the HIS, registrations made while it was away, card checks for visits,
the hub's own register's visits, departments that came from the HIS, BHYT check-in receipts

Revision ID: 0710
Revises: 0700
Create Date: 2026-12-07 11:20:00

Departments and rooms from the HIS are marked in their own table (`his_department_links`), not by a column on
`departments`: the department management adds the `origin` column and `active` flag in its own migration.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0710"
down_revision = "0700"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "his_visits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("patient_ref", sa.String(length=64), nullable=False),
        sa.Column("goal", sa.String(length=16), nullable=False),
        sa.Column("done", sa.String(length=16), nullable=False),
        sa.Column("visit_code", sa.String(length=64), nullable=True),
        sa.Column("his_patient_id", sa.String(length=64), nullable=True),
        sa.Column("appointment_code", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_visits")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_his_visits_ticket_id")),
    )
    op.create_index(
        "ix_his_visits_due",
        "his_visits",
        ["next_attempt_at"],
        sqlite_where=sa.text("goal != done"),
        postgresql_where=sa.text("goal != done"),
    )
    op.create_index(op.f("ix_his_visits_patient_ref"), "his_visits", ["patient_ref"])
    op.create_table(
        "his_pending_registrations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("identity_key", sa.String(length=64), nullable=False),
        sa.Column("registration", sa.Text(), nullable=True),
        sa.Column("his_patient_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_pending_registrations")),
        sa.UniqueConstraint("identity_key", name=op.f("uq_his_pending_registrations_identity_key")),
    )
    op.create_table(
        "his_entitlement_checks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_ref", sa.String(length=64), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_his_entitlement_checks")),
    )
    op.create_index(op.f("ix_his_entitlement_checks_patient_ref"), "his_entitlement_checks", ["patient_ref"])
    op.create_table(
        "register_visits",
        sa.Column("visit_ref", sa.String(length=64), nullable=False),
        sa.Column("visit_code", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.String(length=32), nullable=False),
        sa.Column("visit_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entitlement_code", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("visit_ref", name=op.f("pk_register_visits")),
        sa.UniqueConstraint("visit_code", name=op.f("uq_register_visits_visit_code")),
    )
    op.create_table(
        "his_department_links",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("hub_id", sa.String(length=32), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missing_since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kind", "hub_id", name=op.f("pk_his_department_links")),
    )
    op.create_table(
        "bhyt_checkins",
        sa.Column("visit_ref", sa.String(length=36), nullable=False),
        sa.Column("ma_lk", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("result_code", sa.String(length=8), nullable=True),
        sa.Column("transaction_code", sa.String(length=100), nullable=True),
        sa.Column("received_at", sa.String(length=14), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("xml", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("visit_ref", name=op.f("pk_bhyt_checkins")),
    )


def downgrade() -> None:
    for table in (
        "bhyt_checkins",
        "his_department_links",
        "register_visits",
        "his_entitlement_checks",
        "his_pending_registrations",
    ):
        op.drop_table(table)
    op.drop_index("ix_his_visits_patient_ref", "his_visits")
    op.drop_index("ix_his_visits_due", "his_visits")
    op.drop_table("his_visits")
