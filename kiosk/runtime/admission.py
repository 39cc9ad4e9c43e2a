"""Before a remote kiosk opens its check-in screens: is it enrolled (else enrol with the settings' one-time code),
does the hub still accept it, is the hub's certificate trusted? What stops it has a reason for the out-of-service
panel and a way back (retry with backoff, or wait for IT to change a file). A hub that is merely down or slow does
not stop an enrolled kiosk: it serves through the outage (kiosk/offline).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from kiosk.backend_client.tls import Trouble, connection_trouble, hub_ssl_context
from kiosk.domain.out_of_service import OutOfService
from kiosk.remote_config.agent import CONFIG_PATH
from kiosk.remote_config.enrolment import (
    EnrolmentRefusedError,
    KioskCredentials,
    enrol,
    load_credentials,
    save_credentials,
)
from kiosk.runtime.out_of_service import Backoff, Board, Recovery, changed, wait_for
from kiosk.runtime.state import StateDir
from kiosk.settings import HubSettings, KioskSettings

log = logging.getLogger("kiosk.run")
CHECK_TIMEOUT_S = 5.0
# The hub closes a keep-alive connection after 5 idle seconds. A kiosk that kept one as long (httpx's default) would
# now and then send its next request into a socket the hub is closing, and get a read error for nothing.
HUB_CONNECTIONS = httpx.Limits(keepalive_expiry=3.0)

Problem = tuple[OutOfService, str]  # why, and what the system said (for IT)
FINAL = {OutOfService.ENROLMENT_REFUSED, OutOfService.NOT_ENROLLED}  # only IT can clear these: wait for a file


@dataclass(frozen=True)
class Admission:
    credentials: KioskCredentials | None
    problem: Problem | None = None
    recovery: Recovery | None = None


@contextlib.asynccontextmanager
async def hub_http(
    hub: HubSettings, token: str | None = None, timeout_s: float | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the hub: its base URL, the OS trust store plus the settings' CA file, the token."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    verify = hub_ssl_context(hub.ca_file) if (hub.base_url or "").startswith("https:") else True
    timeout = timeout_s or hub.timeout_s
    async with httpx.AsyncClient(
        base_url=hub.base_url or "", verify=verify, headers=headers, timeout=timeout, limits=HUB_CONNECTIONS
    ) as http:
        yield http


async def admit(http: httpx.AsyncClient, settings: KioskSettings, state: StateDir, watched: list[Path]) -> Admission:
    """Enrolled and accepted (credentials), or the problem and how to get past it."""
    files = [*watched, state.credentials]
    if state.credentials.exists():
        credentials = load_credentials(state.credentials)
        problem = await accepted(http, credentials)
        if problem is None:
            return Admission(credentials)
        return Admission(None, problem, _retrying(lambda: accepted(http, credentials), files, Backoff(60, 600)))
    code = settings.hub.enrolment_code
    if code is None:
        detail = "no credentials and no hub.enrolment_code: run kiosk enrol --code …"
        return Admission(None, (OutOfService.NOT_ENROLLED, detail), _until_changed(files))

    async def enrolling() -> Problem | None:
        outcome = await enrol_once(http, code.get_secret_value(), settings.kiosk_name, state)
        return outcome if not isinstance(outcome, KioskCredentials) else None

    outcome = await enrol_once(http, code.get_secret_value(), settings.kiosk_name, state)
    if isinstance(outcome, KioskCredentials):
        return Admission(outcome)
    recovery = _until_changed(files) if outcome[0] in FINAL else _retrying(enrolling, files, Backoff(5, 300))
    return Admission(None, outcome, recovery)


async def enrol_once(http: httpx.AsyncClient, code: str, name: str, state: StateDir) -> KioskCredentials | Problem:
    """Trade the one-time code for credentials (saved, replacing any earlier ones), or say why not."""
    try:
        credentials = await enrol(http, code, name)
    except EnrolmentRefusedError as refused:
        return (OutOfService.ENROLMENT_REFUSED, str(refused))
    except httpx.HTTPStatusError as exc:
        return (OutOfService.NOT_CONNECTED, f"hub answered HTTP {exc.response.status_code}")
    except httpx.HTTPError as exc:
        return _trouble(exc)
    save_credentials(state.credentials, credentials)
    log.info("enrolled with the hub as kiosk %s (%s)", credentials.kiosk_id, name)
    return credentials


async def accepted(http: httpx.AsyncClient, credentials: KioskCredentials) -> Problem | None:
    """None when the hub accepts this kiosk's token, or cannot be reached for an ordinary reason (an outage the
    kiosk serves through); the problem when it refuses the token or its certificate is not trusted."""
    try:
        response = await http.get(
            CONFIG_PATH, headers={"Authorization": f"Bearer {credentials.token}"}, timeout=CHECK_TIMEOUT_S
        )
    except httpx.HTTPError as exc:
        problem = _trouble(exc)
        return problem if problem[0] is OutOfService.CERTIFICATE_NOT_TRUSTED else None
    if response.status_code in (401, 403):
        return (OutOfService.REVOKED, f"kiosk {credentials.kiosk_id}: token refused (HTTP {response.status_code})")
    return None


def _trouble(exc: httpx.HTTPError) -> Problem:
    trouble = connection_trouble(exc)
    if trouble.kind in (Trouble.CERTIFICATE, Trouble.TLS):
        return (OutOfService.CERTIFICATE_NOT_TRUSTED, str(trouble))
    return (OutOfService.NOT_CONNECTED, str(trouble))


def _until_changed(files: list[Path]) -> Recovery:
    async def recover(_board: Board) -> None:
        await wait_for(changed(files))

    return recover


def _retrying(attempt: Callable[[], Awaitable[Problem | None]], files: list[Path], backoff: Backoff) -> Recovery:
    """Try again after each backoff delay until the attempt passes; a problem only IT can clear (or IT changing
    the settings or the credentials) ends the retries: a fresh start reads the new files."""

    async def recover(board: Board) -> None:
        edited = changed(files)
        while not edited():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wait_for(edited), backoff.delay())
                return
            problem = await attempt()
            if problem is None:
                return
            board.say(*problem)
            if problem[0] in FINAL:
                await wait_for(edited)
                return

    return recover
