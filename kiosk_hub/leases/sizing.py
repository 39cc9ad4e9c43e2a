"""How many numbers to lease: enough for the kiosk's share of the next half hour of the day's traffic.

Too small and an outage empties the block; too large and a provisional number jumps far ahead of the queue when it
is used late (the queue is ordered by number), so the block is also renewed every half hour.
"""

from __future__ import annotations

import math

MIN_BLOCK = 5
MAX_BLOCK = 60
HORIZON_MINUTES = 30
SLACK = 1.5  # traffic comes in waves (the morning rush): lease for a busier half hour than the last hour's average


def block_size(tickets_last_hour: int, kiosks_last_hour: int) -> int:
    """Numbers for one kiosk, one department lane: its share of the expected tickets over the horizon."""
    expected = tickets_last_hour * HORIZON_MINUTES / 60 * SLACK
    share = expected / max(1, kiosks_last_hour)
    return max(MIN_BLOCK, min(MAX_BLOCK, math.ceil(share)))
