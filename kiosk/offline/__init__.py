"""Keeping the kiosk issuing tickets when the hub is unreachable: leases, the encrypted journal, circuit breakers."""
