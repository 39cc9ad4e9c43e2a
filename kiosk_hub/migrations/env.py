"""Alembic environment of the hub: migrates the database named in the config (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from kiosk_hub.access import models as _access_models  # noqa: F401 - access tables too
from kiosk_hub.bhxh import models as _bhxh_models  # noqa: F401 - the lookup officer's table
from kiosk_hub.calling import models as _calling_models  # noqa: F401 - calling: rooms, call log, areas, screens
from kiosk_hub.db.models import Base
from kiosk_hub.events import models as _event_models  # noqa: F401 - the event feed's tables
from kiosk_hub.fleet import models as _fleet_models  # noqa: F401 - fleet tables in the metadata for autogenerate
from kiosk_hub.help import models as _help_models  # noqa: F401 - the kiosks' calls for help
from kiosk_hub.his import models as _his_models  # noqa: F401 - the HIS integration's tables
from kiosk_hub.leases import models as _lease_models  # noqa: F401 - lease tables too
from kiosk_hub.payments import models as _payment_models  # noqa: F401 - payments, transfers, prices
from kiosk_hub.releases import models as _release_models  # noqa: F401 - kiosk software releases
from kiosk_hub.waits import models as _wait_models  # noqa: F401 - the expected waits' learned pace

config = context.config


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "the hub sets sqlalchemy.url before running migrations"
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
