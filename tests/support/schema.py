"""What a migration test asks of a database between revisions, read through a short-lived engine."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect


def table_names(url: str) -> set[str]:
    """The tables the database holds now (the engine is disposed: no connection is left for the collector)."""
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
