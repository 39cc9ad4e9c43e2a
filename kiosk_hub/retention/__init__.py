"""Retention: personal data in the hub deleted once it is older than the hospital's retention period, and the
encrypted backup and restore of the hub's store."""
