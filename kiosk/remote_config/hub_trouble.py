"""A failed call to the hub said once: one log line when the trouble starts or changes kind (a certificate the
kiosk does not trust, the hub not answering, an HTTP error), one when it is over; never a line per retry."""

from __future__ import annotations

import logging

import httpx

from kiosk.backend_client.tls import connection_trouble

log = logging.getLogger(__name__)


def describe(error: Exception) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"hub answered HTTP {error.response.status_code}"
    if isinstance(error, httpx.TransportError):
        return str(connection_trouble(error))
    return type(error).__name__


class TroubleLog:
    def __init__(self, what: str) -> None:
        self._what = what
        self._last: str | None = None

    def failed(self, error: Exception) -> None:
        said = describe(error)
        if said != self._last:
            log.warning("%s failed: %s", self._what, said)
            self._last = said

    def succeeded(self) -> None:
        if self._last is not None:
            log.info("%s works again", self._what)
            self._last = None
