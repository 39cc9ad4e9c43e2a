"""Heartbeats to the hub and the remote actions that come back in the reply (restart, reload, test print, screenshot).

A heartbeat carries versions, the applied configuration, device states and today's funnel counters: nothing that
identifies a patient. Actions wait on the hub until this kiosk's next heartbeat picks them up.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable, Mapping

import httpx

from kiosk.remote_config.hub_trouble import TroubleLog
from kiosk.remote_config.schema import ActionKind, ActionResult, Heartbeat, HeartbeatReply, PendingAction

log = logging.getLogger(__name__)

HEARTBEAT_PATH = "/fleet/v1/heartbeat"

# Each handler does one action and says how it went; the screenshot handler returns PNG bytes of the current
# screen with personal data already masked (the screens know which widgets hold it, this module does not).
ActionHandler = Callable[[], Awaitable[ActionResult]]


def screenshot_result(png: bytes) -> ActionResult:
    return ActionResult(ok=True, screenshot_png_base64=base64.b64encode(png).decode("ascii"))


class HeartbeatSender:
    def __init__(
        self,
        http: httpx.AsyncClient,
        snapshot: Callable[[], Heartbeat],
        handlers: Mapping[ActionKind, ActionHandler],
        on_config_wanted: Callable[[int], None] = lambda _version: None,
        delivered: Callable[[Heartbeat], None] = lambda _beat: None,
        refused: Callable[[], None] = lambda: None,
    ) -> None:
        self._http = http
        self._snapshot = snapshot
        self._handlers = dict(handlers)
        self._on_config_wanted = on_config_wanted
        self._delivered = delivered  # e.g. the alerts it carried can be forgotten
        self._refused = refused  # the hub refuses the token (revoked): the kiosk stops beating with it
        self._trouble = TroubleLog("heartbeat")
        self.sent = 0
        self.wake = asyncio.Event()  # beat now rather than at the next interval (e.g. a new config was applied)

    async def beat_once(self) -> HeartbeatReply:
        heartbeat = self._snapshot()
        response = await self._http.post(HEARTBEAT_PATH, json=heartbeat.model_dump(mode="json"))
        response.raise_for_status()
        self.sent += 1
        self._delivered(heartbeat)
        reply = HeartbeatReply.model_validate_json(response.content)
        if reply.config_version and reply.config_version != heartbeat.config_version:
            self._on_config_wanted(reply.config_version)
        for action in reply.actions:
            await self._run_action(action)
        return reply

    async def _run_action(self, action: PendingAction) -> None:
        handler = self._handlers.get(action.kind)
        if handler is None:
            result = ActionResult(ok=False, detail="not_supported")
        else:
            try:
                result = await handler()
            except Exception as exc:  # one failed action must not stop the heartbeats
                log.exception("remote action %s failed", action.kind)
                result = ActionResult(ok=False, detail=type(exc).__name__)
        try:
            response = await self._http.post(f"/fleet/v1/actions/{action.id}/result", json=result.model_dump())
            response.raise_for_status()
        except httpx.HTTPError as exc:
            log.warning("could not report action %s: %s", action.kind, type(exc).__name__)

    async def run(self, stop: asyncio.Event, interval: Callable[[], float]) -> None:
        """Beat every `interval()` seconds (the remote config's heartbeat_seconds) until `stop`."""
        while not stop.is_set():
            self.wake.clear()
            try:
                await self.beat_once()
                self._trouble.succeeded()
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code in (401, 403):
                    self._refused()
                    return
                self._trouble.failed(exc)
            except (httpx.HTTPError, ValueError) as exc:
                self._trouble.failed(exc)
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            _done, rest = await asyncio.wait(waiters, timeout=interval(), return_when=asyncio.FIRST_COMPLETED)
            for waiter in rest:
                waiter.cancel()
