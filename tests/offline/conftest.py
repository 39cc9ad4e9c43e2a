"""Offline-resilience fixtures: the hub engineer's hub fixtures (migrated SQLite, clock, BHXH simulator, ASGI app)."""

from tests.hub.conftest import clock, gateway, gateway_url, hub_api, postgres, sqlite_url  # noqa: F401 - shared fixtures
