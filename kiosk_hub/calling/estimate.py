"""The expected wait shown on the waiting-room screens and the patient's phone page.

One function on purpose: the expected-waits work replaces its body with estimates learnt from observed service times
(per room, lane and hour); until then it is the department's configured minutes per patient shared between its rooms,
the same figure the ticket prints.
"""

from __future__ import annotations

from kiosk_hub.queue.catalog import DepartmentInfo
from kiosk_hub.queue.order import wait_minutes


def expected_wait(department: DepartmentInfo, room_id: str | None, lane: str, ahead: int) -> int:
    """Minutes until a ticket with `ahead` tickets before it is called (room and lane: for the learnt estimate)."""
    del room_id, lane  # the configured estimate is per department
    return wait_minutes(ahead, department.minutes_per_patient, len(department.rooms))
