"""event readers become integration credentials with the `events` scope

Revision ID: 0401
Revises: 0400
Create Date: 2026-12-07 13:30:00

The event feed's pull route took its own bearer tokens (`event_readers`), standing in for integration credentials.
Each reader becomes a credential of the same name with scope `events` and the same token hash (both are the SHA-256
of the token), so a HIS keeps pulling with the token it has; a revoked reader stays revoked. Then the table goes.
Downgrading puts the credentials holding `events` back as readers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0401"
down_revision = "0400"
branch_labels = None
depends_on = None

_READERS = sa.table(
    "event_readers",
    sa.column("name", sa.String),
    sa.column("token_hash", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("revoked", sa.Boolean),
)
_CREDENTIALS = sa.table(
    "integration_credentials",
    sa.column("id", sa.String),
    sa.column("name", sa.String),
    sa.column("token_hash", sa.String),
    sa.column("scopes", sa.String),
    sa.column("created_by", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC)
    taken = set(connection.execute(sa.select(_CREDENTIALS.c.name)).scalars())
    rows = [
        {
            "id": str(uuid.uuid4()),
            # A reader named like an existing credential keeps its name with a suffix: names are unique.
            "name": reader.name[:64] if reader.name[:64] not in taken else f"{reader.name[:56]}-reader",
            "token_hash": reader.token_hash,
            "scopes": "events",
            "created_by": "migration",
            "created_at": reader.created_at,
            "revoked_at": now if reader.revoked else None,
        }
        for reader in connection.execute(sa.select(_READERS))
    ]
    if rows:
        op.bulk_insert(_CREDENTIALS, rows)
    op.drop_table("event_readers")


def downgrade() -> None:
    op.create_table(
        "event_readers",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_event_readers")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_event_readers_token_hash")),
    )
    connection = op.get_bind()
    holders = connection.execute(sa.select(_CREDENTIALS).where(_CREDENTIALS.c.scopes.like("%events%"))).all()
    rows = [
        {"name": h.name, "token_hash": h.token_hash, "created_at": h.created_at, "revoked": h.revoked_at is not None}
        for h in holders
    ]
    if rows:
        op.bulk_insert(_READERS, rows)
    op.execute(_CREDENTIALS.delete().where(_CREDENTIALS.c.scopes == "events"))
