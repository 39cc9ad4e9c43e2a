"""The hub: the hospital-side service that serves the Kiosk HIS API and manages the kiosk fleet."""
