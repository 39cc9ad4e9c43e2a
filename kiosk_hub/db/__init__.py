"""The hub's store: SQLAlchemy models and engine set-up for SQLite (embedded) and PostgreSQL (scale-out)."""
