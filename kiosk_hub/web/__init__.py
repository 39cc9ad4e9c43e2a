"""What every concern's routes share: the hub behind a request, problem+json answers, the body limit and the
security headers (who may call a route is `kiosk_hub.access.principals`)."""
