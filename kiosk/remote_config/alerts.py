"""`AlertPort` over the fleet channel: an IT alert rides on the kiosk's next heartbeat to the console (the kiosk's
page lists it), and is logged as today (`LoggingAlerts`). Only snake_case reason codes travel: no personal data."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from kiosk.flow.alerts import LoggingAlerts, safe_reason

MAX_WAITING = 20  # what one heartbeat may carry; an alert storm keeps the newest


class FleetAlerts(LoggingAlerts):
    """Alerts wait here until a heartbeat that carried them was accepted by the hub (a failed one keeps them)."""

    def __init__(self, keep: int = 50) -> None:
        super().__init__(keep)
        self._waiting: deque[str] = deque(maxlen=MAX_WAITING)
        self.on_new: Callable[[], None] = lambda: None  # the fleet runtime sends a heartbeat at once

    async def alert(self, reason: str) -> None:
        await super().alert(reason)
        self._waiting.append(safe_reason(reason))
        self.on_new()

    def waiting(self) -> list[str]:
        return list(self._waiting)

    def delivered(self, sent: list[str]) -> None:
        """The hub took a heartbeat with `sent`: drop those, keep anything raised while it was on the way."""
        for _ in range(min(len(sent), len(self._waiting))):
            self._waiting.popleft()
