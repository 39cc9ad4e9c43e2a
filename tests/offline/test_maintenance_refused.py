"""The offline maintenance loop when the hub refuses the kiosk (its token revoked): one log line while it lasts,
never a traceback every round."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import httpx
import pytest

from kiosk.backend_client.errors import HisAuthError
from kiosk.flow.fakes import FakeHis
from kiosk.flow.records import DepartmentChoice
from kiosk.offline.lease_client import LeaseClient
from kiosk.offline.resilient_his import ResilientHis
from kiosk.offline.store import OfflineStore


class _Revoked(FakeHis):
    async def departments(self) -> list[DepartmentChoice]:
        await asyncio.sleep(0)
        raise HisAuthError(401, "unauthorized", "hub.error", "A valid kiosk bearer token is required")


async def test_a_revoked_token_is_one_line_not_a_traceback_per_round(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9") as http:  # the journal is empty: never called
        his = ResilientHis(_Revoked(), OfflineStore(tmp_path), LeaseClient(http, token="t"), status_url="http://x")
        with caplog.at_level(logging.WARNING, logger="kiosk.offline"):
            task = asyncio.ensure_future(his.run(every_s=0.01, busy_every_s=0.01))
            await asyncio.sleep(0.2)  # many rounds
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 1
    assert "401 unauthorized" in refused[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)
