"""Update tests use the hub's fixtures: a settable clock, PostgreSQL started by the run."""

from tests.hub.conftest import clock, postgres

__all__ = ["clock", "postgres"]
