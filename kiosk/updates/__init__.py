"""The kiosk's software updates: signed release manifests, the update agent, the guard that rolls back."""
