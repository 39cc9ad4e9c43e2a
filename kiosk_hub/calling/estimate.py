"""The expected wait shown on the waiting-room screens and the patient's phone page: the queue's estimator (the
pace learned from the department's calls and its rooms' Done times, `waits/`), for one room when the ticket has one.
"""

from __future__ import annotations

from datetime import datetime

from kiosk_hub.queue.catalog import DepartmentInfo
from kiosk_hub.queue.estimate import WaitEstimator


def expected_wait(
    estimator: WaitEstimator, department: DepartmentInfo, room_id: str | None, ahead: int, moment: datetime
) -> int:
    """Minutes until a ticket with `ahead` tickets called before it is called."""
    return estimator.minutes(
        department.id, department.minutes_per_patient, len(department.rooms), ahead, moment, room_id=room_id
    )
