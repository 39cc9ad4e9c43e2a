"""The health probe the fleet side owns: can this kiosk still reach the hub with its token? (Device probes —
reader found, printer ready, camera opens — come from the device adapters through the composition root.)"""

from __future__ import annotations

import httpx

from kiosk.remote_config.agent import CONFIG_PATH, HealthProbe, ProbeOutcome
from kiosk.remote_config.schema import RemoteConfig


def hub_reachable(http: httpx.AsyncClient, timeout_seconds: float = 5.0) -> HealthProbe:
    async def probe(_config: RemoteConfig) -> ProbeOutcome:
        try:
            response = await http.get(CONFIG_PATH, timeout=timeout_seconds)
        except httpx.HTTPError as exc:
            return ProbeOutcome(False, f"unreachable ({type(exc).__name__})")
        if response.status_code in (401, 403):
            return ProbeOutcome(False, "token refused")
        if response.status_code >= 500:
            return ProbeOutcome(False, f"hub error {response.status_code}")
        return ProbeOutcome(True)

    return probe
