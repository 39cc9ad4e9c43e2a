"""kiosk software releases: release keys, releases, rollouts, pins, maintenance windows, update reports

Revision ID: 0800
Revises: 0660
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0800"
down_revision = "0660"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_b64", sa.String(length=64), nullable=False),
        sa.Column("private_sealed", sa.Text(), nullable=False),
        sa.Column("sealed_by", sa.String(length=16), nullable=False),
        sa.Column("active", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_release_keys")),
        sa.UniqueConstraint("active", name=op.f("uq_release_keys_active")),
    )
    op.create_table(
        "releases",
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("python", sa.String(length=8), nullable=False),
        sa.Column("signed", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("total_size", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_releases")),
    )
    op.create_table(
        "release_rollouts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("previous_version", sa.String(length=40), nullable=True),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("is_rollback", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["fleet_groups.id"], name=op.f("fk_release_rollouts_group_id_fleet_groups")
        ),
        sa.ForeignKeyConstraint(["version"], ["releases.version"], name=op.f("fk_release_rollouts_version_releases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_rollouts")),
    )
    op.create_index(op.f("ix_release_rollouts_group_id"), "release_rollouts", ["group_id"])
    op.create_table(
        "release_pins",
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("pinned_by", sa.String(length=64), nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["kiosk_id"], ["kiosks.id"], name=op.f("fk_release_pins_kiosk_id_kiosks")),
        sa.ForeignKeyConstraint(["version"], ["releases.version"], name=op.f("fk_release_pins_version_releases")),
        sa.PrimaryKeyConstraint("kiosk_id", name=op.f("pk_release_pins")),
    )
    op.create_table(
        "release_windows",
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.Column("windows", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["fleet_groups.id"], name=op.f("fk_release_windows_group_id_fleet_groups")
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_release_windows")),
    )
    op.create_table(
        "release_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kiosk_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_reports")),
    )
    op.create_index("ix_release_reports_kiosk_at", "release_reports", ["kiosk_id", "at"])
    op.create_index(op.f("ix_release_reports_version"), "release_reports", ["version"])


def downgrade() -> None:
    op.drop_index(op.f("ix_release_reports_version"), table_name="release_reports")
    op.drop_index("ix_release_reports_kiosk_at", table_name="release_reports")
    op.drop_table("release_reports")
    op.drop_table("release_windows")
    op.drop_table("release_pins")
    op.drop_index(op.f("ix_release_rollouts_group_id"), table_name="release_rollouts")
    op.drop_table("release_rollouts")
    op.drop_table("releases")
    op.drop_table("release_keys")
