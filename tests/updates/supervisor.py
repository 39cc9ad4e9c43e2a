"""A small stand-in for systemd running the update agent's unit (kiosk-updates.service) where no systemd runs:
`ExecStartPre=` the guard with the system's Python from outside every release, `ExecStart=` the agent from
`<root>/current/bin/kiosk`, `Restart=always` after `RestartSec=`. It records each start's release and exit code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

GUARD = Path(__file__).resolve().parents[2] / "kiosk" / "updates" / "guard.py"


@dataclass
class AgentUnit:
    root: Path
    state_dir: Path  # KIOSK_STATE_DIR
    settings: Path
    restart_sec: float = 0.2
    starts: list[tuple[str, int | None]] = field(default_factory=list)  # (release, exit code)
    guard_said: list[str] = field(default_factory=list)
    _proc: subprocess.Popen[bytes] | None = None
    _stopping: bool = False
    _thread: threading.Thread | None = None
    log: Path | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        env = {**os.environ, "KIOSK_STATE_DIR": str(self.state_dir), "PYTHONUNBUFFERED": "1"}
        env.pop("PYTHONPATH", None)
        log = (self.log or self.state_dir / "agent.log").open("ab")
        while not self._stopping:
            at = ["--root", str(self.root), "--state", str(self.state_dir / "updates")]
            guard = subprocess.run([sys.executable, "-I", str(GUARD), *at], capture_output=True, text=True, check=False)
            self.guard_said.append(guard.stderr.strip())
            release = os.readlink(self.root / "current")
            if self._stopping:
                break
            self._proc = subprocess.Popen(
                [str(self.root / "current" / "bin" / "kiosk"), "updates", "run", "--config", str(self.settings)],
                env=env, cwd=self.state_dir, stdout=log, stderr=log,
            )  # fmt: skip
            code = self._proc.wait()
            self.starts.append((Path(release).name, code))
            time.sleep(self.restart_sec)
        log.close()

    def stop(self) -> None:
        self._stopping = True
        if self._proc is not None and self._proc.poll() is None:
            os.kill(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        if self._thread is not None:
            self._thread.join(15)
