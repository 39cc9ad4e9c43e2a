"""configuration versions are signed when served; the BHXH lookup officer leaves the stored configurations

Revision ID: 0461
Revises: 0460
Create Date: 2026-11-26 10:05:00

The hub now signs a configuration for each kiosk as it serves it (audience, expiry), so the signature saved with
each version (`signature`, `key_id`: format 1, valid for any kiosk for ever) goes. The lookup officer (a member of
staff's name and CCCD) was a field of the kiosks' configuration that no kiosk used: it is removed from every stored
version, which is read as schema version 3 from now on. The officer is the hub's own setting
(KIOSK_HUB_BHXH_OFFICER_NAME / _CCCD). Downgrading brings the columns back empty (the older hub then serves
unsigned versions, which kiosks refuse, until a configuration is saved again); the officer is not brought back.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0461"
down_revision = "0460"
branch_labels = None
depends_on = None

_versions = sa.table("fleet_config_versions", sa.column("version", sa.Integer), sa.column("config", sa.Text))


def upgrade() -> None:
    with op.batch_alter_table("fleet_config_versions") as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("key_id")
    connection = op.get_bind()
    for version, text in connection.execute(sa.select(_versions.c.version, _versions.c.config)).all():
        document = json.loads(text)
        if "lookup_officer" in document:
            del document["lookup_officer"]
            connection.execute(
                _versions.update()
                .where(_versions.c.version == version)
                .values(config=json.dumps(document, ensure_ascii=False, sort_keys=True))
            )


def downgrade() -> None:
    with op.batch_alter_table("fleet_config_versions") as batch_op:
        batch_op.add_column(sa.Column("signature", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=False, server_default=""))
