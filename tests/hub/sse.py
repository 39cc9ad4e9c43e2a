"""Reading server-sent events in tests: the next event of a kind from a streaming httpx response."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx


class EventReader:
    """The events of one open stream, in order, parsed."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines: Iterator[str] = response.iter_lines()

    def next(self) -> tuple[str, Any]:
        kind, data = "message", ""
        for line in self._lines:
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
            elif line == "" and data:
                return kind, json.loads(data)
        raise EOFError("the stream ended")

    def until(self, kind: str, seconds: float = 10.0) -> Any:
        """The next event of `kind` (others are skipped); fails after `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got, data = self.next()
            if got == kind:
                return data
        raise TimeoutError(f"no {kind} event within {seconds} s")
