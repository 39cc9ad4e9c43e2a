"""The hospital's HIS behind the hub: an adapter interface and the built-in demo HIS."""
