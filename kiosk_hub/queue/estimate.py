"""How the queue asks for a ticket's expected wait: the hub plugs in what its departments have been observed to
take (`waits/`); a queue nobody taught falls back on the configured minutes per patient."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kiosk_hub.queue.order import wait_minutes


class WaitEstimator(Protocol):
    def minutes(
        self, department_id: str, minutes_per_patient: int, rooms: int, ahead: int, moment: datetime,
        room_id: str | None = None,
    ) -> int:  # fmt: skip
        """Minutes until a ticket with `ahead` tickets called before it is called (by one room's pace if given)."""
        ...


class ConfiguredPace:
    """The configured minutes per patient shared between the rooms, whatever the counters actually take."""

    def minutes(
        self, department_id: str, minutes_per_patient: int, rooms: int, ahead: int, moment: datetime,
        room_id: str | None = None,
    ) -> int:  # fmt: skip
        return wait_minutes(ahead, minutes_per_patient, rooms)
