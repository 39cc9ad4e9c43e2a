"""Translations: Vietnamese by default, English."""
