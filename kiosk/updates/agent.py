"""The kiosk's update agent (`kiosk updates run`, its own unit beside the kiosk's): asks the hub which release to
run, checks the signed answer, downloads in the background, installs side by side, and switches `current` only
inside the group's maintenance window and while no patient, print or replay holds the update lock; then it exits so
systemd restarts it (and, through kiosk-release.path, the kiosk) on the new release. Started on a release on trial,
it commits the release once it proves healthy, or rolls it back by itself and says why; a release that cannot even
start is rolled back by the guard (`guard.py`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import ValidationError

from kiosk.remote_config.enrolment import KioskCredentials
from kiosk.remote_config.schema import SCHEMA_VERSION
from kiosk.remote_config.signature import load_public_key
from kiosk.updates import guard, lock
from kiosk.updates.download import Throttle, fetch_release
from kiosk.updates.install import INSTALLED, Layout, install, prune
from kiosk.updates.manifest import ReleaseRefusedError, ServedRelease, check_fits, open_served
from kiosk.updates.report import UpdateReport, UpdateStatus
from kiosk.updates.window import in_window

log = logging.getLogger("kiosk.updates")
RELEASE_PATH = "/fleet/v1/release"
REPORT_PATH = "/fleet/v1/release/report"
APP_READY = "app-ready.json"  # written by the kiosk when it says READY=1 (`mark_app_ready`)
SAID = "said.json"  # what was already reported, so a refusal is said once, not at every poll
RESTART = 75  # EX_TEMPFAIL: "start me again" (the unit's Restart=always; SuccessExitStatus keeps the log calm)


def mark_app_ready(state: Path, version: str, devices: dict[str, str]) -> None:
    """The kiosk's part of a release's health: its home screen is drawn and its devices were probed."""
    guard.write_json(state / APP_READY, {"version": version, "devices": devices, "at": time.time()})


class UpdateAgent:
    def __init__(
        self, http: httpx.Client, credentials: KioskCredentials, layout: Layout, running: str, *,
        bandwidth_bytes: int = 0, health_seconds: float = 180, wait_for_app: bool = True, min_free_bytes: int = 0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        local_time: Callable[[], datetime] = lambda: datetime.now().astimezone(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:  # fmt: skip
        self.http, self.credentials, self.layout, self.running = http, credentials, layout, running
        self.throttle = Throttle(bandwidth_bytes, sleep)
        self.health_seconds, self.wait_for_app, self.min_free_bytes = health_seconds, wait_for_app, min_free_bytes
        self.clock, self.local_time, self.sleep = clock, local_time, sleep
        layout.state.mkdir(parents=True, exist_ok=True)

    # --- after a start: a trial to settle, an outcome to report ---------------------------------------------------

    def settle_trial(self) -> str:
        """`committed`, `rolled_back` (the caller exits to be restarted on the previous release) or `none`."""
        trial = guard.read_json(self.layout.state / guard.TRIAL)
        if trial is None or trial.get("version") != self.running:
            return "none"
        deadline = float(trial["switched_at"]) + float(trial["health_seconds"])
        missing = "no check yet"
        while time.time() < deadline:
            missing = self.unhealthy(float(trial["switched_at"]))
            if not missing:
                guard.commit(self.layout.state, self.running)
                log.info("release %s proved healthy: committed", self.running)
                prune(self.layout, {self.running, str(trial["previous"])})
                return "committed"
            self.sleep(1.0)
        reason = f"not healthy within {trial['health_seconds']:g} s ({missing}); back on {trial['previous']}"
        log.error("release %s: %s", self.running, reason)
        guard.roll_back(self.layout.root, self.layout.state, trial, reason)
        return "rolled_back"

    def unhealthy(self, since: float) -> str:
        """What the new release still lacks: "" once the hub answers and (if waited for) the kiosk is READY."""
        try:
            answer = self.http.get(RELEASE_PATH)
        except httpx.HTTPError as exc:
            return f"hub unreachable: {type(exc).__name__}"
        if answer.status_code not in (200, 204):
            return f"hub answered {answer.status_code}"
        if self.wait_for_app:
            ready = guard.read_json(self.layout.state / APP_READY)
            if ready is None or ready.get("version") != self.running or float(ready.get("at", 0)) < since:
                return "the kiosk has not reached its home screen"
            if not isinstance(ready.get("devices"), dict):
                return "the kiosk's devices were not probed"
        return ""

    def report_outcome(self) -> None:
        outcome = guard.read_json(self.layout.state / guard.OUTCOME)
        if outcome is None:
            return
        status = UpdateStatus(outcome["status"])
        if self._report(str(outcome["version"]), status, str(outcome.get("reason", ""))):
            guard.remove(self.layout.state / guard.OUTCOME)
        if status == UpdateStatus.ROLLED_BACK:
            self._remember(str(outcome["version"]), "rolled_back")

    # --- one poll ------------------------------------------------------------------------------------------------

    def step(self) -> str:
        """One look at the hub: what happened (`idle`, `refused: …`, `waiting: …`, `switched`…)."""
        try:
            answer = self.http.get(RELEASE_PATH)
        except httpx.HTTPError as exc:
            return f"idle: hub unreachable ({type(exc).__name__})"
        if answer.status_code == 204:
            return "idle"
        if answer.status_code != 200:
            return f"idle: hub answered {answer.status_code}"
        try:
            served = ServedRelease.model_validate_json(answer.content)
            return self._take(served)
        except ValidationError:
            return self._refuse("?", ReleaseRefusedError("bad_manifest", "not a served release"))

    def _take(self, served: ServedRelease) -> str:
        version = "?"
        try:
            key = self.credentials.release_public_key
            if not key:
                raise ReleaseRefusedError("no_release_key", "enrolled before the hub had one: enrol again")
            manifest, order = open_served(served, self.credentials.kiosk_id, self.credentials.release_key_id,
                                          load_public_key(key), self.clock())  # fmt: skip
            version = manifest.version
            if version == self.running:
                return "up to date"
            if self._said(version) == "rolled_back" and not order.rollback:
                return f"skipped: {version} was rolled back here"
            check_fits(manifest, running=self.running, now=self.clock(), config_schema=SCHEMA_VERSION,
                       rollback=order.rollback)  # fmt: skip
            files = self.layout.downloads(version)
            if not (self.layout.release(version) / INSTALLED).exists():  # a rollback to a release still on disk
                fetch_release(self.http, manifest, files, self.throttle)
            if self._said(version) != "downloaded":
                self._report(version, UpdateStatus.DOWNLOADED, "")
                self._remember(version, "downloaded")
            install(self.layout, manifest, files, self.min_free_bytes)
        except ReleaseRefusedError as exc:
            return self._refuse(version, exc)
        if not in_window(order.windows, self.local_time().time()):
            return "waiting: outside the maintenance window"
        with lock.quiet_moment(self.layout.state) as quiet:
            if not quiet:
                return "waiting: a patient, a print or a replay holds the update lock"
            self.switch_to(version)
        return "switched"

    def switch_to(self, version: str) -> None:
        previous = guard.begin_trial(self.layout.root, self.layout.state, version, self.health_seconds)
        log.info("switched to release %s (from %s): on trial for %.0f s", version, previous, self.health_seconds)

    def _refuse(self, version: str, exc: ReleaseRefusedError) -> str:
        said = f"refused: {exc.reason}"
        if self._said(version) != said:
            log.warning("release %s refused: %s", version, exc)
            self._report(version, UpdateStatus.REFUSED, str(exc)[:500])
            self._remember(version, said)
        return said

    def _report(self, version: str, status: UpdateStatus, reason: str) -> bool:
        body = UpdateReport(version=version[:40], status=status, reason=reason[:500])
        try:
            answer = self.http.post(REPORT_PATH, content=body.model_dump_json(),
                                    headers={"Content-Type": "application/json"})  # fmt: skip
        except httpx.HTTPError as exc:
            log.warning("cannot report release %s %s: %s", version, status, type(exc).__name__)
            return False
        return answer.status_code == 204

    def _said(self, version: str) -> str:
        return str((guard.read_json(self.layout.state / SAID) or {}).get(version, ""))

    def _remember(self, version: str, said: str) -> None:
        known = guard.read_json(self.layout.state / SAID) or {}
        guard.write_json(self.layout.state / SAID, {**known, version: said})
