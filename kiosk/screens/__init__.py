"""Kivy screens: they render flow state and send user events, nothing else."""
