"""Choosing the HIS adapter: by name, from the entry-point group `kiosk_hub.his_adapters`, so a vendor ships
theirs as its own package:

    [project.entry-points."kiosk_hub.his_adapters"]
    abc-his = "abc_his_kiosk:build"          # build(context: AdapterContext) -> HisAdapter

The hub's own: `register` (its own patient register, the default), `demo` (the register with the demo hospital
seeded, only when asked), `rest` (the generic REST contract) and `fhir` (FHIR R4, extra `his-fhir`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import entry_points

from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub.his.port import ENTRY_POINT_GROUP, HisAdapter
from kiosk_hub.his.register import PatientRegister
from kiosk_hub.settings import HisSettings

log = logging.getLogger("kiosk_hub.his")


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter factory is given: its settings, the hub's facility code, and (for adapters that keep data
    in the hub's database, like the register) the hub's sessions and clock."""

    settings: HisSettings
    facility_code: str
    reader: sessionmaker[Session]
    writer: sessionmaker[Session]
    clock: Callable[[], datetime]


class AdapterNotFoundError(LookupError):
    """No installed adapter has this name."""


def available_adapters() -> list[str]:
    return sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))


def load_adapter(context: AdapterContext) -> HisAdapter:
    """The adapter named in the settings, built and checked against the port."""
    name = context.settings.adapter
    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        raise AdapterNotFoundError(
            f"no HIS adapter named {name!r} is installed (installed: {', '.join(available_adapters()) or 'none'})"
        )
    factory = found[0].load()
    adapter = factory(context)
    if not isinstance(adapter, HisAdapter):
        raise TypeError(f"HIS adapter {name!r} lacks calls of the port (kiosk_hub/his/port.py)")
    return adapter


def register_adapter(context: AdapterContext) -> HisAdapter:
    return PatientRegister(context.reader, context.writer, context.clock, context.facility_code)


def demo_adapter(context: AdapterContext) -> HisAdapter:
    """The register with the demo hospital's departments, patients and bookings seeded (missing ones only)."""
    from kiosk_hub.his.demo_seed import seed_demo_hospital

    with context.writer() as session:
        seed_demo_hospital(session, context.clock())
        session.commit()
    return register_adapter(context)
