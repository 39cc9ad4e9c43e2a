"""Number leases: blocks of queue numbers a kiosk holds ahead of need, and the replay of what it issued offline."""
