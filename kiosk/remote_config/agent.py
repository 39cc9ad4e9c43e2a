"""The kiosk's configuration sync agent: fetch with ETag, verify, validate, apply between patients, probe, commit.

A document is refused when unsigned, badly signed, older than the applied version or invalid; a valid one waits
until no patient is using the kiosk, is written atomically, applied, and kept only if every health probe passes.
Otherwise the last good configuration comes back. Every outcome is reported to the hub with a reason code.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from kiosk.remote_config.hub_trouble import TroubleLog
from kiosk.remote_config.schema import ApplyStatus, ConfigReport, RemoteConfig, SignedConfig
from kiosk.remote_config.signature import ConfigRefusedError, verify
from kiosk.remote_config.store import ConfigStore

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
        public_key: Ed25519PublicKey,
        *,
        apply: ApplyConfig,
        probes: Mapping[str, HealthProbe],
        session_active: SessionActive,
    ) -> None:
        self._http = http
        self._store = store
        self._key = public_key
        self._apply = apply
        self._probes = dict(probes)
        self._session_active = session_active
        self._etag: str | None = None
        self._pending: SignedConfig | None = None
        self._failed_versions: set[int] = set()
        self.config, self.applied_version = store.effective()
        self.last_status: ApplyStatus | None = None
        self.wake = asyncio.Event()
        self._trouble = TroubleLog("configuration poll")

    async def poll_once(self) -> SyncOutcome:
        """One round: apply a held document if the kiosk is free, then ask the hub for a newer one."""
        if self._pending is not None and not self._session_active():
            pending, self._pending = self._pending, None
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
            log.warning("configuration refused: %s", refused)
            outcome = SyncOutcome(ApplyStatus.REFUSED, _version_hint(response.content), refused.reason)
            await self._report(outcome, refused.detail)
        self._etag = etag  # the same document would get the same answer: ask only for something newer
        return outcome

    def reload(self) -> None:
        """Forget the ETag so the next poll fetches the document again (the console's "reload config")."""
        self._etag = None
        self.wake.set()

    async def _consider(self, body: bytes) -> SyncOutcome:
        try:
            document = SignedConfig.model_validate_json(body)
        except ValidationError as exc:
            raise ConfigRefusedError("invalid_document", _summary(exc)) from exc
        verify(document, self._key)  # before reading anything inside it
        if document.version < self.applied_version:
            raise ConfigRefusedError("older_version", f"{document.version} < {self.applied_version}")
        if document.version == self.applied_version or document.version in self._failed_versions:
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

    async def _apply_and_probe(self, document: SignedConfig) -> SyncOutcome:
        config = RemoteConfig.model_validate(document.config)
        self._store.write_current(document)
        await self._apply(config)
        failures = await self._run_probes(config)
        if not failures:
            self._store.commit(document)
            self.config, self.applied_version = config, document.version
            outcome = SyncOutcome(ApplyStatus.APPLIED, document.version)
        else:
            self._failed_versions.add(document.version)
            good = self._store.revert()
            self.config = RemoteConfig.model_validate(good.config) if good else RemoteConfig()
            await self._apply(self.config)
            outcome = SyncOutcome(ApplyStatus.REVERTED, document.version, "probe_failed: " + "; ".join(failures))
            log.warning("configuration %d reverted: %s", document.version, outcome.reason)
        self.last_status = outcome.status
        await self._report(outcome)
        return outcome

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
