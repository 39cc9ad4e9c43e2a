"""The real hub, in-process over ASGI, with its loopback BHXH gateway, at 09:00 on a Monday in Hà Nội."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.backend_client.client import HisClient, RetryPolicy
from kiosk.embedded_hub import EmbeddedHub, embedded_hub


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))


@pytest.fixture
async def hub(tmp_path: Path, clock: FixedClock) -> AsyncIterator[EmbeddedHub]:
    async with embedded_hub(tmp_path, clock) as running:
        yield running


@pytest.fixture
def client(hub: EmbeddedHub) -> HisClient:
    async def no_sleep(_s: float) -> None:
        return None

    return HisClient(hub.client, token=hub.token, retry=RetryPolicy(attempts=3), sleep=no_sleep)
