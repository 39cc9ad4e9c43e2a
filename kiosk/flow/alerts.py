"""Telling hospital IT that the kiosk needs a person (a configuration fault, a printer out of paper, a wrong PIN
entered three times): the flow's `AlertIt` effects go through an `AlertPort`.

`LoggingAlerts` writes an ERROR line with the reason code (journald carries it to the hospital's log collection) and
keeps the recent reasons for the maintenance screen; `kiosk run` uses `remote_config.alerts.FleetAlerts`, which
also sends them to the hub's console on the next heartbeat. A reason code is a fixed snake_case word from the flow;
anything else is logged as "unnamed", so no personal data can reach a log line through this port.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from typing import Protocol

log = logging.getLogger("kiosk.alerts")
_REASON = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


class AlertPort(Protocol):
    async def alert(self, reason: str) -> None:
        """Hospital IT must look at this kiosk; `reason` is a snake_case code such as "printer_paper_out"."""
        ...


def safe_reason(reason: str) -> str:
    return reason if _REASON.match(reason) else "unnamed"


class LoggingAlerts:
    """`AlertPort` as an ERROR log line; the last `keep` reasons stay in memory (never personal data)."""

    def __init__(self, keep: int = 50) -> None:
        self.recent: deque[str] = deque(maxlen=keep)

    async def alert(self, reason: str) -> None:
        code = safe_reason(reason)
        log.error("IT alert: %s", code)
        self.recent.append(code)
