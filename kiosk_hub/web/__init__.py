"""What every concern's routes share: the hub behind a request, the kiosk's bearer token, problem+json answers and
the body limit."""
