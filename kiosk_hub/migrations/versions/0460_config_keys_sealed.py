"""config-signing keys sealed and rotatable: fleet_config_keys and the chain of key changes

Revision ID: 0460
Revises: 0310
Create Date: 2026-11-26 10:00:00

`fleet_signing_keys` held one Ed25519 private key in clear (slot "main"). It moves to `fleet_config_keys` (keyed by
key id; the active key marked by a unique `active` column; retired keys stay), still in clear in `private_pem`:
a migration cannot read the key file, so the hub seals it with the key file's key at its next start (or when
`kiosk-hub migrate` finishes) and empties `private_pem`. `fleet_config_key_changes` holds the statements, each
signed by the key before, that let kiosks follow a rotation.

Downgrading puts the active key back in clear into `fleet_signing_keys` only if it was not sealed yet; a sealed key
cannot be opened here, so the older hub would make a new key and every kiosk would need enrolling again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0460"
down_revision = "0310"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fleet_config_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_b64", sa.String(length=64), nullable=False),
        sa.Column("private_sealed", sa.Text(), nullable=True),
        sa.Column("private_pem", sa.Text(), nullable=True),
        sa.Column("sealed_by", sa.String(length=16), nullable=False),
        sa.Column("active", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_fleet_config_keys")),
        sa.UniqueConstraint("active", name=op.f("uq_fleet_config_keys_active")),
    )
    op.create_table(
        "fleet_config_key_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("previous_key_id", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("public_b64", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.String(length=20), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fleet_config_key_changes")),
        sa.UniqueConstraint("previous_key_id", name=op.f("uq_fleet_config_key_changes_previous_key_id")),
    )
    op.execute(
        "INSERT INTO fleet_config_keys (key_id, public_b64, private_sealed, private_pem, sealed_by, active, created_at)"
        " SELECT key_id, public_b64, NULL, private_pem, '', 'active', created_at FROM fleet_signing_keys"
        " WHERE slot = 'main'"
    )
    op.drop_table("fleet_signing_keys")


def downgrade() -> None:
    op.create_table(
        "fleet_signing_keys",
        sa.Column("slot", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_b64", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_fleet_signing_keys")),
    )
    op.execute(
        "INSERT INTO fleet_signing_keys (slot, key_id, private_pem, public_b64, created_at)"
        " SELECT 'main', key_id, private_pem, public_b64, created_at FROM fleet_config_keys"
        " WHERE active = 'active' AND private_pem IS NOT NULL"
    )
    op.drop_table("fleet_config_key_changes")
    op.drop_table("fleet_config_keys")
