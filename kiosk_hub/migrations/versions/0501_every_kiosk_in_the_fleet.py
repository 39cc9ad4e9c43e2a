"""every kiosk is a fleet kiosk: tokens made by the retired `kiosk-hub kiosk add` join the default group

Revision ID: 0501
Revises: 0500
Create Date: 2026-11-26 09:30:00

Kiosks used to be made two ways: console enrolment codes (a `kiosks` row and a `fleet_kiosks` row) and the
`kiosk-hub kiosk add` command (a `kiosks` row only), whose kiosks the console never listed and which got no
configuration, heartbeats or actions. The command is gone; the kiosks it made keep their tokens and join the
"default" group (created if missing), so the console lists them and IT can move or revoke them.
Downgrading leaves them in the fleet: nothing tells them apart from enrolled kiosks any more, and no harm is done.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0501"
down_revision = "0500"
branch_labels = None
depends_on = None

_OUTSIDE = "SELECT COUNT(*) FROM kiosks k WHERE NOT EXISTS (SELECT 1 FROM fleet_kiosks f WHERE f.kiosk_id = k.id)"
_JOIN = """
INSERT INTO fleet_kiosks (kiosk_id, group_id, canary, enrolled_at, app_version, config_version, config_status,
                          config_reason, devices, funnel, funnel_day)
SELECT k.id, :group_id, :no, k.created_at, '', 0, '', '', '{}', '{}', ''
FROM kiosks k WHERE NOT EXISTS (SELECT 1 FROM fleet_kiosks f WHERE f.kiosk_id = k.id)
"""


def upgrade() -> None:
    connection = op.get_bind()
    if not connection.execute(sa.text(_OUTSIDE)).scalar_one():
        return
    group_id = connection.execute(sa.text("SELECT id FROM fleet_groups WHERE name = 'default'")).scalar()
    if group_id is None:
        group_id = str(uuid.uuid4())
        connection.execute(
            sa.text(
                "INSERT INTO fleet_groups (id, name, failure_threshold_percent, created_at) "
                "VALUES (:id, 'default', 20, :now)"
            ),
            {"id": group_id, "now": datetime.now(UTC)},
        )
    connection.execute(sa.text(_JOIN), {"group_id": group_id, "no": False})


def downgrade() -> None:
    pass
