"""The Kiosk HIS API v1: routes, wire models and the problem+json error format."""
