"""The device name that selects a simulated device instead of a real one, for every kind of device (chip reader,
camera, printer): a kiosk being set up, the demo, tests. As OctoPrint's virtual printer, chosen by name in the
settings, so the same composition root runs with or without hardware."""

from __future__ import annotations

VIRTUAL = "VIRTUAL"


def is_virtual(device_name: str) -> bool:
    return device_name == VIRTUAL
