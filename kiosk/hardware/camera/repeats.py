"""One scan per payload: a code held in front of the camera is seen on every frame but counts once."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RecentPayloads:
    """Remembers payloads seen within `window_s`; each sighting extends the window (the card is still held up)."""

    window_s: float = 3.0
    _last_seen: dict[str, float] = field(default_factory=dict)

    def is_new(self, payload: str, now: float) -> bool:
        self._forget_before(now - self.window_s)
        new = payload not in self._last_seen
        self._last_seen[payload] = now
        return new

    def clear(self) -> None:
        self._last_seen.clear()

    def _forget_before(self, cutoff: float) -> None:
        for payload in [p for p, seen in self._last_seen.items() if seen < cutoff]:
            del self._last_seen[payload]
