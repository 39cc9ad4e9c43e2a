"""Access tests run on the hub's own fixtures: a migrated SQLite file, a settable clock, the BHXH simulator, the app
over ASGI with one enrolled kiosk and an integration credential."""

from tests.hub.conftest import clock, gateway, gateway_url, hub_api, postgres, sqlite_url

__all__ = ["clock", "gateway", "gateway_url", "hub_api", "postgres", "sqlite_url"]
