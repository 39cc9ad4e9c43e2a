"""Kiosk software releases on the hub: signed manifests, their files served to enrolled kiosks, staged rollouts."""
