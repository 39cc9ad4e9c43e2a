"""The order in which a department calls its waiting tickets: strict priority, or one priority every N normal.

Pure code. `call_order` is the order itself; `position` (what the status page promises) and `next_is_priority`
(what the counter calls) are its closed forms, tested against it, so the two cannot disagree.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TypeVar

from kiosk_hub.db.models import LanePolicy

T = TypeVar("T")


def call_order(
    priority: Sequence[T],
    normal: Sequence[T],
    policy: LanePolicy,
    every: int,
    normals_since_priority: int,
) -> Iterator[T]:
    """Waiting tickets in calling order; each lane's sequence is already sorted by number.

    `normals_since_priority` is how many normal tickets were called since the last priority one, so an
    interleaved queue resumes its rhythm across calls instead of restarting it.
    """
    p, n = 0, 0
    streak = normals_since_priority
    every = max(1, every)
    while p < len(priority) or n < len(normal):
        take_priority = p < len(priority) and (policy is LanePolicy.STRICT or streak >= every or n >= len(normal))
        if take_priority:
            yield priority[p]
            p += 1
            streak = 0
        else:
            yield normal[n]
            n += 1
            streak += 1


def wait_minutes(ahead: int, minutes_per_patient: int, rooms: int) -> int:
    """An honest estimate: the people ahead shared between the department's rooms, rounded up."""
    return math.ceil(ahead * minutes_per_patient / max(1, rooms))


def normals_before_first_slot(policy: LanePolicy, every: int, normals_since_priority: int) -> int:
    """How many normal tickets are called before the next priority one could be (none when strict)."""
    if policy is LanePolicy.STRICT:
        return 0
    return max(0, max(1, every) - normals_since_priority)


def position(
    lane_is_priority: bool,
    same_lane_ahead: int,
    other_lane_waiting: int,
    policy: LanePolicy,
    every: int,
    normals_since_priority: int,
) -> int:
    """Tickets called before this one, in closed form (the same answer as walking `call_order`)."""
    every = max(1, every)
    first = normals_before_first_slot(policy, every, normals_since_priority)
    if lane_is_priority:
        if policy is LanePolicy.STRICT:
            return same_lane_ahead
        return same_lane_ahead + min(other_lane_waiting, first + same_lane_ahead * every)
    if policy is LanePolicy.STRICT:
        return same_lane_ahead + other_lane_waiting
    slots = (same_lane_ahead - first) // every + 1 if same_lane_ahead >= first else 0
    return same_lane_ahead + min(other_lane_waiting, slots)


def next_is_priority(has_priority: bool, has_normal: bool, policy: LanePolicy, every: int, streak: int) -> bool:
    """Which lane the counter calls next."""
    if not has_priority:
        return False
    return policy is LanePolicy.STRICT or not has_normal or streak >= max(1, every)
