"""The Kiosk HIS API v1 routes the kiosks call (care and tickets) and the public ticket status page."""
