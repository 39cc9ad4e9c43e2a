"""The lease routes of the Kiosk HIS API (`/api/v1/leases...`), on the kiosk's own httpx client and token."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx

from kiosk.backend_client.errors import HisConnectionError, HisResponseError
from kiosk.offline.store import HeldLease


class LeaseClient:
    def __init__(self, http: httpx.AsyncClient, *, token: str, base_url: str = "", timeout_s: float = 15.0) -> None:
        # A long deadline: these calls run in the background (renewal, replay), never while a patient waits.
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 2.0))

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = await self._http.post(self._base + path, json=body, headers=self._headers, timeout=self._timeout)
        except httpx.TimeoutException as exc:
            raise HisConnectionError(f"POST {path}: timed out", timed_out=True) from exc
        except httpx.TransportError as exc:
            raise HisConnectionError(f"POST {path}: {type(exc).__name__}") from exc
        if not response.is_success:
            problem = response.json() if response.headers.get("content-type", "").endswith("json") else {}
            code = str(problem.get("code", f"http_{response.status_code}"))
            raise HisResponseError(response.status_code, code, problem.get("message_key"))
        return response.json()

    async def take(self, department_id: str, lane: str) -> HeldLease:
        body = await self._post("/api/v1/leases", {"department_id": department_id, "lane": lane})
        return HeldLease(
            department_id=body["department_id"],
            lane=body["lane"],
            lease_id=body["id"],
            day=date.fromisoformat(body["day"]),
            first_number=int(body["first_number"]),
            last_number=int(body["last_number"]),
            next_number=int(body["first_number"]),
            renew_after=datetime.fromisoformat(body["renew_after"]),
        )

    async def give_back(self) -> int:
        return int((await self._post("/api/v1/leases/return"))["returned"])

    async def replay(self, registrations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        answer = await self._post("/api/v1/leases/replay", {"registrations": registrations})
        return list(answer["replayed"])
