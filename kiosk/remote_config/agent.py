"""The kiosk's configuration sync agent: fetch with ETag, verify, validate, apply between patients, probe, commit.

A document is refused when unsigned, badly signed, meant for another kiosk, expired, older than the applied version
or invalid (`trust.py`); a valid one waits until no patient is using the kiosk, is written atomically, applied, and
kept only if every health probe passes. Otherwise the last good configuration comes back and the version is never
tried again. Every outcome is reported to the hub with a reason code.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx
from pydantic import ValidationError

from kiosk.remote_config.envelope import SignedConfig
from kiosk.remote_config.hub_trouble import TroubleLog
from kiosk.remote_config.schema import ApplyStatus, ConfigReport, RemoteConfig
from kiosk.remote_config.signature import ConfigRefusedError
from kiosk.remote_config.store import ConfigStore
from kiosk.remote_config.trust import ConfigTrust, StartingConfig, starting_config

log = logging.getLogger(__name__)

CONFIG_PATH = "/fleet/v1/config"
REPORT_PATH = "/fleet/v1/config/report"
PROBE_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class ProbeOutcome:
    ok: bool
    detail: str = ""


# A probe answers "does this device work with this configuration?" (reader found, printer ready, camera opens,
# hub reachable); the composition root injects real ones, tests inject fakes with faults.
HealthProbe = Callable[[RemoteConfig], Awaitable[ProbeOutcome]]
ApplyConfig = Callable[[RemoteConfig], Awaitable[None]]
SessionActive = Callable[[], bool]
RaiseAlert = Callable[[str], Awaitable[None]]  # an IT alert by reason code (the fleet's alerts ride on heartbeats)


async def _log_only(reason: str) -> None:
    log.warning("IT alert: %s", reason)


@dataclass(frozen=True)
class SyncOutcome:
    status: ApplyStatus | None  # None: nothing new
    version: int = 0
    reason: str = ""


NOTHING_NEW = SyncOutcome(None)


class SyncAgent:
    def __init__(
        self,
        http: httpx.AsyncClient,
        store: ConfigStore,
        trust: ConfigTrust,
        *,
        apply: ApplyConfig,
        probes: Mapping[str, HealthProbe],
        session_active: SessionActive,
        start: StartingConfig | None = None,
        alert: RaiseAlert | None = None,
    ) -> None:
        self._http = http
        self._store = store
        self._trust = trust
        self._apply = apply
        self._probes = dict(probes)
        self._session_active = session_active
        self._alert = alert or _log_only
        self._etag: str | None = None
        self._pending: SignedConfig | None = None
        self._failed_versions = store.failed_versions()
        start = start if start is not None else starting_config(store, trust)
        self._running: SignedConfig | None = start.document
        self._unreported = ["stored_config_refused"] if start.problems else []
        self._expiry_reported = False
        self.config, self.applied_version = start.config, start.version
        self.last_status: ApplyStatus | None = None
        self.wake = asyncio.Event()
        self._trouble = TroubleLog("configuration poll")

    async def poll_once(self) -> SyncOutcome:
        """One round: apply a held document if the kiosk is free, then ask the hub for a newer one."""
        await self._watch()
        if self._pending is not None and not self._session_active():
            pending, self._pending = self._pending, None
            try:
                self._trust.check_fresh(pending)
            except ConfigRefusedError as refused:
                return await self._refused(refused, pending.version)
            return await self._apply_and_probe(pending)
        headers = {"If-None-Match": self._etag} if self._etag else {}
        response = await self._http.get(CONFIG_PATH, headers=headers)
        if response.status_code in (304, 204):
            return NOTHING_NEW
        response.raise_for_status()
        etag = response.headers.get("ETag")
        try:
            outcome = await self._consider(response.content)
        except ConfigRefusedError as refused:
            outcome = await self._refused(refused, _version_hint(response.content))
        self._etag = etag  # the same document would get the same answer: ask only for something newer
        return outcome

    def reload(self) -> None:
        """Forget the ETag so the next poll fetches the document again (the console's "reload config")."""
        self._etag = None
        self.wake.set()

    async def _watch(self) -> None:
        """Tell IT (once) of stored files set aside at start, and of a running configuration past its expiry: it
        keeps running (a kiosk without its hub still serves patients), but nothing expired is applied."""
        for reason in self._unreported:
            await self._alert(reason)
        self._unreported = []
        expired = self._running is not None and self._trust.expired(self._running)
        if expired and not self._expiry_reported:
            assert self._running is not None
            log.warning("configuration %d expired at %s: still running it", self._running.version,
                        self._running.expires_at)  # fmt: skip
            await self._alert("config_expired")
        self._expiry_reported = expired

    async def _refused(self, refused: ConfigRefusedError, version: int) -> SyncOutcome:
        log.warning("configuration refused: %s", refused)
        outcome = SyncOutcome(ApplyStatus.REFUSED, version, refused.reason)
        await self._report(outcome, refused.detail)
        return outcome

    async def _consider(self, body: bytes) -> SyncOutcome:
        try:
            document = SignedConfig.model_validate_json(body)
        except ValidationError as exc:
            raise ConfigRefusedError("invalid_document", _summary(exc)) from exc
        self._trust.check_served(document)  # key, signature, audience, expiry: before anything inside is read
        document = document.stored()
        if document.version < self.applied_version:
            raise ConfigRefusedError("older_version", f"{document.version} < {self.applied_version}")
        if document.version == self.applied_version:
            self._refresh(document)
            return NOTHING_NEW
        if document.version in self._failed_versions:
            return NOTHING_NEW
        try:
            RemoteConfig.model_validate(document.config)
        except ValidationError as exc:
            raise ConfigRefusedError("invalid_config", _summary(exc)) from exc
        if self._session_active():
            self._pending = document
            outcome = SyncOutcome(ApplyStatus.WAITING, document.version, "patient_session_active")
            await self._report(outcome)
            return outcome
        return await self._apply_and_probe(document)

    def _refresh(self, document: SignedConfig) -> None:
        """The running version signed again (a later expiry, a newer format or key): kept, nothing re-applied."""
        if document != self._running:
            self._store.refresh(document)
            self._running = document
            log.info("configuration %d signed again, valid until %s", document.version, document.expires_at)

    async def _apply_and_probe(self, document: SignedConfig) -> SyncOutcome:
        config = RemoteConfig.model_validate(document.config)
        self._store.write_current(document)
        await self._apply(config)
        failures = await self._run_probes(config)
        if not failures:
            self._store.commit(document)
            self._running = document
            self.config, self.applied_version = config, document.version
            outcome = SyncOutcome(ApplyStatus.APPLIED, document.version)
        else:
            self._failed_versions.add(document.version)
            self._store.remember_failed(document.version)
            good = self._checked_last_good()
            self._store.restore(good)
            self._running = good
            self.config = RemoteConfig.model_validate(good.config) if good else RemoteConfig()
            await self._apply(self.config)
            outcome = SyncOutcome(ApplyStatus.REVERTED, document.version, "probe_failed: " + "; ".join(failures))
            log.warning("configuration %d reverted: %s", document.version, outcome.reason)
        self.last_status = outcome.status
        await self._report(outcome)
        return outcome

    def _checked_last_good(self) -> SignedConfig | None:
        good = self._store.last_good()
        if good is None:
            return None
        try:
            self._trust.check_stored(good)
        except ConfigRefusedError as refused:
            log.warning("last good configuration refused (%s): back to the defaults", refused)
            return None
        return good

    async def _run_probes(self, config: RemoteConfig) -> list[str]:
        failures = []
        for name, probe in self._probes.items():
            try:
                result = await asyncio.wait_for(probe(config), PROBE_TIMEOUT_SECONDS)
            except TimeoutError:
                result = ProbeOutcome(False, "timeout")
            except Exception as exc:  # a probe that crashes is a failed probe, not a crashed kiosk
                result = ProbeOutcome(False, type(exc).__name__)
            if not result.ok:
                failures.append(f"{name}: {result.detail or 'failed'}")
        return failures

    async def _report(self, outcome: SyncOutcome, detail: str = "") -> None:
        assert outcome.status is not None
        reason = f"{outcome.reason}: {detail}" if detail else outcome.reason
        report = ConfigReport(version=outcome.version, status=outcome.status, reason=reason[:500])
        try:
            response = await self._http.post(REPORT_PATH, json=report.model_dump(mode="json"))
            response.raise_for_status()
        except httpx.HTTPError as exc:
            # The heartbeat carries the applied version too, so the hub learns it later.
            log.warning("could not report configuration outcome: %s", type(exc).__name__)

    async def run(self, stop: asyncio.Event, interval: Callable[[], float]) -> None:
        """Poll until `stop`; a heartbeat reply or a console action may `wake` it early."""
        while not stop.is_set():
            self.wake.clear()
            try:
                await self.poll_once()
                self._trouble.succeeded()
            except httpx.HTTPError as exc:
                self._trouble.failed(exc)
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            _done, rest = await asyncio.wait(waiters, timeout=interval(), return_when=asyncio.FIRST_COMPLETED)
            for waiter in rest:
                waiter.cancel()


def _summary(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in exc.errors()[:5])


def _version_hint(body: bytes) -> int:
    try:
        return int(SignedConfig.model_validate_json(body).version)
    except (ValidationError, ValueError):
        return 0
