"""The console's roles and the integration credentials' scopes: one place for both."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # may change anything, reads the access log
    VIEWER = "viewer"  # may look at the console, change nothing, never sees personal data
    STAFF = "staff"  # calls numbers of the departments (and rooms) assigned to them


class Scope(StrEnum):
    """What an integration credential (a HIS, the e-invoice service) may do; it holds one or more."""

    CALLING = "calling"  # call the next number of any department
    EVENTS = "events"  # read the hub's event feed
    REGISTRATIONS = "registrations"  # read the registrations made at the kiosks


MIN_PASSWORD_LENGTH = 10
