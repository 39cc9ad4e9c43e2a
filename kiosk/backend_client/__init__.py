"""The client of the Kiosk HIS API served by the hub."""
