"""Is a headphone plugged into the kiosk's jack? Asked of ALSA through `amixer`, polled on a worker thread.

Sound cards with jack detection expose a read-only control such as `Headphone Jack` (HDA codecs) or
`Headphones Jack`; `amixer -c CARD cget iface=CARD,name='…'` prints `: values=on` when a plug is in. The name and
the card differ per kiosk model, so both are settings. The watcher reports changes only; the composition root
hands them to the UI loop (Kivy's Clock) before calling the speech guide.
"""

from __future__ import annotations

import logging
import re
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)
_VALUES = re.compile(r"^\s*:\s*values=(on|off)\b", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class JackSettings:
    card: str = "0"
    control: str = "Headphone Jack"
    amixer: str = "amixer"
    poll_s: float = 0.5
    timeout_s: float = 2.0


def parse_jack_state(amixer_output: str) -> bool | None:
    """True/False from `amixer cget` output; None when it names no on/off value (not a jack control)."""
    found = _VALUES.search(amixer_output)
    return None if found is None else found.group(1) == "on"


def read_jack(settings: JackSettings) -> bool | None:
    """The jack's state now, or None when it cannot be known (no card, no such control, amixer missing)."""
    command = [settings.amixer, "-c", settings.card, "cget", f"iface=CARD,name={settings.control}"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=settings.timeout_s, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return parse_jack_state(done.stdout) if done.returncode == 0 else None


class HeadphoneJackWatcher:
    """Polls the jack on its own thread and calls `on_change(connected)` when it changes (and once at start)."""

    def __init__(
        self,
        settings: JackSettings,
        on_change: Callable[[bool], None],
        read: Callable[[JackSettings], bool | None] = read_jack,
    ) -> None:
        self.settings = settings
        self._on_change = on_change
        self._read = read
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state: bool | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="headphone-jack", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        unknown_logged = False
        while not self._stop.is_set():
            state = self._read(self.settings)
            if state is None and not unknown_logged:
                log.info(
                    "speech: headphone jack state unknown (card %s, %r)", self.settings.card, self.settings.control
                )
                unknown_logged = True
            if state is not None and state != self.state:
                self.state = state
                self._on_change(state)
            self._stop.wait(self.settings.poll_s)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.settings.timeout_s + self.settings.poll_s + 1)
