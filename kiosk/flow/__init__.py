"""The check-in and benefit-lookup flows as pure state machines, and the service that runs their effects."""
