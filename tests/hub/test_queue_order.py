"""The calling order of a department: the closed-form positions agree with walking the order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kiosk_hub.db.models import LanePolicy
from kiosk_hub.queue.order import call_order, next_is_priority, position

policies = st.sampled_from(list(LanePolicy))


def test_strict_calls_every_priority_ticket_first() -> None:
    order = list(call_order(["P1", "P2"], ["N1", "N2"], LanePolicy.STRICT, 3, 0))
    assert order == ["P1", "P2", "N1", "N2"]


def test_interleaved_resumes_its_rhythm() -> None:
    order = list(call_order(["P1", "P2"], ["N1", "N2", "N3", "N4"], LanePolicy.INTERLEAVED, 2, 1))
    assert order == ["N1", "P1", "N2", "N3", "P2", "N4"]


@given(
    priority=st.integers(0, 12),
    normal=st.integers(0, 12),
    policy=policies,
    every=st.integers(1, 5),
    streak=st.integers(0, 6),
)
def test_positions_match_the_walk(priority: int, normal: int, policy: LanePolicy, every: int, streak: int) -> None:
    p = [("priority", i) for i in range(priority)]
    n = [("normal", i) for i in range(normal)]
    walk = list(call_order(p, n, policy, every, streak))
    assert sorted(walk) == sorted(p + n)  # everyone is called once
    for index, (lane, k) in enumerate(walk):
        is_priority = lane == "priority"
        other = normal if is_priority else priority
        assert position(is_priority, k, other, policy, every, streak) == index
    if walk:
        assert next_is_priority(priority > 0, normal > 0, policy, every, streak) is (walk[0][0] == "priority")
