"""Device ports (typed Protocols returning domain types), their adapters and fakes."""
