"""Expected waits from the learned pace: a ticket with `ahead` tickets called before it waits about `ahead` call
gaps of its department (or room) at this hour of the day.

Both lanes are served by the same counters, so a department has one pace; the lane decides how many tickets are
called before a ticket (the lane policy, in `queue/order.py::position`). Each learned mean is trusted by its samples
against what comes before it: the hour's mean against the day's, the day's against the cold start. The cold start
is the configured minutes per patient shared by the rooms, or, once the counters report Done times, the observed
time at the counter shared by the rooms."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.dates import VN_TZ
from kiosk_hub.db.engine import as_utc
from kiosk_hub.db.models import Department, Room
from kiosk_hub.waits.models import ALL_DAY, EVERY_LANE, EVERY_ROOM, Pace, ServiceRate

log = logging.getLogger("kiosk_hub.waits")
PRIOR_WEIGHT = 5.0  # how many observations the value a mean is blended toward counts for
CACHE = timedelta(seconds=15)
HORIZON_HOURS = 24  # a hub process re-reads the learned pace this often (other processes learn too)
RateKey = tuple[str, str, str, int]  # (room, lane, pace, hour)
Learned = Mapping[RateKey, tuple[float, int]]  # (mean seconds, samples)


def _blend(row: tuple[float, int] | None, prior: float) -> float:
    if row is None:
        return prior
    mean, samples = row
    return (samples * mean + PRIOR_WEIGHT * prior) / (samples + PRIOR_WEIGHT)


def _minutes(seconds: float) -> int:
    """Rounded up to the minute; what the hours' sums add in floating point is not a minute more."""
    return math.ceil(round(seconds / 60, 6))


@dataclass(frozen=True)
class DepartmentPace:
    """What one department's rows say, with its configured minutes per patient and its open rooms."""

    minutes_per_patient: float
    rooms: int
    learned: Learned = field(default_factory=dict)

    def gap_seconds(self, hour: int, room_id: str | None = None) -> float:
        """The expected time between two calls of the department (or of one room) at this local hour."""
        room = room_id or EVERY_ROOM
        sharing = 1 if room_id else max(1, self.rooms)
        service = _blend(self.learned.get((room, EVERY_LANE, Pace.SERVICE, ALL_DAY)), self.minutes_per_patient * 60)
        day = _blend(self.learned.get((room, EVERY_LANE, Pace.CALL_GAP, ALL_DAY)), service / sharing)
        return _blend(self.learned.get((room, EVERY_LANE, Pace.CALL_GAP, hour)), day)

    def wait_minutes(self, ahead: int, moment: datetime, room_id: str | None = None) -> int:
        """Minutes until a ticket with `ahead` tickets called before it is called, rounded up to the minute.

        The calls ahead are spread over the coming hours at each hour's own pace: a ticket taken before the lunch
        lull waits through it."""
        if ahead <= 0:
            return 0
        calls = float(ahead)
        local = as_utc(moment).astimezone(VN_TZ)
        into_hour = local.minute * 60 + local.second
        waited = 0.0
        for step in range(HORIZON_HOURS):
            gap = self.gap_seconds((local.hour + step) % 24, room_id)
            left_in_hour = 3600.0 - (into_hour if step == 0 else 0)
            if calls * gap <= left_in_hour:
                return _minutes(waited + calls * gap)
            calls -= left_in_hour / gap
            waited += left_in_hour
        return _minutes(waited + calls * self.gap_seconds(ALL_DAY, room_id))


def _learned(rows: object) -> dict[str, dict[RateKey, tuple[float, int]]]:
    by_department: dict[str, dict[RateKey, tuple[float, int]]] = {}
    for row in rows:  # type: ignore[attr-defined]
        key = (row.room_id, row.lane, row.pace, row.hour)
        by_department.setdefault(row.department_id, {})[key] = (float(row.mean_seconds), int(row.samples))
    return by_department


_RATE_COLUMNS = select(
    ServiceRate.department_id,
    ServiceRate.room_id,
    ServiceRate.lane,
    ServiceRate.pace,
    ServiceRate.hour,
    ServiceRate.mean_seconds,
    ServiceRate.samples,
)


def expected_wait(
    conn: Connection, department_id: str, ahead: int, moment: datetime, room_id: str | None = None
) -> int | None:
    """Minutes a ticket of the department waits with `ahead` tickets called before it (the status page's and the
    waiting-room screens' figure); None for an unknown department."""
    department = conn.execute(
        select(Department.minutes_per_patient).where(Department.id == department_id)
    ).scalar_one_or_none()
    if department is None:
        return None
    rooms = conn.execute(
        select(func.count()).select_from(Room).where(Room.department_id == department_id, Room.active.is_(True))
    ).scalar_one()
    rows = conn.execute(_RATE_COLUMNS.where(ServiceRate.department_id == department_id)).all()
    pace = DepartmentPace(float(department), int(rooms), _learned(rows).get(department_id, {}))
    return pace.wait_minutes(ahead, moment, room_id)


class ExpectedWaits:
    """The learned pace of every department, cached for the kiosk's department list and every ticket answer
    (implements `queue.estimate.WaitEstimator`)."""

    def __init__(self, reader: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self._reader = reader
        self._clock = clock  # the hub's: a simulated day refreshes on its own time
        self._lock = threading.Lock()
        self._learned: dict[str, dict[RateKey, tuple[float, int]]] = {}
        self._expires: datetime | None = None

    def minutes(
        self, department_id: str, minutes_per_patient: int, rooms: int, ahead: int, moment: datetime,
        room_id: str | None = None,
    ) -> int:  # fmt: skip
        pace = DepartmentPace(minutes_per_patient, rooms, self._rows().get(department_id, {}))
        return pace.wait_minutes(ahead, moment, room_id)

    def forget(self) -> None:
        """Read the store again on the next estimate (tests and tools that just taught it something)."""
        self._expires = None

    def _rows(self) -> dict[str, dict[RateKey, tuple[float, int]]]:
        with self._lock:
            now = self._clock()
            if self._expires is None or not now < self._expires < now + CACHE:
                try:
                    with self._reader() as session:
                        self._learned = _learned(session.execute(_RATE_COLUMNS).all())
                except SQLAlchemyError as exc:
                    # An estimate never stops a ticket: the configured pace until the store answers again.
                    log.warning("expected waits: the learned pace could not be read (%s)", type(exc).__name__)
                    self._learned = {}
                self._expires = now + CACHE
            return self._learned
