"""Access tests run on the hub's and the fleet's own fixtures: a migrated SQLite file, a settable clock, the BHXH
simulator, the app over ASGI with one enrolled kiosk and an integration credential (`hub_api`), or the bare fleet
app (`fleet`)."""

from tests.fleet.conftest import fleet, hub_url
from tests.hub.conftest import clock, gateway, gateway_url, hub_api, postgres, sqlite_url

__all__ = ["clock", "fleet", "gateway", "gateway_url", "hub_api", "hub_url", "postgres", "sqlite_url"]
