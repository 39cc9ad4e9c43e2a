"""Lease block sizes from the last hour's traffic."""

from __future__ import annotations

from kiosk_hub.leases.sizing import MAX_BLOCK, MIN_BLOCK, block_size


def test_a_quiet_department_gets_the_smallest_block() -> None:
    assert block_size(0, 0) == MIN_BLOCK


def test_a_busy_lane_is_shared_between_the_kiosks_that_served_it() -> None:
    assert block_size(40, 1) == 30  # 40 an hour → 20 in half an hour, × 1.5 for the rush
    assert block_size(40, 2) == 15


def test_no_block_is_larger_than_the_cap() -> None:
    assert block_size(10_000, 1) == MAX_BLOCK
