"""What systemd does with the installed units, for the go-live sandbox where systemd is not running: a unit read as
systemd reads it (User/Group, WorkingDirectory, Environment= then EnvironmentFile= over it, UnsetEnvironment=,
ExecStart with %i, $VAR and ${VAR}, LimitNOFILE, UMask, StateDirectory), Requires=/Wants= started first, a target's
instances from the links the real `systemctl enable` made, a oneshot run to its end, Restart=always after
RestartSec. Only the lines the guide's `systemctl` commands need are understood; any other `systemctl` line fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.processes import stop

UNIT_DIRS = (Path("/etc/systemd/system"), Path("/lib/systemd/system"))


def _read_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections of a unit file, every assignment of a key kept in order (Environment= may come many times)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")  # a backslash ends a continued line
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def environment_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile= format: NAME=VALUE a line, # comments, optional quotes, no expansion."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.strip().partition("=")
        if not sep or name.startswith(("#", ";")):
            continue
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        found[name.strip()] = value
    return found


@dataclass
class Unit:
    name: str  # as asked: kiosk-hub@8081.service
    sections: dict[str, dict[str, list[str]]]
    instance: str = ""

    @staticmethod
    def file_name(name: str) -> tuple[str, str]:
        """The file a unit comes from and its instance: kiosk-hub@8081.service is kiosk-hub@.service, "8081"."""
        if "@" not in name:
            return name, ""
        stem, rest = name.split("@", 1)
        instance, _, suffix = rest.rpartition(".")
        return f"{stem}@.{suffix}", instance

    @classmethod
    def installed(cls, name: str) -> bool:
        return (UNIT_DIRS[0] / cls.file_name(name)[0]).exists()

    @classmethod
    def load(cls, name: str) -> Unit:
        file_name, instance = cls.file_name(name)
        for directory in UNIT_DIRS:
            if (directory / file_name).exists():
                return cls(name, _read_unit(directory / file_name), instance)
        raise FileNotFoundError(f"no unit {file_name} in {[str(d) for d in UNIT_DIRS]}")

    def get(self, section: str, key: str) -> list[str]:
        return [v for v in self.sections.get(section, {}).get(key, []) if v != ""]

    def one(self, section: str, key: str, default: str = "") -> str:
        values = self.get(section, key)
        return values[-1].replace("%i", self.instance) if values else default

    def environment(self) -> dict[str, str]:
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
        for line in self.get("Service", "Environment"):
            for assignment in shlex.split(line.replace("%i", self.instance)):
                name, _, value = assignment.partition("=")
                env[name] = value
        for line in self.get("Service", "EnvironmentFile"):
            path = Path(line.removeprefix("-"))
            if path.exists():
                env |= environment_file(path)
            elif not line.startswith("-"):
                raise FileNotFoundError(f"{self.name}: EnvironmentFile={line}")
        for line in self.get("Service", "UnsetEnvironment"):
            for name in line.split():
                env.pop(name, None)
        return env

    def command(self, env: dict[str, str]) -> list[str]:
        """ExecStart as systemd expands it: $VAR splits into words, ${VAR} stays one."""
        words: list[str] = []
        for word in shlex.split(self.one("Service", "ExecStart")):
            whole = re.fullmatch(r"\$(\w+)", word)
            if whole:
                words += env.get(whole.group(1), "").split()
                continue
            words.append(re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), ""), word))
        return words


@dataclass
class Running:
    unit: Unit
    process: subprocess.Popen[bytes]
    stopping: bool = False
    starts: int = 1
    watcher: threading.Thread | None = field(default=None, repr=False)


class ServiceManager:
    """Starts, restarts and stops the units the guide names; each service's output goes to LOGS/UNIT.log."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, Running] = {}
        self.finished: set[str] = set()  # oneshots with RemainAfterExit=yes that ran
        self._lock = threading.Lock()

    def systemctl(self, argv: list[str]) -> None:
        """One `systemctl …` line of the guide."""
        verb, *names = [a for a in argv if a not in ("--quiet", "--no-block")]
        now = "--now" in names
        names = [n if "." in n else f"{n}.service" for n in names if n != "--now"]
        if verb == "enable":
            subprocess.run(["/usr/bin/systemctl", "enable", "--quiet", *names], check=True, timeout=60)
        if verb == "start" or (verb == "enable" and now):
            for name in names:
                self.start(name)
        elif verb == "restart":
            for name in names:
                self.stop(name)
                self.start(name)
        elif verb != "enable":
            raise ValueError(f"the go-live test does not stand in for `systemctl {' '.join(argv)}`")

    def start(self, name: str) -> None:
        if name in self.running or name in self.finished:
            return
        unit = Unit.load(name)
        for needed in [*unit.get("Unit", "Requires"), *unit.get("Unit", "Wants")]:
            for other in needed.split():
                if Unit.installed(other):  # the hospital's units; the system's own (network-online…) are up here
                    self.start(other)
        if name.endswith(".target"):
            wants = Path("/etc/systemd/system") / f"{name}.wants"
            for link in sorted(wants.iterdir()) if wants.is_dir() else []:
                self.start(link.name)
            return
        if unit.one("Service", "Type") == "oneshot":
            done = self._spawn(unit).wait(timeout=300)
            assert done == 0, f"{name} failed with {done}: {self.log(name)[-3000:]}"
            self.finished.add(name)
            return
        with self._lock:
            running = Running(unit, self._spawn(unit))
            self.running[name] = running
        running.watcher = threading.Thread(target=self._restart_always, args=(running,), daemon=True)
        running.watcher.start()

    def _spawn(self, unit: Unit) -> subprocess.Popen[bytes]:
        env = unit.environment()
        state = unit.one("Service", "StateDirectory")
        user, group = unit.one("Service", "User"), unit.one("Service", "Group")
        if state:
            directory = Path("/var/lib") / state
            directory.mkdir(parents=True, exist_ok=True)
            directory.chmod(int(unit.one("Service", "StateDirectoryMode", "0755"), 8))
            if user:
                subprocess.run(["chown", f"{user}:{group or user}", str(directory)], check=True)
        as_user = ["setpriv", f"--reuid={user}", f"--regid={group or user}", "--init-groups", "--"] if user else []
        log = (self.logs / f"{unit.name}.log").open("ab")
        process = subprocess.Popen(
            [*as_user, *unit.command(env)], env=env, cwd=unit.one("Service", "WorkingDirectory", "/"),
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            preexec_fn=_limits(unit.one("Service", "LimitNOFILE"), unit.one("Service", "UMask")),
        )  # fmt: skip
        log.close()
        return process

    def _restart_always(self, running: Running) -> None:
        delay = float(running.unit.one("Service", "RestartSec", "0.1"))
        while True:
            running.process.wait()
            if running.stopping or running.unit.one("Service", "Restart") != "always":
                return
            time.sleep(delay)
            with self._lock:
                if running.stopping:
                    return
                running.process = self._spawn(running.unit)
                running.starts += 1

    def pid(self, name: str) -> int:
        return self.running[name].process.pid

    def starts(self, name: str) -> int:
        return self.running[name].starts

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """What a crash does (`systemctl kill -s KILL`): the unit's processes die; Restart=always brings it back."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.running[name].process.pid, sig)

    def power_off(self, name: str) -> None:
        """The unit's processes die with their machine (SIGKILL, no restart); a start is then a boot's start,
        oneshots included."""
        self.finished.clear()
        self._end(name, signal.SIGKILL)

    def stop(self, name: str) -> None:
        self._end(name, signal.SIGTERM)

    def _end(self, name: str, sig: int) -> None:
        running = self.running.pop(name, None)
        if running is None:
            return
        with self._lock:
            running.stopping = True  # no restart
        with contextlib.suppress(ProcessLookupError):
            os.killpg(running.process.pid, sig)
        stop(running.process, timeout=20)

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _limits(open_files: str, umask: str) -> Callable[[], None]:
    def apply() -> None:  # in the child, before exec, as systemd sets them
        if open_files:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(int(open_files), hard), hard))
        if umask:
            os.umask(int(umask, 8))

    return apply
